//go:build pprof

package main

import (
	"log/slog"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
)

// EnvPprof names the address (such as 127.0.0.1:6060) a syncd built with
// -tags pprof serves Go's profiles on, for the load benchmarks
// (docs/BENCHMARKS.md). Release builds have no such listener.
const EnvPprof = "SYNCD_PPROF"

func init() {
	addr := os.Getenv(EnvPprof)
	if addr == "" {
		return
	}
	go func() {
		if err := http.ListenAndServe(addr, nil); err != nil {
			slog.Error("pprof", "addr", addr, "err", err)
		}
	}()
}
