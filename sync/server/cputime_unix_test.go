//go:build unix

package server_test

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used, so that a
// benchmark on a busy machine can tell its work from waiting for a core;
// ok is false where it cannot.
func processCPU() (d time.Duration, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
