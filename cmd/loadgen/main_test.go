package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	main "github.com/sportello/sportello/cmd/loadgen"
	"github.com/sportello/sportello/sync/postgres"
	"github.com/sportello/sportello/sync/postgres/pgtest"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// run runs loadgen with args in-process, its output in a buffer.
func run(t *testing.T, args ...string) (*main.Main, string) {
	t.Helper()
	m := main.NewMain()
	out := &bytes.Buffer{}
	m.Stdout, m.Stderr = out, out
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := m.ParseFlags(ctx, args); err != nil {
		t.Fatalf("loadgen %v: %v", args, err)
	}
	defer m.Close()
	if err := m.Run(ctx); err != nil {
		t.Fatalf("loadgen %v: %v\n%s", args, err, out)
	}
	return m, out.String()
}

// TestData_SQLite generates a tiny city with its users and looks callers up.
func TestData_SQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.db")
	m, out := run(t, "data", "--db", path, "--citizens", "300", "--events", "3000", "--desktops", "10")
	if r := m.DataResult; r.Citizens != 300 || r.Events < 3000 || r.Events > 3010 || r.Users != 10 || r.Phones < 300 {
		t.Fatalf("wrote %+v\n%s", r, out)
	}
	if !strings.Contains(out, "scale 300 citizens, 3000 events") {
		t.Fatalf("the scale is not printed:\n%s", out)
	}
	db := sqlite.New(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lookUp(t, db, 300)

	// Again, users only: the users exist, nothing is added.
	if m, _ := run(t, "data", "--db", path, "--citizens", "0", "--events", "0", "--desktops", "10"); m.DataResult.Users != 0 {
		t.Fatalf("users made again: %+v", m.DataResult)
	}
}

// TestData_Postgres generates a tiny city with COPY.
func TestData_Postgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	m, _ := run(t, "data", "--db", dsn, "--citizens", "200", "--events", "1500", "--desktops", "5")
	if r := m.DataResult; r.Citizens != 200 || r.Events < 1500 || r.Users != 5 {
		t.Fatalf("wrote %+v", r)
	}
	db := postgres.New(dsn)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lookUp(t, db, 200)
}

func lookUp(t *testing.T, db caller, citizens int) {
	t.Helper()
	ctx := context.Background()
	actor, err := db.Authenticate(ctx, "lg-op0001", main.Password)
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for i := 0; i < citizens; i += 7 {
		card, err := db.LookupCaller(ctx, main.CitizenNumber(i, 0), "test", actor)
		if err != nil || card.Citizen == nil {
			t.Fatalf("citizen %d: %v %+v", i, err, card)
		}
		cases += len(card.Cases)
	}
	if cases == 0 {
		t.Fatal("no citizen has a case")
	}
}

// TestDesktops runs a few desktops against syncd in-process for a second:
// they sign in, keep WebSockets, send ops of every kind and get changes
// pushed.
func TestDesktops(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.db")
	run(t, "data", "--db", path, "--citizens", "100", "--events", "500", "--desktops", "12")
	db := sqlite.New(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := server.New(db, nil)
	srv.FilterChanges = true
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	m, out := run(t, "desktops", "--url", srv.URL(), "--desktops", "12", "--ops", "20,60", "--lookups", "5",
		"--citizens", "100", "--warmup", "300ms", "--duration", "1200ms")
	if len(m.DesktopsResults) != 2 || m.DesktopsResults[0].OpsTarget != 20 {
		t.Fatalf("phases: %+v", m.DesktopsResults)
	}
	r := m.DesktopsResults[1]
	if r.Online != 12 || r.OpsFailed != 0 || r.Push.Count == 0 || r.Lookup.Count == 0 || r.Ops["wrap_up"].Count == 0 {
		t.Fatalf("result %+v\n%s", r, out)
	}
	if r.PushAll.Count < r.Push.Count {
		t.Fatalf("fewer frames than visible changes: %+v", r)
	}
	for _, want := range []string{"scale 12 desktops", "push commit->delivered", "screen-pop lookup"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

func TestParseFlags_Errors(t *testing.T) {
	for _, args := range [][]string{
		{}, {"nope"}, {"data"}, {"data", "--db", "x.db", "--citizens", "0", "--events", "5"},
		{"desktops", "--desktops", "0"}, {"desktops", "--duration", "0s"},
	} {
		m := main.NewMain()
		m.Stdout, m.Stderr = &bytes.Buffer{}, &bytes.Buffer{}
		if err := m.ParseFlags(context.Background(), args); err == nil {
			t.Errorf("loadgen %v: no error", args)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a running agent and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAgent calls one headless agent from another: the callee answers by
// itself after a delay and records, the caller hangs up; both print one
// JSON line per call event.
func TestAgent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := func(out *syncBuffer, args ...string) chan error {
		m := main.NewMain()
		m.Stdout, m.Stderr = out, out
		if err := m.ParseFlags(ctx, args); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx); m.Close() }()
		return done
	}
	rec := t.TempDir()
	callee := &syncBuffer{}
	calleeDone := start(callee, "agent", "--listen", "127.0.0.1:0", "--auto-answer", "--answer-delay", "100ms", "--record", rec, "--duration", "8s")
	var addr string
	for addr == "" && ctx.Err() == nil {
		for _, line := range strings.Split(callee.String(), "\n") {
			var e struct{ Event, Detail string }
			if json.Unmarshal([]byte(line), &e) == nil && e.Event == "listening" {
				f := strings.Fields(e.Detail) // "udp 127.0.0.1:port"
				addr = f[len(f)-1]
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	caller := &syncBuffer{}
	callerDone := start(caller, "agent", "--listen", "127.0.0.1:0", "--dial", "sip:agent@"+addr, "--hangup-after", "600ms", "--duration", "3s")
	if err := <-callerDone; err != nil {
		t.Fatal(err)
	}
	cancel()
	<-calleeDone
	for _, want := range []string{`"event":"ringing"`, `"event":"active"`, `"event":"ended"`} {
		if !strings.Contains(callee.String(), want) {
			t.Errorf("callee printed no %s:\n%s\ncaller:\n%s", want, callee, caller)
		}
	}
	if !strings.Contains(caller.String(), `"event":"active"`) {
		t.Errorf("caller never active:\n%s", caller)
	}
	if files, _ := filepath.Glob(filepath.Join(rec, "*.wav")); len(files) != 1 {
		t.Errorf("recordings: %v", files)
	}
}
