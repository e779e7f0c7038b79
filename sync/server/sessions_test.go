package server_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
)

// sessionCountingStore counts the session lookups that reach the store.
type sessionCountingStore struct {
	*sqlite.DB
	lookups atomic.Int64
}

func (s *sessionCountingStore) UserBySession(ctx context.Context, token string) (*sportello.User, time.Time, error) {
	s.lookups.Add(1)
	return s.DB.UserBySession(ctx, token)
}

// newSessionCountingEnv is newEnv with the store behind a sessionCountingStore.
func newSessionCountingEnv(t *testing.T, clk *clock, cacheTTL bool) (*env, *sessionCountingStore) {
	t.Helper()
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	db.Now = clk.now
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Seed(context.Background(), fixture); err != nil {
		t.Fatal(err)
	}
	cs := &sessionCountingStore{DB: db}
	srv := server.New(cs, nil)
	srv.Addr, srv.Now = "127.0.0.1:0", clk.now
	if !cacheTTL {
		srv.SessionCacheTTL = 0
	}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &env{db: db, srv: srv, url: srv.URL()}, cs
}

// TestServer_SessionCache: requests with one token within the cache's TTL
// ask the store once; sign-out is seen at once; a session ended behind
// syncd's back (another node) is seen once the TTL has passed; an expired
// session is refused; with the cache off every request asks the store.
func TestServer_SessionCache(t *testing.T) {
	clk := newClock()
	e, cs := newSessionCountingEnv(t, clk, true)
	token := e.login(t, "operatore")
	for range 20 {
		if status, body := e.call(t, "GET", "/v1/me", token, nil); status != http.StatusOK {
			t.Fatalf("/v1/me: %d %s", status, body)
		}
	}
	if n := cs.lookups.Load(); n != 1 {
		t.Fatalf("20 requests made %d store lookups, want 1", n)
	}
	if _, body := e.call(t, "GET", "/metrics", "", nil); !strings.Contains(string(body), `syncd_session_lookups_total{source="cache"} 19`) {
		t.Fatalf("metrics do not count 19 cached lookups:\n%s", body)
	}
	clk.add(server.DefaultSessionCacheTTL)
	e.call(t, "GET", "/v1/me", token, nil)
	if n := cs.lookups.Load(); n != 2 {
		t.Fatalf("after the TTL: %d store lookups, want 2", n)
	}

	// Sign-out through this node: refused at once.
	if status, _ := e.call(t, "POST", "/v1/logout", token, nil); status != http.StatusNoContent {
		t.Fatalf("logout: %d", status)
	}
	status, body := e.call(t, "GET", "/v1/me", token, nil)
	wantError(t, status, body, 401, sportello.EUNAUTHORIZED, "unknown")

	// A session deleted elsewhere (another syncd node's sign-out): kept
	// until the TTL, then refused.
	other := e.login(t, "operatore2")
	if status, _ := e.call(t, "GET", "/v1/me", other, nil); status != http.StatusOK {
		t.Fatal("operatore2")
	}
	if err := e.db.DeleteSession(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	if status, _ := e.call(t, "GET", "/v1/me", other, nil); status != http.StatusOK {
		t.Fatalf("within the TTL: %d, want the cached 200", status)
	}
	clk.add(server.DefaultSessionCacheTTL)
	status, body = e.call(t, "GET", "/v1/me", other, nil)
	wantError(t, status, body, 401, sportello.EUNAUTHORIZED, "unknown")

	// A session that expires: refused, whatever was cached.
	late := e.login(t, "operatore")
	if status, _ := e.call(t, "GET", "/v1/me", late, nil); status != http.StatusOK {
		t.Fatal("late")
	}
	clk.add(server.DefaultSessionTTL)
	status, body = e.call(t, "GET", "/v1/me", late, nil)
	wantError(t, status, body, 401, sportello.EUNAUTHORIZED, "expired")

	// A session looked up a second before it expires is not trusted past
	// its expiry, though the cache's TTL is longer.
	last := e.login(t, "operatore")
	clk.add(server.DefaultSessionTTL - time.Second)
	before := cs.lookups.Load()
	if status, _ := e.call(t, "GET", "/v1/me", last, nil); status != http.StatusOK {
		t.Fatal("a second before the expiry")
	}
	clk.add(2 * time.Second)
	status, body = e.call(t, "GET", "/v1/me", last, nil)
	wantError(t, status, body, 401, sportello.EUNAUTHORIZED, "expired")
	if n := cs.lookups.Load() - before; n != 2 {
		t.Fatalf("%d store lookups, want 2: the second should not come from the cache", n)
	}
}

// TestServer_SessionCacheOff: with SessionCacheTTL 0 every request asks
// the store.
func TestServer_SessionCacheOff(t *testing.T) {
	e, cs := newSessionCountingEnv(t, newClock(), false)
	token := e.login(t, "operatore")
	for range 5 {
		e.call(t, "GET", "/v1/me", token, nil)
	}
	if n := cs.lookups.Load(); n != 5 {
		t.Fatalf("5 requests made %d store lookups, want 5", n)
	}
}
