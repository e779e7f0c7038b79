package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// testPresence: the board's presence, one row per agent whichever node
// wrote it last, set offline only by that node, with its node's
// heartbeat (forgotten after a day of silence); raised hands saved,
// answered and lowered.
func testPresence(t *testing.T, e *env) {
	if ps, err := e.Presences(e.ctx); err != nil || len(ps) != 0 {
		t.Fatalf("presences of a new store: %+v, %v", ps, err)
	}
	day := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	giulia := wire.AgentPresence{UserID: Operator.ID, Name: Operator.Name, Role: Operator.Role, State: sportello.AgentOnCall,
		Since: T0.Add(123456 * time.Microsecond), Call: sportello.PresenceCall{Caller: "+390212345678", CallerName: "Maria Rossi", MOS: 4.1},
		Node: "node-a", Day: day, InCall: true, CallStart: T0, HandleTotal: 7*time.Minute + 30*time.Second, Handled: 2}
	marco := wire.AgentPresence{UserID: Operator2.ID, Name: Operator2.Name, Role: Operator2.Role, State: sportello.AgentBreak, Reason: "pausa",
		Since: T0, Node: "node-b"}
	for _, p := range []wire.AgentPresence{giulia, marco} {
		if err := e.SavePresence(e.ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.NodeHeartbeat(e.ctx, "node-a", T0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	read := func() map[string]wire.AgentPresence {
		t.Helper()
		ps, err := e.Presences(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]wire.AgentPresence{}
		for _, p := range ps {
			out[p.UserID] = p
		}
		return out
	}
	got := read()
	want := giulia
	want.NodeSeen = T0.Add(time.Second)
	if !reflect.DeepEqual(got[Operator.ID], want) {
		t.Fatalf("Giulia\n got %+v\nwant %+v", got[Operator.ID], want)
	}
	if !reflect.DeepEqual(got[Operator2.ID], marco) || len(got) != 2 {
		t.Fatalf("Marco (node-b left no heartbeat) %+v, want %+v; %d rows", got[Operator2.ID], marco, len(got))
	}

	// Giulia reports through node-b now: node-a's socket closing does
	// not set her offline; node-b's does, and drops her caller.
	giulia.Node, giulia.State, giulia.Since = "node-b", sportello.AgentWrapUp, T0.Add(time.Minute)
	if err := e.SavePresence(e.ctx, giulia); err != nil {
		t.Fatal(err)
	}
	if ok, err := e.MarkOffline(e.ctx, Operator.ID, "node-a", T0.Add(2*time.Minute)); ok || err != nil {
		t.Fatalf("offline through node-a: %v, %v; want no change", ok, err)
	}
	if p := read()[Operator.ID]; p.State != sportello.AgentWrapUp || p.Node != "node-b" || !p.NodeSeen.IsZero() {
		t.Fatalf("Giulia %+v, want wrap-up through node-b", p)
	}
	if ok, err := e.MarkOffline(e.ctx, Operator.ID, "node-b", T0.Add(3*time.Minute)); !ok || err != nil {
		t.Fatalf("offline through node-b: %v, %v; want a change", ok, err)
	}
	p := read()[Operator.ID]
	if p.State != sportello.AgentOffline || !p.Since.Equal(T0.Add(3*time.Minute)) || p.Call != (sportello.PresenceCall{}) || p.Handled != 2 {
		t.Fatalf("Giulia %+v, want offline since 09:03 with no caller, her 2 calls kept", p)
	}
	if ok, err := e.MarkOffline(e.ctx, Operator.ID, "node-b", T0.Add(4*time.Minute)); ok || err != nil {
		t.Fatalf("offline again: %v, %v; want no change", ok, err)
	}
	if ok, err := e.MarkOffline(e.ctx, "u-nobody", "node-b", T0); ok || err != nil {
		t.Fatalf("offline of nobody: %v, %v", ok, err)
	}

	// Heartbeats: node-b beats; a day later node-c's beat forgets node-a
	// and node-b (silent for more than a day).
	if err := e.NodeHeartbeat(e.ctx, "node-b", T0.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if p := read()[Operator2.ID]; !p.NodeSeen.Equal(T0.Add(5 * time.Minute)) {
		t.Fatalf("Marco's node seen %v, want 09:05", p.NodeSeen)
	}
	if err := e.NodeHeartbeat(e.ctx, "node-c", T0.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if p := read()[Operator2.ID]; !p.NodeSeen.IsZero() {
		t.Fatalf("Marco's node seen %v after a day of silence, want none", p.NodeSeen)
	}

	// Hands.
	h := sportello.RaisedHand{AgentID: Operator.ID, AgentName: Operator.Name, Note: "aiuto", At: T0, Caller: "+390212345678", CallerName: "Maria Rossi"}
	if err := e.SaveHand(e.ctx, "node-a", h); err != nil {
		t.Fatal(err)
	}
	h2 := sportello.RaisedHand{AgentID: Operator2.ID, AgentName: Operator2.Name, At: T0.Add(time.Minute)}
	if err := e.SaveHand(e.ctx, "node-b", h2); err != nil {
		t.Fatal(err)
	}
	h.AnsweredByID, h.AnsweredBy, h.AnsweredAt = Supervisor.ID, Supervisor.Name, T0.Add(2*time.Minute)
	if err := e.SaveHand(e.ctx, "node-b", h); err != nil {
		t.Fatal(err)
	}
	hands, err := e.Hands(e.ctx)
	if err != nil || len(hands) != 2 || hands[0].AgentID != Operator.ID || hands[0].AnsweredBy != Supervisor.Name ||
		!hands[0].AnsweredAt.Equal(T0.Add(2*time.Minute)) || hands[0].Note != "aiuto" || hands[1].AgentID != Operator2.ID {
		t.Fatalf("hands %+v, %v; want Giulia's answered by Franco, Marco's", hands, err)
	}
	for range 2 { // lowering twice is no error
		if err := e.DeleteHand(e.ctx, "node-a", Operator.ID); err != nil {
			t.Fatal(err)
		}
	}
	if hands, err := e.Hands(e.ctx); err != nil || len(hands) != 1 || hands[0].AgentID != Operator2.ID {
		t.Fatalf("hands after lowering Giulia's: %+v, %v", hands, err)
	}
}

// testReassignChange: giving a callback to another owner writes a note
// naming the callback on its case, with its change, so that every
// desktop's callback list hears of it.
func testReassignChange(t *testing.T, e *env) {
	e.record(t, &Operator, sportello.WrapUp{CallID: "call-reassign", CallerNumber: "+390212345678", Outcome: sportello.OutcomeCallbackScheduled,
		Note: "later", CallbackFrom: T0.Add(time.Hour), CallbackTo: T0.Add(2 * time.Hour), CallbackOwner: sportello.OwnerPool})
	cbs, err := e.BoardCallbacks(e.ctx, T0)
	if err != nil || len(cbs) != 1 {
		t.Fatalf("callbacks %+v, %v", cbs, err)
	}
	head, err := e.Head(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Set(T0.Add(10 * time.Minute))
	if _, err := e.ReassignCallback(e.ctx, cbs[0].ID, Operator2.ID); err != nil {
		t.Fatal(err)
	}
	changes, err := e.ChangesSince(e.ctx, head, 10)
	if err != nil || len(changes) != 1 {
		t.Fatalf("changes after the reassignment: %+v, %v; want one", changes, err)
	}
	ev := changes[0].Event
	if ev == nil || ev.Kind != sportello.EventNote || ev.CallID != cbs[0].ID || ev.CaseID != cbs[0].CaseID ||
		ev.Note != sportello.ReassignedNote(sportello.OwnerPool, Operator2.ID) || !ev.At.Equal(T0.Add(10*time.Minute)) {
		t.Fatalf("change %+v event %+v, want a note naming the callback", changes[0], ev)
	}
	c, err := e.Case(e.ctx, cbs[0].CaseID)
	if err != nil || c.Events[len(c.Events)-1].ID != ev.ID {
		t.Fatalf("the case's last event is not the note: %v", err)
	}
	// A refused reassignment writes nothing.
	if _, err := e.ReassignCallback(e.ctx, cbs[0].ID, "u-nobody"); err == nil {
		t.Fatal("reassigned to nobody")
	}
	if h, _ := e.Head(e.ctx); h != changes[0].Seq {
		t.Fatalf("head %d after a refused reassignment, want %d", h, changes[0].Seq)
	}
}
