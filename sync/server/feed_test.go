package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/wire"
)

// TestServer_WebSocketFromHead: since=head says hello with the head and
// sends no backlog, only what commits afterwards; a since that is neither
// a seq nor "head" is refused.
func TestServer_WebSocketFromHead(t *testing.T) {
	e := newEnv(t)
	token := e.login(t, "operatore")
	e.wrapUp(t, token, sportello.WrapUp{CallID: "c1", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred})

	u := strings.Replace(e.url, "http://", "ws://", 1) + "/v1/ws?since=" + wire.SinceHead + "&token=" + url.QueryEscape(token)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if f := readFrame(t, ws); f.Type != wire.FrameHello || f.Cursor != 3 {
		t.Fatalf("first frame %+v, want hello 3", f)
	}
	e.wrapUp(t, token, sportello.WrapUp{CallID: "c2", CitizenID: "c-verdi", Outcome: sportello.OutcomeResolvedFirstContact})
	wantChange(t, ws, 4) // not 1: no backlog
	wantChange(t, ws, 5)
	if err := ws.WriteJSON(wire.Ping()); err != nil {
		t.Fatal(err)
	}
	// The pong tells the last seq sent before it: 6, or 5 when the ping
	// overtook change 6 in the writer (a select of two ready channels).
	sent := int64(5)
	for pong := false; !pong || sent < 6; {
		switch f := readFrame(t, ws); {
		case f.Type == wire.FrameChange && f.Change.Seq == sent+1:
			sent++
		case f.Type == wire.FramePong && !pong && f.Cursor == sent:
			pong = true
		default:
			t.Fatalf("frame %+v after change %d, want change 6 and a pong of the last seq sent", f, sent)
		}
	}

	status, body := e.call(t, "GET", "/v1/ws?since=tail", token, nil)
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "since")
}

// TestServer_WebSocketVisibleFeed: with feed=visible a filtered feed sends
// only the changes the user may see, each with the seq sent before it on
// the connection, in the backlog, live and after a subscribe; the default
// feed still sends hidden placeholders.
func TestServer_WebSocketVisibleFeed(t *testing.T) {
	e := newEnv(t, func(s *server.Server, _ *sqlite.DB) { s.FilterChanges = true })
	op, op2 := e.login(t, "operatore"), e.login(t, "operatore2")
	e.wrapUp(t, op, sportello.WrapUp{CallID: "c1", CitizenID: "c-verdi", Outcome: sportello.OutcomeTransferred})  // 1-3, not op2's
	e.wrapUp(t, op2, sportello.WrapUp{CallID: "c2", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}) // 4-6, op2's own

	dial := func(feed string, head int64) *websocket.Conn {
		u := strings.Replace(e.url, "http://", "ws://", 1) + "/v1/ws?since=0&" + wire.FeedParam + "=" + feed + "&token=" + url.QueryEscape(op2)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		ws, _, err := websocket.DefaultDialer.DialContext(ctx, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		if f := readFrame(t, ws); f.Type != wire.FrameHello || f.Cursor != head {
			t.Fatalf("first frame %+v, want hello %d", f, head)
		}
		return ws
	}
	wantAfter := func(ws *websocket.Conn, seq, prev int64) {
		t.Helper()
		f := readFrame(t, ws)
		if f.Type != wire.FrameChange || f.Change.Seq != seq || f.Prev == nil || *f.Prev != prev || f.Change.Kind == wire.ChangeKindHidden {
			t.Fatalf("frame %+v (prev %v), want visible change %d after %d", f, f.Prev, seq, prev)
		}
	}
	ws := dial(wire.FeedVisible, 6)
	wantAfter(ws, 4, 0) // the backlog: 1-3 skipped
	wantAfter(ws, 5, 4)
	wantAfter(ws, 6, 5)
	e.wrapUp(t, op, sportello.WrapUp{CallID: "c3", CitizenID: "c-verdi", Outcome: sportello.OutcomeTransferred})  // 7-9, skipped live
	e.wrapUp(t, op2, sportello.WrapUp{CallID: "c4", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}) // 10-12
	wantAfter(ws, 10, 6)
	wantAfter(ws, 11, 10)
	wantAfter(ws, 12, 11)
	if err := ws.WriteJSON(wire.Subscribe(3)); err != nil {
		t.Fatal(err)
	}
	for _, want := range [][2]int64{{4, 3}, {5, 4}, {6, 5}, {10, 6}, {11, 10}, {12, 11}} {
		wantAfter(ws, want[0], want[1])
	}

	def := dial("", 12)
	if c := wantChange(t, def, 1); c.Kind != wire.ChangeKindHidden {
		t.Fatalf("default feed: change 1 is %+v, want a hidden placeholder", c)
	}
}
