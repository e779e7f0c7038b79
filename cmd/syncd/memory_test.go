package main

import (
	"strings"
	"testing"
)

// The warning comes once the live heap passes 60% of the limit, and
// names the setting to raise.
func TestMemoryWarning(t *testing.T) {
	const limit = 250 << 20
	if msg := memoryWarning(150<<20, limit); msg != "" {
		t.Fatalf("150 MB live of 250: %q, want no warning", msg)
	}
	msg := memoryWarning(200<<20, limit)
	for _, want := range []string{"200 MB", "80%", "250 MB", "--memory-limit-mb"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("200 MB live of 250: %q, want it to say %q", msg, want)
		}
	}
}
