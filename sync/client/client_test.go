package client_test

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
)

var fixture = &demo.Data{
	Users: []demo.User{
		{User: sportello.User{ID: "u-a", Username: "operatore", Name: "Giulia Bianchi", Role: sportello.RoleOperator}, Password: "demo"},
		{User: sportello.User{ID: "u-b", Username: "operatore2", Name: "Marco Ferri", Role: sportello.RoleOperator}, Password: "demo"},
	},
	Citizens: []sportello.Citizen{
		{ID: "c-rossi", Kind: sportello.CitizenPerson, Name: "Maria Rossi", TaxCode: "RSSMRA80A41F205X", Phones: []string{"+390212345678"}},
	},
}

// timeout bounds every wait in these tests.
const timeout = 5 * time.Second

func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Seed(context.Background(), fixture); err != nil {
		t.Fatal(err)
	}
	return db
}

func openServer(t *testing.T, db *sqlite.DB, addr string) *server.Server {
	t.Helper()
	srv := server.New(db, nil)
	srv.Addr = addr
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// signIn returns a client of url signed in as username, with a short
// constant backoff so that reconnects are quick.
func signIn(t *testing.T, url, username string) *client.Client {
	t.Helper()
	c := client.New(url, nil)
	c.Backoff = func(int) time.Duration { return 20 * time.Millisecond }
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if _, err := c.Login(ctx, username, "demo"); err != nil {
		t.Fatal(err)
	}
	return c
}

// watch subscribes to c and returns channels of its states and changes.
// The callbacks never block: the channels are large enough for a test.
func watch(t *testing.T, c *client.Client) (<-chan sportello.SyncState, <-chan sportello.Change) {
	states, changes := make(chan sportello.SyncState, 1000), make(chan sportello.Change, 1000)
	cancel := c.Subscribe(
		func(s sportello.SyncState) {
			select {
			case states <- s:
			default:
			}
		},
		func(ch sportello.Change) {
			select {
			case changes <- ch:
			default:
			}
		})
	t.Cleanup(cancel)
	return states, changes
}

func waitState(t *testing.T, states <-chan sportello.SyncState, what string, ok func(sportello.SyncState) bool) sportello.SyncState {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case s := <-states:
			if ok(s) {
				return s
			}
		case <-deadline:
			t.Fatalf("no state %s within %v", what, timeout)
		}
	}
}

func waitChanges(t *testing.T, changes <-chan sportello.Change, seqs ...int64) []sportello.Change {
	t.Helper()
	var got []sportello.Change
	deadline := time.After(timeout)
	for _, want := range seqs {
		select {
		case ch := <-changes:
			if ch.Seq != want {
				t.Fatalf("change %d, want %d", ch.Seq, want)
			}
			got = append(got, ch)
		case <-deadline:
			t.Fatalf("change %d not received within %v", want, timeout)
		}
	}
	return got
}

func online(s sportello.SyncState) bool { return s.Online }

func ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}

