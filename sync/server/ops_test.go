package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// scrape reads /metrics and returns each sample by its series name.
func scrape(t *testing.T, e *env) map[string]float64 {
	t.Helper()
	resp, err := http.Get(e.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("content type %q", ct)
	}
	sample := regexp.MustCompile(`^([a-z_]+)(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? ([0-9.e+-]+)$`)
	samples := map[string]float64{}
	typed := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if f, ok := strings.CutPrefix(line, "# TYPE "); ok {
			typed[strings.Fields(f)[0]] = true
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		m := sample.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a sample in the text format: %q", line)
		}
		family := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m[1], "_bucket"), "_sum"), "_count")
		if !typed[family] {
			t.Fatalf("%s has no # TYPE before it", m[1])
		}
		v, _ := strconv.ParseFloat(m[4], 64)
		samples[m[1]+m[2]] = v
	}
	return samples
}

// TestServer_Metrics checks the series after a sign-in, a WebSocket and a
// wrap-up pushed to it.
func TestServer_Metrics(t *testing.T) {
	e := newEnv(t)
	token := e.login(t, "operatore")
	e.call(t, "POST", "/v1/login", "", strings.NewReader(`{"username":"operatore","password":"no"}`))
	ws := e.dialWS(t, token, 0)
	readFrame(t, ws)
	// The pong comes after the backlog: the socket is live, so the
	// wrap-up's changes are pushed (and timed), not read as backlog.
	if err := ws.WriteJSON(wire.Ping()); err != nil {
		t.Fatal(err)
	}
	if f := readFrame(t, ws); f.Type != wire.FramePong {
		t.Fatalf("frame %+v, want a pong", f)
	}
	if m := scrape(t, e); m["syncd_websockets"] != 1 || m[`syncd_ops_total`] != 0 {
		t.Fatalf("before: %v", m)
	}
	e.wrapUp(t, token, sportello.WrapUp{CallID: "c1", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred})
	for seq := int64(1); seq <= 3; seq++ {
		wantChange(t, ws, seq)
	}
	// The writer records a frame's latency just after writing it: the
	// client can read the frame first, so wait (bounded) for the metric.
	m := scrape(t, e)
	for deadline := time.Now().Add(5 * time.Second); m["syncd_push_latency_seconds_count"] < 3 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		m = scrape(t, e)
	}
	want := map[string]float64{
		"syncd_websockets": 1,
		`syncd_ops_total{kind="wrap_up",result="created"}`: 1,
		`syncd_logins_total{result="ok"}`:                  1,
		`syncd_logins_total{result="refused"}`:             1,
		"syncd_changes_published_total":                    3,
		"syncd_change_head":                                3,
		"syncd_push_latency_seconds_count":                 3,
		`syncd_push_latency_seconds_bucket{le="+Inf"}`:     3,
		`syncd_send_queue_depth{stat="max"}`:               0,
		"syncd_send_queue_capacity":                        256,
	}
	for k, v := range want {
		if got, ok := m[k]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	prev := 0.0
	for _, le := range []string{"0.0005", "0.001", "0.01", "0.1", "1", "5", "+Inf"} {
		v := m[`syncd_push_latency_seconds_bucket{le="`+le+`"}`]
		if v < prev {
			t.Fatalf("bucket %s = %v below the one before (%v)", le, v, prev)
		}
		prev = v
	}
	if m["syncd_push_latency_seconds_sum"] <= 0 || m["syncd_push_latency_seconds_sum"] > 15 {
		t.Fatalf("latency sum %v", m["syncd_push_latency_seconds_sum"])
	}
}

// TestServer_Ready is 200 while serving and 503 once closing.
func TestServer_Ready(t *testing.T) {
	e := newEnv(t)
	if status, body := e.call(t, "GET", "/readyz", "", nil); status != 200 || !strings.Contains(string(body), "ready") {
		t.Fatalf("readyz: %d %s", status, body)
	}
	e.srv.Close()
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	wantError(t, rec.Code, rec.Body.Bytes(), 503, sportello.EUNAVAILABLE, "shutting down")
}

// TestServer_Logout deletes the session and closes its WebSockets, and
// leaves the user's other sessions alone.
func TestServer_Logout(t *testing.T) {
	e := newEnv(t)
	token, other := e.login(t, "operatore"), e.login(t, "operatore")
	ws, otherWS := e.dialWS(t, token, 0), e.dialWS(t, other, 0)
	readFrame(t, ws)
	readFrame(t, otherWS)
	if status, body := e.call(t, "POST", "/v1/logout", token, nil); status != http.StatusNoContent || len(body) != 0 {
		t.Fatalf("logout: %d %s", status, body)
	}
	ws.SetReadDeadline(time.Now().Add(timeout))
	if _, _, err := ws.ReadMessage(); !websocket.IsCloseError(err, wire.ClosePolicyViolation) {
		t.Fatalf("after logout: %v, want close %d", err, wire.ClosePolicyViolation)
	}
	for _, path := range []string{"/v1/me", "/v1/logout"} {
		status, body := e.call(t, "GET", path, token, nil)
		if path == "/v1/logout" {
			status, body = e.call(t, "POST", path, token, nil)
		}
		wantError(t, status, body, 401, sportello.EUNAUTHORIZED, "sign in")
	}
	if status, _ := e.call(t, "GET", "/v1/me", other, nil); status != 200 {
		t.Fatalf("the other session: %d", status)
	}
	e.wrapUp(t, other, sportello.WrapUp{CallID: "c1", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred})
	wantChange(t, otherWS, 1)
}

// TestServer_KB pages through the knowledge base as the desktop does.
func TestServer_KB(t *testing.T) {
	e := newEnv(t)
	var entries []sportello.KBEntry
	for i := range 7 {
		entries = append(entries, sportello.KBEntry{ID: "kb-" + strconv.Itoa(i), Title: "Voce " + strconv.Itoa(i), Summary: "s"})
	}
	if err := e.db.PutKB(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	token := e.login(t, "operatore")
	after, got := "", 0
	for range 10 {
		status, body := e.call(t, "GET", "/v1/kb?limit=3&after="+after, token, nil)
		var page wire.KBPageResponse
		if err := json.Unmarshal(body, &page); err != nil || status != 200 || page.Total != 7 || page.Entries == nil {
			t.Fatalf("%d %s", status, body)
		}
		if len(page.Entries) == 0 {
			break
		}
		got += len(page.Entries)
		after = page.Entries[len(page.Entries)-1].ID
	}
	if got != 7 {
		t.Fatalf("paged %d entries, want 7", got)
	}
	status, body := e.call(t, "GET", "/v1/kb?limit=501", token, nil)
	wantError(t, status, body, 400, sportello.EINVALID, "limit")
}
