package server

import (
	"sync"
	"time"
)

// Throttle settings: after DelayAfter failed sign-ins in a row a key
// (a username or a remote address) waits 1 s before its next try, then
// 2 s, 4 s, ... up to MaxDelay; after LockAfter it is locked for Lockout.
// A success clears the username's count; failures older than Lockout are
// forgotten.
type Throttle struct {
	DelayAfter int
	LockAfter  int
	MaxDelay   time.Duration
	Lockout    time.Duration
}

// Default throttles. A contact center's desktops often share one public
// address behind NAT, so an address gets more tries than a username.
var (
	DefaultUserThrottle = Throttle{DelayAfter: 5, LockAfter: 10, MaxDelay: time.Minute, Lockout: 15 * time.Minute}
	DefaultAddrThrottle = Throttle{DelayAfter: 20, LockAfter: 100, MaxDelay: time.Minute, Lockout: 15 * time.Minute}
)

// maxThrottleKeys bounds the memory the throttle keeps; past it, entries
// that no longer hold anyone back are dropped.
const maxThrottleKeys = 100_000

// throttleEntry is the failed sign-ins of one key.
type throttleEntry struct {
	failures int
	last     time.Time // of the last failure
	until    time.Time // no try before this
}

// limiter counts failed sign-ins per key. Safe for concurrent use.
type limiter struct {
	mu      sync.Mutex
	entries map[string]*throttleEntry
}

func newLimiter() *limiter { return &limiter{entries: make(map[string]*throttleEntry)} }

// wait returns how long key must still wait before a try, and whether it
// is locked out (rather than delayed).
func (l *limiter) wait(key string, p Throttle, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[key]
	if e == nil || !now.Before(e.until) {
		return 0, false
	}
	return e.until.Sub(now), p.LockAfter > 0 && e.failures >= p.LockAfter
}

// fail counts a failed try of key.
func (l *limiter) fail(key string, p Throttle, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[key]
	if e == nil {
		if len(l.entries) >= maxThrottleKeys {
			l.sweep(now, p)
		}
		e = &throttleEntry{}
		l.entries[key] = e
	}
	if now.Sub(e.last) > p.Lockout {
		e.failures = 0 // an old streak is forgotten
	}
	e.failures++
	e.last = now
	switch {
	case p.LockAfter > 0 && e.failures >= p.LockAfter:
		e.until = now.Add(p.Lockout)
	case p.DelayAfter > 0 && e.failures >= p.DelayAfter:
		d := time.Second << min(e.failures-p.DelayAfter, 20)
		e.until = now.Add(min(d, p.MaxDelay))
	}
}

// succeed clears key's failures.
func (l *limiter) succeed(key string) {
	l.mu.Lock()
	delete(l.entries, key)
	l.mu.Unlock()
}

// sweep drops entries that hold nobody back and whose streak is over.
// Called with mu held.
func (l *limiter) sweep(now time.Time, p Throttle) {
	for k, e := range l.entries {
		if !now.Before(e.until) && now.Sub(e.last) > p.Lockout {
			delete(l.entries, k)
		}
	}
}
