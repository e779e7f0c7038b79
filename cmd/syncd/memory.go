package main

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// DefaultMemoryLimitMB is syncd's soft memory limit when neither
// --memory-limit-mb (memory_limit_mb) nor GOMEMLIMIT sets one. Without a
// limit the collector lets the heap grow to twice what is live before it
// runs: at DESIGN's load model (2,000 desktops, a million citizens, 1,000
// ops/s asked) ~125 MB live made a resident size of 370-383 MB, and on a
// city of 20,000 whose log had grown to 10 cases a card, 325-347 MB
// (issue 4; the target is 300). With 250 the same runs peaked at 283 and
// 279 MB, for no fewer ops done. The limit is soft: syncd never fails for
// it, and a syncd whose live heap nears it collects more often, for CPU;
// watchMemory says so in the log, with the setting to raise.
const DefaultMemoryLimitMB = 250

// defaultMemoryLimitMB is the limit a new Main starts with: 0 (the
// runtime's own) when GOMEMLIMIT is in syncd's environment.
func defaultMemoryLimitMB() int {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	return DefaultMemoryLimitMB
}

// applyMemoryLimit sets the memory limit (0: none of syncd's own; a
// GOMEMLIMIT in its environment stays) and starts watching the live heap
// against the limit in force, until stop is closed.
func (m *Main) applyMemoryLimit(log *slog.Logger, stop <-chan struct{}) {
	if m.MemoryLimitMB > 0 {
		debug.SetMemoryLimit(int64(m.MemoryLimitMB) << 20)
	}
	limit := debug.SetMemoryLimit(-1)
	if limit == math.MaxInt64 {
		return // no limit: nothing to near
	}
	go watchMemory(log, uint64(limit), stop)
}

// The live heap's share of the limit past which syncd warns, how often
// it looks and how often at most it says so.
const (
	memoryWarnShare    = 0.6
	memoryWatchEvery   = 30 * time.Second
	memoryWarnInterval = time.Hour
)

// watchMemory warns, at most once a memoryWarnInterval, while the heap
// live after the last collection is over memoryWarnShare of limit.
func watchMemory(log *slog.Logger, limit uint64, stop <-chan struct{}) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	t := time.NewTicker(memoryWatchEvery)
	defer t.Stop()
	var warned time.Time
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			if msg := memoryWarning(sample[0].Value.Uint64(), limit); msg != "" && now.Sub(warned) >= memoryWarnInterval {
				warned = now
				log.Warn(msg)
			}
		}
	}
}

// memoryWarning returns what to tell the admin when live bytes of heap
// are over memoryWarnShare of the limit, "" otherwise.
func memoryWarning(live, limit uint64) string {
	if float64(live) <= memoryWarnShare*float64(limit) {
		return ""
	}
	return fmt.Sprintf("syncd's live heap is %d MB, %.0f%% of its memory limit of %d MB: the collector runs more often the nearer it gets; raise --memory-limit-mb (memory_limit_mb) or GOMEMLIMIT for this city's size",
		live>>20, 100*float64(live)/float64(limit), limit>>20)
}
