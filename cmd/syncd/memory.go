package main

import "runtime/debug"

// applyMemoryLimit sets --memory-limit-mb (memory_limit_mb) as the Go
// runtime's soft memory limit. Without one the collector lets the heap
// grow to twice what is live before it runs: at a million citizens and
// 2,000 desktops under load, ~100 MB live made a resident size over
// 300 MB (issue 4). With a limit it collects sooner as the process nears
// it, for some CPU; it never refuses memory, so a syncd that needs more
// than the limit runs on, collecting often. A GOMEMLIMIT in syncd's
// environment is kept when the setting is 0.
func (m *Main) applyMemoryLimit() {
	if m.MemoryLimitMB > 0 {
		debug.SetMemoryLimit(int64(m.MemoryLimitMB) << 20)
	}
}