func TestClient_Login(t *testing.T) {
	srv := openServer(t, openStore(t), "127.0.0.1:0")
	tests := []struct {
		name, username, password string
		code, message            string
	}{
		{"WrongPassword", "operatore", "sbagliata", sportello.EUNAUTHORIZED, "wrong username or password"},
		{"Empty", "", "", sportello.EINVALID, "enter a username and a password"},
		{"OK", "operatore", "demo", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := client.New(srv.URL(), nil)
			u, err := c.Login(ctx(t), tt.username, tt.password)
			if tt.code != "" {
				if sportello.ErrorCode(err) != tt.code || sportello.ErrorMessage(err) != tt.message {
					t.Fatalf("error %v, want %s %q", err, tt.code, tt.message)
				}
				if c.Token() != "" {
					t.Fatal("a failed login kept a token")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.ID != "u-a" || c.Token() == "" || c.User().ID != "u-a" {
				t.Fatalf("user %+v token %q", u, c.Token())
			}
			me, err := c.Me(ctx(t))
			if err != nil || me.ID != "u-a" {
				t.Fatalf("me %+v, %v", me, err)
			}
		})
	}
}

func TestClient_Unreachable(t *testing.T) {
	// A port that was free a moment ago: nothing answers on it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()

	c := client.New(url, nil)
	c.SetToken("some-token")
	want := "syncd unreachable at " + url
	calls := map[string]func() error{
		"Ping":  func() error { return c.Ping(ctx(t)) },
		"Login": func() error { _, err := c.Login(ctx(t), "operatore", "demo"); return err },
		"LookupCaller": func() error {
			_, err := c.LookupCaller(ctx(t), "+390212345678", "call-1")
			return err
		},
		"RecordWrapUp": func() error {
			_, err := c.RecordWrapUp(ctx(t), sportello.WrapUp{CallID: "c", CallerNumber: "+390212345678", Outcome: sportello.OutcomeTransferred})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			if sportello.ErrorCode(err) != sportello.EUNAVAILABLE || sportello.ErrorMessage(err) != want {
				t.Fatalf("error %v, want EUNAVAILABLE %q", err, want)
			}
		})
	}

	t.Run("Open", func(t *testing.T) {
		c.Backoff = func(int) time.Duration { return time.Hour }
		c.Now = func() time.Time { return time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC) }
		states, _ := watch(t, c)
		if err := c.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		s := waitState(t, states, "offline with an error", func(s sportello.SyncState) bool { return s.Err != "" })
		if s.Online || s.Err != want || !s.RetryAt.Equal(c.Now().Add(time.Hour)) {
			t.Fatalf("state %+v", s)
		}
		c.Close() // ends the wait for the retry
	})
}

func TestClient_OpenNeedsLogin(t *testing.T) {
	c := client.New("http://127.0.0.1:1", nil)
	if err := c.Open(context.Background()); sportello.ErrorCode(err) != sportello.EUNAUTHORIZED {
		t.Fatalf("Open() = %v, want EUNAUTHORIZED", err)
	}
}

func TestClient_LookupCaller(t *testing.T) {
	db := openStore(t)
	srv := openServer(t, db, "127.0.0.1:0")
	c := signIn(t, srv.URL(), "operatore")
	card, err := c.LookupCaller(ctx(t), "+39 02 1234 5678", "call-1")
	if err != nil {
		t.Fatal(err)
	}
	if card.Citizen == nil || card.Citizen.ID != "c-rossi" || card.Number != "+390212345678" {
		t.Fatalf("card %+v", card)
	}
	if _, err := c.LookupCaller(ctx(t), "+390212345678", ""); sportello.ErrorCode(err) != sportello.EINVALID {
		t.Fatalf("lookup without reason: %v", err)
	}
	log, _ := db.AccessLog(context.Background(), "c-rossi")
	if len(log) != 1 || log[0].Reason != "call-1" || log[0].UserID != "u-a" {
		t.Fatalf("access log %+v", log)
	}
}

// TestClient_PushToOtherClient records a wrap-up with client A and expects
// client B to get its three changes over the WebSocket.
func TestClient_PushToOtherClient(t *testing.T) {
	srv := openServer(t, openStore(t), "127.0.0.1:0")
	a := signIn(t, srv.URL(), "operatore")
	b := signIn(t, srv.URL(), "operatore2")
	states, changes := watch(t, b)
	if err := b.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitState(t, states, "online", online)

	k, err := a.RecordWrapUp(ctx(t), sportello.WrapUp{CallID: "call-1", CallerNumber: "+390212345678", Outcome: sportello.OutcomeResolvedFirstContact, Note: "Orari anagrafe"})
	if err != nil {
		t.Fatal(err)
	}
	got := waitChanges(t, changes, 1, 2, 3)
	for i, ch := range got {
		if ch.CaseID != k.ID || ch.CitizenID != "c-rossi" || ch.Event.ID != k.Events[i].ID || ch.Event.Author != "Giulia Bianchi" {
			t.Fatalf("change %+v, want event %d of %s", ch, i, k.ID)
		}
	}
	if s := b.State(); !s.Online || s.Cursor != 3 {
		t.Fatalf("state %+v", s)
	}

	resp, err := b.Changes(ctx(t), 1, 1)
	if err != nil || len(resp.Changes) != 1 || resp.Changes[0].Seq != 2 || resp.Cursor != 2 {
		t.Fatalf("changes %+v, %v", resp, err)
	}
}

