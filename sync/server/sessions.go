package server

import (
	"context"
	"sync"
	"time"

	"github.com/sportello/sportello"
)

// DefaultSessionCacheTTL is how long syncd trusts a token it looked up
// without asking the store again, never past the session's expiry. At
// 5 s, 2,000 desktops each sending a request every 2 s still asked the
// store for 40% of their requests (4% of syncd's CPU at 1,000 ops/s).
const DefaultSessionCacheTTL = 30 * time.Second

// maxCachedSessions bounds the session cache; past it, expired entries
// are swept, and if none expired the cache starts over.
const maxCachedSessions = 20_000

// sessionCache keeps recent token -> user lookups, so that a desktop's
// requests do not each take one of the store's few read connections for
// UserBySession. An entry lives Server.SessionCacheTTL at most, and not
// past the session's expiry; it is forgotten at once on sign-out through
// this node; a session ended elsewhere (another node's sign-out, a change
// made in the database by another process) is noticed within the TTL.
type sessionCache struct {
	mu      sync.Mutex
	entries map[string]sessionEntry // by sessionKey
	forgets uint64                  // sign-outs so far: a lookup older than one is not cached
}

// sessionEntry is one cached lookup.
type sessionEntry struct {
	user  sportello.User
	until time.Time
}

// get returns a copy of the user of key, if cached and fresh at now.
func (c *sessionCache) get(key string, now time.Time) (*sportello.User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	u := e.user
	return &u, true
}

// generation returns the number of sign-outs so far, read before a store
// lookup and given back to put.
func (c *sessionCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.forgets
}

// put caches u for key until until, unless a session was forgotten since
// gen: the lookup may have raced with that sign-out.
func (c *sessionCache) put(key string, u *sportello.User, gen uint64, now, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.forgets {
		return
	}
	if c.entries == nil {
		c.entries = make(map[string]sessionEntry)
	}
	if len(c.entries) >= maxCachedSessions {
		for k, e := range c.entries {
			if !now.Before(e.until) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCachedSessions {
			clear(c.entries)
		}
	}
	c.entries[key] = sessionEntry{user: *u, until: until}
}

// forget drops key, on sign-out.
func (c *sessionCache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
	c.forgets++
}

// userBySession is the store's UserBySession behind the session cache.
// Only successful lookups are cached: an unknown or expired token asks
// the store every time.
func (s *Server) userBySession(ctx context.Context, token string) (*sportello.User, error) {
	if s.SessionCacheTTL <= 0 {
		u, _, err := s.store.UserBySession(ctx, token)
		return u, err
	}
	key := sessionKey(token)
	if u, ok := s.sessions.get(key, s.Now()); ok {
		s.metrics.inc(`syncd_session_lookups_total{source="cache"}`)
		return u, nil
	}
	s.metrics.inc(`syncd_session_lookups_total{source="store"}`)
	gen := s.sessions.generation()
	u, expires, err := s.store.UserBySession(ctx, token)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	until := now.Add(s.SessionCacheTTL)
	if expires.Before(until) {
		until = expires
	}
	s.sessions.put(key, u, gen, now, until)
	return u, nil
}
