package server_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
)

// clock is a settable time for the server under test.
type clock struct{ ns atomic.Int64 }

func newClock() *clock               { c := &clock{}; c.ns.Store(t0.UnixNano()); return c }
func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }

func loginBody(username, password string) *strings.Reader {
	return strings.NewReader(`{"username":"` + username + `","password":"` + password + `"}`)
}

// TestServer_LoginThrottle: 5 failures delay the next try 1 s, then 2 s,
// 4 s...; 10 lock the username for 15 minutes, right password or not;
// another username from the same address is not held back; the lockout
// ends on its own.
func TestServer_LoginThrottle(t *testing.T) {
	clk := newClock()
	e := newEnv(t, func(s *server.Server, _ *sqlite.DB) { s.Now = clk.now })

	fail := func(n int) {
		t.Helper()
		status, body := e.call(t, "POST", "/v1/login", "", loginBody("operatore", "sbagliata"))
		wantError(t, status, body, 401, sportello.EUNAUTHORIZED, "wrong username or password")
		_ = n
	}
	refused := func(password, message string, retryAfter string) {
		t.Helper()
		req, _ := http.NewRequest("POST", e.url+"/v1/login", loginBody("operatore", password))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body := make([]byte, 4096)
		n, _ := resp.Body.Read(body)
		wantError(t, resp.StatusCode, body[:n], 403, sportello.EFORBIDDEN, message)
		if got := resp.Header.Get("Retry-After"); got != retryAfter {
			t.Fatalf("Retry-After %q, want %q", got, retryAfter)
		}
	}
	for i := 1; i <= 5; i++ {
		fail(i)
	}
	// Delayed: even the right password waits, and is not checked.
	refused("demo", "wait 1 seconds", "1")
	for i, wait := range []string{"2", "4", "8", "16"} {
		clk.add(time.Duration(1<<i) * time.Second)
		fail(6 + i)
		if i < 3 {
			refused("demo", "wait "+wait+" seconds", wait)
		}
	}
	// The 10th failure locks the username out.
	clk.add(16 * time.Second)
	fail(10)
	refused("demo", "locked for 15 minutes", "900")
	clk.add(10 * time.Minute)
	refused("demo", "locked for 5 minutes", "300")

	// Someone else at the same address signs in.
	if status, body := e.call(t, "POST", "/v1/login", "", loginBody("operatore2", "demo")); status != 200 {
		t.Fatalf("operatore2: %d %s", status, body)
	}

	// The lockout ends, and a success clears the count.
	clk.add(5 * time.Minute)
	e.login(t, "operatore")
	fail(1)
	e.login(t, "operatore")
}

// TestServer_LoginThrottleByAddress: failures spread over many usernames
// from one address hold the address back.
func TestServer_LoginThrottleByAddress(t *testing.T) {
	clk := newClock()
	e := newEnv(t, func(s *server.Server, _ *sqlite.DB) {
		s.Now = clk.now
		s.AddrThrottle = server.Throttle{DelayAfter: 3, LockAfter: 6, MaxDelay: time.Minute, Lockout: 15 * time.Minute}
	})
	for i := range 6 {
		status, body := e.call(t, "POST", "/v1/login", "", loginBody("nessuno"+string(rune('a'+i)), "x"))
		wantError(t, status, body, 401, sportello.EUNAUTHORIZED, "wrong")
		if i >= 2 && i < 5 {
			// Delayed: the next try from the address, with any username, waits.
			status, body = e.call(t, "POST", "/v1/login", "", loginBody("operatore", "demo"))
			wantError(t, status, body, 403, sportello.EFORBIDDEN, "wait")
			clk.add(time.Minute)
		}
	}
	status, body := e.call(t, "POST", "/v1/login", "", loginBody("operatore", "demo"))
	wantError(t, status, body, 403, sportello.EFORBIDDEN, "locked for 15 minutes")
	clk.add(15 * time.Minute)
	e.login(t, "operatore")
}