// TestClient_ReconnectAfterRestart stops syncd, records changes while it
// is down, starts it again on the same port and expects the client to
// reconnect and catch up from its cursor, each change once.
func TestClient_ReconnectAfterRestart(t *testing.T) {
	db := openStore(t)
	srv := openServer(t, db, "127.0.0.1:0")
	url := srv.URL()
	a := signIn(t, url, "operatore")
	b := signIn(t, url, "operatore2")
	states, changes := watch(t, b)
	if err := b.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitState(t, states, "online", online)
	if _, err := a.RecordWrapUp(ctx(t), sportello.WrapUp{CallID: "call-1", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}); err != nil {
		t.Fatal(err)
	}
	waitChanges(t, changes, 1, 2, 3)

	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	s := waitState(t, states, "offline", func(s sportello.SyncState) bool { return !s.Online })
	if s.Cursor != 3 {
		t.Fatalf("state %+v", s)
	}
	if err := a.Ping(ctx(t)); sportello.ErrorCode(err) != sportello.EUNAVAILABLE {
		t.Fatalf("ping while down: %v", err)
	}

	// Written while syncd is down (as another node or an import would).
	author := &sportello.User{ID: "u-a", Name: "Giulia Bianchi"}
	if _, err := db.RecordWrapUp(context.Background(), author, sportello.WrapUp{CallID: "call-2", CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact}); err != nil {
		t.Fatal(err)
	}

	openServer(t, db, strings.TrimPrefix(url, "http://"))
	waitState(t, states, "online again", online)
	waitChanges(t, changes, 4, 5, 6)

	// And live again.
	if _, err := a.RecordWrapUp(ctx(t), sportello.WrapUp{CallID: "call-3", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}); err != nil {
		t.Fatal(err)
	}
	waitChanges(t, changes, 7, 8, 9)
	select {
	case ch := <-changes:
		t.Fatalf("unexpected change %d", ch.Seq)
	case <-time.After(50 * time.Millisecond):
	}
}

// TestClient_ResumeFromCursor starts a client with a kept cursor: it gets
// only the changes after it.
func TestClient_ResumeFromCursor(t *testing.T) {
	srv := openServer(t, openStore(t), "127.0.0.1:0")
	a := signIn(t, srv.URL(), "operatore")
	for _, call := range []string{"call-1", "call-2"} {
		if _, err := a.RecordWrapUp(ctx(t), sportello.WrapUp{CallID: call, CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}); err != nil {
			t.Fatal(err)
		}
	}
	b := signIn(t, srv.URL(), "operatore2")
	b.SetCursor(4)
	_, changes := watch(t, b)
	if err := b.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitChanges(t, changes, 5, 6)
}

func TestDefaultBackoff(t *testing.T) {
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 250 * time.Millisecond, 500 * time.Millisecond},
		{2, 500 * time.Millisecond, time.Second},
		{4, 2 * time.Second, 4 * time.Second},
		{7, 15 * time.Second, 30 * time.Second},
		{100, 15 * time.Second, 30 * time.Second},
	}
	for _, tt := range tests {
		for range 50 {
			if d := client.DefaultBackoff(tt.attempt); d < tt.min || d > tt.max {
				t.Fatalf("DefaultBackoff(%d) = %v, want within [%v, %v]", tt.attempt, d, tt.min, tt.max)
			}
		}
	}
}
