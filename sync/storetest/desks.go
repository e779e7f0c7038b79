package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// testDeskQueue: desks with membership, a desk's queue oldest escalation
// first, and actions on a case (claim, a second claim refused, idempotent
// repeat, the server's allow hook, an unknown desk).
func testDeskQueue(t *testing.T, e *env) {
	desks, err := e.Desks(e.ctx, Specialist.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(desks) != 2 || desks[0].Name != "Anagrafe" || desks[1].Name != "Tributi" || !desks[0].Member || !desks[1].Member {
		t.Fatalf("specialist's desks %+v", desks)
	}
	if desks, _ := e.Desks(e.ctx, Operator.ID); len(desks) != 2 || desks[0].Member || desks[1].Member {
		t.Fatalf("operator's desks %+v", desks)
	}

	e.clock.Set(T0.Add(time.Minute))
	esc := e.record(t, &Operator, sportello.WrapUp{CallID: "call-1", CitizenID: "c-panificio", Outcome: sportello.OutcomeEscalated, DeskID: "desk-anagrafe", Note: "Cambio residenza"})
	if esc.Status != sportello.StatusEscalated || esc.DeskID != "desk-anagrafe" || !esc.EscalatedAt.Equal(T0.Add(time.Minute)) {
		t.Fatalf("escalated case %+v", esc)
	}
	_, err = e.RecordWrapUp(e.ctx, &Operator, sportello.WrapUp{CallID: "call-2", CitizenID: "c-panificio", Outcome: sportello.OutcomeEscalated, DeskID: "desk-nessuna"})
	wantCode(t, err, sportello.ENOTFOUND)

	queue, err := e.Queue(e.ctx, Specialist.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(queue) != 2 || queue[0].ID != EscalatedCase || queue[1].ID != esc.ID || queue[0].CitizenName != "Maria Rossi" || queue[1].CitizenName != "Panificio Colombo" || len(queue[1].Events) != 3 {
		t.Fatalf("queue %+v: want the seeded case, then the new one", queue)
	}
	if q, _ := e.Queue(e.ctx, Operator.ID, false); len(q) != 0 {
		t.Fatalf("operator's queue %+v", q)
	}
	if q, _ := e.Queue(e.ctx, Supervisor.ID, true); len(q) != 2 {
		t.Fatalf("every desk's queue has %d cases", len(q))
	}

	head := e.head(t)
	const claimID = "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7b01"
	claim := sportello.CaseEvent{ID: claimID, Kind: sportello.EventClaimed}
	k, replayed, err := e.RecordCaseEvent(e.ctx, &Specialist, EscalatedCase, claim, nil)
	if err != nil || replayed {
		t.Fatalf("claim: replayed %v, %v", replayed, err)
	}
	if k.Status != sportello.StatusClaimed || k.ClaimedBy != Specialist.Name || k.CitizenName != "Maria Rossi" || len(k.Events) != 3 {
		t.Fatalf("claimed case %+v", k)
	}
	if ev := k.Events[2]; ev.ID != claimID || ev.AuthorID != Specialist.ID || ev.AuthorRole != sportello.RoleSpecialist || !ev.At.Equal(T0.Add(time.Minute)) {
		t.Fatalf("claim event %+v", ev)
	}
	changes, _ := e.ChangesSince(e.ctx, head, 10)
	if len(changes) != 1 || changes[0].Seq != head+1 || changes[0].DeskID != "desk-tributi" || changes[0].Event.ID != claimID {
		t.Fatalf("changes %+v", changes)
	}
	if _, replayed, err := e.RecordCaseEvent(e.ctx, &Specialist, EscalatedCase, claim, nil); err != nil || !replayed {
		t.Fatalf("repeat: replayed %v, %v", replayed, err)
	}
	other := Specialist
	other.ID, other.Name = "u-altro", "Altro Specialista"
	_, _, err = e.RecordCaseEvent(e.ctx, &other, EscalatedCase, sportello.CaseEvent{Kind: sportello.EventClaimed}, nil)
	wantCode(t, err, sportello.ECONFLICT)
	if !strings.Contains(sportello.ErrorMessage(err), Specialist.Name) {
		t.Fatalf("message %q does not say who has it", sportello.ErrorMessage(err))
	}
	forbid := func(*sportello.Case) error { return sportello.Errorf(sportello.EFORBIDDEN, "not your desk") }
	_, _, err = e.RecordCaseEvent(e.ctx, &Specialist, esc.ID, sportello.CaseEvent{Kind: sportello.EventClaimed}, forbid)
	wantCode(t, err, sportello.EFORBIDDEN)
	_, _, err = e.RecordCaseEvent(e.ctx, &Specialist, EscalatedCase, sportello.CaseEvent{Kind: sportello.EventEscalated, DeskID: "desk-nessuna"}, nil)
	wantCode(t, err, sportello.ENOTFOUND)
	_, _, err = e.RecordCaseEvent(e.ctx, &Specialist, "nope", sportello.CaseEvent{Kind: sportello.EventNote, Note: "x"}, nil)
	wantCode(t, err, sportello.ENOTFOUND)
	if h := e.head(t); h != head+1 {
		t.Fatalf("head %d after refusals, want %d", h, head+1)
	}

	// A note, or a wrap-up, that leaves a case's state, desk and escalation
	// as they were (the SQLite store then writes none of the columns its
	// queue indexes hold): the case keeps its place in the queue, and is
	// its citizen's newest on the caller's card.
	e.clock.Set(T0.Add(90 * time.Second))
	later := e.record(t, &Operator, sportello.WrapUp{CallID: "call-5", CitizenID: "c-panificio", Outcome: sportello.OutcomeTransferred, Note: "Orari"})
	newest := func(want string) {
		t.Helper()
		card, err := e.LookupCaller(e.ctx, "+390287654321", "call-6", &Operator)
		if err != nil || card.Citizen == nil || len(card.Cases) == 0 || card.Cases[0].ID != want {
			t.Fatalf("caller's card %+v, %v: want %s newest", card, err, want)
		}
	}
	newest(later.ID)
	e.clock.Set(T0.Add(2 * time.Minute))
	if _, _, err := e.RecordCaseEvent(e.ctx, &Specialist, esc.ID, sportello.CaseEvent{Kind: sportello.EventNote, Note: "Richiamato"}, nil); err != nil {
		t.Fatal(err)
	}
	newest(esc.ID)
	e.clock.Set(T0.Add(3 * time.Minute))
	e.record(t, &Operator, sportello.WrapUp{CallID: "call-7", CaseID: later.ID, CitizenID: "c-panificio", Outcome: sportello.OutcomeTransferred, Note: "Di nuovo"})
	newest(later.ID)
	queue, err = e.Queue(e.ctx, Specialist.ID, false)
	if err != nil || len(queue) != 2 || queue[0].ID != EscalatedCase || queue[1].ID != esc.ID ||
		queue[0].Status != sportello.StatusClaimed || queue[1].Status != sportello.StatusEscalated || len(queue[1].Events) != 4 {
		t.Fatalf("queue after a note %+v, %v", queue, err)
	}
	// Events that change the state do write it: resolved, the case leaves
	// the queue.
	for _, kind := range []sportello.EventKind{sportello.EventClaimed, sportello.EventResolved} {
		if _, _, err := e.RecordCaseEvent(e.ctx, &Specialist, esc.ID, sportello.CaseEvent{Kind: kind, Note: "Fatto"}, nil); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
	}
	if q, err := e.Queue(e.ctx, Specialist.ID, false); err != nil || len(q) != 1 || q[0].ID != EscalatedCase {
		t.Fatalf("queue after the case was resolved %+v, %v", q, err)
	}
}
