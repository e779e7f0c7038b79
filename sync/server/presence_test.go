package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/storetest"
	"github.com/sportello/sportello/sync/wire"
)

// TestCallback_ReassignPushesChange: a supervisor gives Giulia's pool
// callback to Marco; Marco's open WebSocket gets its change (a note
// naming the callback) at once, and his list then holds it as his.
func TestCallback_ReassignPushesChange(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(morning(8, 0))
	e := boardEnv(t, clk, nil, server.BoardConfig{Location: rome})
	giulia, marco, sup := e.signIn(t, "operatore"), e.signIn(t, "operatore2"), e.signIn(t, "supervisore")
	e.wrapUp(t, giulia, sportello.WrapUp{CallID: "call-1", CitizenID: "c-verdi", CallerNumber: "+393351112233", Note: "Attende esito",
		Outcome: sportello.OutcomeCallbackScheduled, CallbackFrom: morning(9, 0).UTC(), CallbackTo: morning(10, 0).UTC(), CallbackOwner: sportello.OwnerPool})
	id := callbackOf(t, e, marco, "Attende esito")
	ws := e.dialWS(t, marco, 0)
	clk.Set(morning(8, 5))
	status, body := e.call(t, "POST", "/v1/callbacks/"+id+"/owner", sup, strings.NewReader(`{"owner":"u-b"}`))
	if status != http.StatusOK {
		t.Fatalf("reassign: %d %s", status, body)
	}
	f := readFrame(t, ws)
	for f.Type != wire.FrameChange || f.Change.Event == nil || f.Change.Event.Kind != sportello.EventNote { // hello, the backlog
		f = readFrame(t, ws)
	}
	if f.Change.Event == nil || f.Change.Event.Kind != sportello.EventNote || f.Change.Event.CallID != id ||
		f.Change.Event.Note != sportello.ReassignedNote(sportello.OwnerPool, "u-b") || !f.Change.At.Equal(morning(8, 5)) {
		t.Fatalf("frame %+v (change %+v), want the reassignment's note", f, f.Change)
	}
	for _, cb := range e.callbacks(t, marco) {
		if cb.ID == id && cb.Owner != "u-b" {
			t.Fatalf("Marco's list has the callback owned by %q", cb.Owner)
		}
	}
	// A refused reassignment pushes nothing and changes nothing.
	if status, _ := e.call(t, "POST", "/v1/callbacks/"+id+"/owner", sup, strings.NewReader(`{"owner":"u-nobody"}`)); status != http.StatusNotFound {
		t.Fatalf("reassign to nobody: %d", status)
	}
}

// TestPresence_KeptOverRestart: presence, handle times and a raised hand
// are in the store: a syncd started again on the same database shows
// them; the agents reported through the old process (a node now silent)
// show offline once its heartbeat is older than the TTL.
func TestPresence_KeptOverRestart(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(morning(8, 0))
	cfg := server.BoardConfig{Location: rome, PresenceTTL: 30 * time.Second}
	e := boardEnv(t, clk, nil, cfg)
	giulia, sup := e.signIn(t, "operatore"), e.signIn(t, "supervisore")
	e.presence(t, giulia, `{"state":"on_call","caller":"+390212345678"}`)
	clk.Set(morning(8, 0).Add(6 * time.Second))
	e.presence(t, giulia, `{"state":"available"}`)
	clk.Set(morning(8, 0).Add(7 * time.Second))
	e.presence(t, giulia, `{"state":"on_call","caller":"+393351112233","caller_name":"Luca Verdi"}`)
	if status, body := e.call(t, "POST", "/v1/hand", giulia, strings.NewReader(`{"note":"Aiuto"}`)); status != http.StatusOK {
		t.Fatalf("raise hand: %d %s", status, body)
	}
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}

	srv := server.New(e.db, nil)
	srv.Now, srv.Board, srv.SessionTTL = clk.Now, cfg, 72*time.Hour
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e.srv, e.url = srv, srv.URL()
	b := e.board(t, sup)
	g := agent(t, b, "u-a")
	if g.State != sportello.AgentOnCall || g.CallerName != "Luca Verdi" || g.HandledMeasured != 1 || g.AvgHandle != 6*time.Second || b.CallsInProgress != 1 {
		t.Fatalf("Giulia after the restart %+v, want on a call with Luca Verdi, one call of 6 s measured", g)
	}
	if len(b.Hands) != 1 || b.Hands[0].AgentID != "u-a" || b.Hands[0].Note != "Aiuto" || b.Hands[0].CallerName != "Luca Verdi" {
		t.Fatalf("hands after the restart %+v", b.Hands)
	}
	// The old process beat last at 08:00 (when it started; the clock
	// stood still since); 31 s later its agents are offline.
	clk.Set(morning(8, 0).Add(31 * time.Second))
	b = e.board(t, sup)
	if g := agent(t, b, "u-a"); g.State != sportello.AgentOffline || g.Caller != "" || b.CallsInProgress != 0 || len(b.Hands) != 1 {
		t.Fatalf("Giulia once the old node is silent %+v (calls %d), want offline, her hand kept", g, b.CallsInProgress)
	}
	// She reports again through the new process: on a call again.
	e.presence(t, giulia, `{"state":"on_call","caller":"+393351112233"}`)
	if g := agent(t, e.board(t, sup), "u-a"); g.State != sportello.AgentOnCall || g.HandledMeasured != 1 {
		t.Fatalf("Giulia reporting again %+v", g)
	}
}
