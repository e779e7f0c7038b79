package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/wire"
)

// TestClient_PositionFromPong: on a syncd that pushes each desktop only
// what its user may see, a desktop pushed nothing yet is in sync through
// syncd's head after a pong, not at 0; another operator's commits move
// its position to the new head with no change delivered; its own changes
// still come, in order; its position is kept on disk; and after a
// reconnect from that position it catches up every change it may see
// that committed while it was away, and none it may not.
func TestClient_PositionFromPong(t *testing.T) {
	srv := server.New(openStore(t), nil)
	srv.Addr, srv.FilterChanges = "127.0.0.1:0", true
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	a := signIn(t, srv.URL(), "operatore")
	wrapUp := func(c interface {
		RecordWrapUp(context.Context, sportello.WrapUp) (*sportello.Case, error)
	}, call string) {
		t.Helper()
		if _, err := c.RecordWrapUp(ctx(t), sportello.WrapUp{CallID: call, CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}); err != nil {
			t.Fatal(err)
		}
	}

	path := filepath.Join(t.TempDir(), "replica.db")
	b := signIn(t, srv.URL(), "operatore2")
	b.Replica = openReplica(t, path)
	b.PositionInterval = 50 * time.Millisecond
	states, changes := watch(t, b)
	if err := b.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitState(t, states, "online at 0", func(s sportello.SyncState) bool { return s.Online && s.Cursor == 0 })
	wrapUp(a, "call-1") // 1-3: operatore2 may not see them
	waitState(t, states, "in sync through 3", func(s sportello.SyncState) bool { return s.Cursor == 3 })
	if seq, err := b.Replica.Cursor(ctx(t)); err != nil || seq != 3 {
		t.Fatalf("replica cursor %d, %v; want 3", seq, err)
	}
	wrapUp(b, "call-2") // 4-6: operatore2's own
	for _, ch := range waitChanges(t, changes, 4, 5, 6) {
		if ch.Kind == wire.ChangeKindHidden || ch.Event == nil || ch.Event.AuthorID != "u-b" {
			t.Fatalf("change %+v, want operatore2's own", ch)
		}
	}
	wrapUp(a, "call-3") // 7-9
	waitState(t, states, "in sync through 9", func(s sportello.SyncState) bool { return s.Cursor == 9 })
	select {
	case ch := <-changes:
		t.Fatalf("change %d delivered, though operatore2 may not see it", ch.Seq)
	default:
	}
	b.Close()

	wrapUp(a, "call-4")                                  // 10-12, not for operatore2
	wrapUp(signIn(t, srv.URL(), "operatore2"), "call-5") // 13-15, from operatore2's other desktop
	c := signIn(t, srv.URL(), "operatore2")
	c.Replica = b.Replica
	c.PositionInterval = 50 * time.Millisecond
	states, changes = watch(t, c)
	if err := c.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, ch := range waitChanges(t, changes, 13, 14, 15) {
		if ch.Event == nil || ch.Event.AuthorID != "u-b" {
			t.Fatalf("change %+v, want operatore2's own", ch)
		}
	}
	waitState(t, states, "in sync through 15", func(s sportello.SyncState) bool { return s.Online && s.Cursor == 15 })
	wrapUp(a, "call-6") // 16-18
	waitState(t, states, "in sync through 18", func(s sportello.SyncState) bool { return s.Cursor == 18 })
	select {
	case ch := <-changes:
		t.Fatalf("change %d delivered, though operatore2 may not see it", ch.Seq)
	default:
	}
}

// TestClient_PongAfterMissedChange: a pong whose prev is above the
// cursor tells the desktop that a change was sent that it did not take
// (here a frame that does not decode): it subscribes again from its
// cursor instead of taking the pong's head, and takes the head only
// once the change has come. syncd itself never sends such a frame, so a
// scripted peer on a real socket plays it.
func TestClient_PongAfterMissedChange(t *testing.T) {
	subscribed := make(chan int64, 1)
	peer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		read := func() wire.ClientFrame {
			ws.SetReadDeadline(time.Now().Add(timeout))
			_, data, err := ws.ReadMessage()
			if err != nil {
				return wire.ClientFrame{}
			}
			f, _ := wire.DecodeClientFrame(data)
			return f
		}
		send := func(frames ...string) {
			for _, f := range frames {
				ws.WriteMessage(websocket.TextMessage, []byte(f))
			}
		}
		send(`{"type":"hello","cursor":9}`)
		if f := read(); f.Type != wire.FramePing {
			return
		}
		send(`{"type":"change","change":{"seq":"five"},"prev":0}`, `{"type":"pong","cursor":9,"prev":5}`)
		f := read()
		if f.Type != wire.FrameSubscribe {
			return
		}
		subscribed <- f.Since
		send(`{"type":"change","change":{"seq":5,"at":"2026-11-26T08:00:00Z","kind":"case_event"},"prev":0}`, `{"type":"pong","cursor":9,"prev":5}`)
		read() // until the client goes
	}))
	t.Cleanup(peer.Close)

	c := client.New(peer.URL, nil)
	c.SetToken("token")
	c.PositionInterval = time.Hour // one ping, when the connection opens
	t.Cleanup(func() { c.Close() })
	states, changes := watch(t, c)
	if err := c.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case since := <-subscribed:
		if since != 0 {
			t.Fatalf("subscribed from %d, want 0", since)
		}
	case <-time.After(timeout):
		t.Fatal("no subscribe after a pong past a missed change")
	}
	s := waitState(t, states, "a cursor", func(s sportello.SyncState) bool { return s.Cursor > 0 })
	if s.Cursor != 5 {
		t.Fatalf("cursor %d before change 5 came, want 5", s.Cursor)
	}
	waitChanges(t, changes, 5)
	waitState(t, states, "in sync through 9", func(s sportello.SyncState) bool { return s.Cursor == 9 })
}
