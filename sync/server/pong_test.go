package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/wire"
)

// dialVisible opens a visible-only feed for token from since and reads
// its hello.
func (e *env) dialVisible(t *testing.T, token, since string) (*websocket.Conn, wire.ServerFrame) {
	t.Helper()
	u := strings.Replace(e.url, "http://", "ws://", 1) + "/v1/ws?since=" + since + "&" + wire.FeedParam + "=" + wire.FeedVisible + "&token=" + url.QueryEscape(token)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	hello := readFrame(t, ws)
	if hello.Type != wire.FrameHello {
		t.Fatalf("first frame %+v, want hello", hello)
	}
	return ws, hello
}

// wantPong pings and reads the pong, which must come next.
func wantPong(t *testing.T, ws *websocket.Conn, cursor, prev int64) {
	t.Helper()
	if err := ws.WriteJSON(wire.Ping()); err != nil {
		t.Fatal(err)
	}
	f := readFrame(t, ws)
	if f.Type != wire.FramePong || f.Cursor != cursor || f.Prev == nil || *f.Prev != prev {
		t.Fatalf("frame %+v (prev %v), want pong %d after %d", f, f.Prev, cursor, prev)
	}
}

// TestServer_PongCarriesHead: on a visible-only feed the pong says how
// far the desktop is in sync, syncd's head, though nothing was pushed to
// it, and with prev the last change it was sent; on the default feed
// too. Before, the pong said the last seq sent: 0 to a desktop that may
// see none of the changes.
func TestServer_PongCarriesHead(t *testing.T) {
	e := newEnv(t, func(s *server.Server, _ *sqlite.DB) { s.FilterChanges = true })
	op, op2 := e.login(t, "operatore"), e.login(t, "operatore2")
	ws, hello := e.dialVisible(t, op2, "0")
	if hello.Cursor != 0 {
		t.Fatalf("hello %+v, want 0", hello)
	}
	wantPong(t, ws, 0, 0)
	e.wrapUp(t, op, sportello.WrapUp{CallID: "c1", CitizenID: "c-verdi", Outcome: sportello.OutcomeTransferred}) // 1-3, not op2's
	wantPong(t, ws, 3, 0)
	e.wrapUp(t, op2, sportello.WrapUp{CallID: "c2", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}) // 4-6, op2's own
	// The pong waits for what was queued before it: a ping sent as soon
	// as the wrap-up answered finds 4-6 sent first.
	if err := ws.WriteJSON(wire.Ping()); err != nil {
		t.Fatal(err)
	}
	for seq := int64(4); seq <= 6; seq++ {
		if f := readFrame(t, ws); f.Type != wire.FrameChange || f.Change.Seq != seq {
			t.Fatalf("frame %+v, want change %d before the pong", f, seq)
		}
	}
	if f := readFrame(t, ws); f.Type != wire.FramePong || f.Cursor != 6 || *f.Prev != 6 {
		t.Fatalf("frame %+v, want pong 6 after 6", f)
	}
	e.wrapUp(t, op, sportello.WrapUp{CallID: "c3", CitizenID: "c-verdi", Outcome: sportello.OutcomeTransferred}) // 7-9
	wantPong(t, ws, 9, 6)

	// From the head: the hello's cursor is the start.
	head, _ := e.dialVisible(t, op2, wire.SinceHead)
	wantPong(t, head, 9, 9)
	// The default feed sends every seq: prev is the last one.
	def := e.dialWS(t, op2, 7)
	readFrame(t, def) // hello
	wantChange(t, def, 8)
	wantChange(t, def, 9)
	wantPong(t, def, 9, 9)
}

// TestServer_PongAfterEveryVisibleChange: while the user's own changes
// and others' commit from many requests at once, no change at or below a
// pong's cursor the user may see arrives after that pong, so a desktop
// may resume from it; each pong's prev is the last change sent before it.
func TestServer_PongAfterEveryVisibleChange(t *testing.T) {
	e := newEnv(t, func(s *server.Server, _ *sqlite.DB) { s.FilterChanges = true })
	op, op2 := e.login(t, "operatore"), e.login(t, "operatore2")
	ws, _ := e.dialVisible(t, op2, "0")

	const rounds = 40
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range 4 {
		wg.Go(func() {
			for i := range rounds {
				token, citizen := op2, "c-rossi"
				if (i+w)%2 == 0 {
					token, citizen = op, "c-verdi"
				}
				e.wrapUp(t, token, sportello.WrapUp{CallID: fmt.Sprintf("c%d-%d", w, i), CitizenID: citizen, Outcome: sportello.OutcomeTransferred})
			}
		})
	}
	pings := make(chan error, 1)
	go func() {
		for {
			select {
			case <-done:
				pings <- ws.WriteJSON(wire.Ping())
				return
			default:
			}
			if err := ws.WriteJSON(wire.Ping()); err != nil {
				pings <- err
				return
			}
			time.Sleep(200 * time.Microsecond)
		}
	}()
	go func() { wg.Wait(); close(done) }()

	var last, pong, pongs, own int64
	const want = 4 * rounds / 2 * 3 // op2's wrap-ups, 3 changes each
	for own < want || pong < 4*rounds*3 {
		f := readFrame(t, ws)
		switch f.Type {
		case wire.FrameChange:
			if f.Change.Seq <= pong {
				t.Fatalf("change %d the user may see came after pong %d", f.Change.Seq, pong)
			}
			if f.Change.Event == nil || f.Change.Event.AuthorID != "u-b" || *f.Prev != last {
				t.Fatalf("change %+v after %d (prev %d): want operatore2's own, in order", f.Change, last, *f.Prev)
			}
			last = f.Change.Seq
			own++
		case wire.FramePong:
			if f.Cursor < pong || f.Cursor < last || *f.Prev != last {
				t.Fatalf("pong %d (prev %d) after pong %d and change %d", f.Cursor, *f.Prev, pong, last)
			}
			pong = f.Cursor
			pongs++
		}
	}
	if err := <-pings; err != nil {
		t.Fatal(err)
	}
	t.Logf("%d pongs, %d own changes", pongs, own)
}
