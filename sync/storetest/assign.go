package storetest

import (
	"testing"

	"github.com/sportello/sportello"
)

// testAssign: a supervisor assigns the seeded escalated case to the
// specialist; the event keeps whom it names through the case, the change
// feed and a reload; the operator and user lookups answer; per-operator
// first-contact resolution counts by author.
func testAssign(t *testing.T, e *env) {
	sup := Supervisor
	head, err := e.Head(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	ev := sportello.CaseEvent{Kind: sportello.EventAssigned, AssigneeID: Specialist.ID, Assignee: Specialist.Name}
	k, _, err := e.RecordCaseEvent(e.ctx, &sup, EscalatedCase, ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	if k.Status != sportello.StatusClaimed || k.ClaimedByID != Specialist.ID || k.ClaimedBy != Specialist.Name {
		t.Fatalf("assigned case %+v", k)
	}
	changes, err := e.ChangesSince(e.ctx, head, 10)
	if err != nil || len(changes) != 1 || changes[0].Event == nil {
		t.Fatalf("changes %+v, %v", changes, err)
	}
	if got := changes[0].Event; got.Kind != sportello.EventAssigned || got.AssigneeID != Specialist.ID || got.Assignee != Specialist.Name || got.AuthorID != sup.ID {
		t.Fatalf("change's event %+v", got)
	}
	queue, err := e.Queue(e.ctx, Specialist.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range queue {
		if c.ID == EscalatedCase {
			found = c.ClaimedByID == Specialist.ID && c.Events[len(c.Events)-1].Assignee == Specialist.Name
		}
	}
	if !found {
		t.Fatalf("the specialist's queue does not show the case as theirs: %+v", queue)
	}
	// A second assignment is refused: someone holds it.
	if _, _, err := e.RecordCaseEvent(e.ctx, &sup, EscalatedCase, ev, nil); sportello.ErrorCode(err) != sportello.ECONFLICT {
		t.Fatalf("second assignment: %v", err)
	}
	// Naming nobody is refused before the store writes anything.
	if _, _, err := e.RecordCaseEvent(e.ctx, &sup, EscalatedCase, sportello.CaseEvent{Kind: sportello.EventAssigned}, nil); sportello.ErrorCode(err) != sportello.EINVALID {
		t.Fatalf("assignment naming nobody: %v", err)
	}

	u, err := e.UserByID(e.ctx, Specialist.ID)
	if err != nil || u.Name != Specialist.Name || u.Role != sportello.RoleSpecialist || u.Username != Specialist.Username {
		t.Fatalf("UserByID = %+v, %v", u, err)
	}
	if _, err := e.UserByID(e.ctx, "u-nobody"); sportello.ErrorCode(err) != sportello.ENOTFOUND {
		t.Fatalf("unknown user: %v", err)
	}

	since := e.clock.Now()
	e.record(t, &Operator, sportello.WrapUp{CallID: "call-assign-1", CitizenID: "c-rossi", Category: "Assegnazioni", Outcome: sportello.OutcomeResolvedFirstContact})
	e.record(t, &Operator, sportello.WrapUp{CallID: "call-assign-2", CitizenID: "c-rossi", Category: "Assegnazioni", Outcome: sportello.OutcomeTransferred})
	per, err := e.OperatorFCR(e.ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	// The second call repeats the first (same citizen and service): one
	// first contact, resolved as recorded but not truly.
	if want := (sportello.FCRCounts{WrapUps: 2, Resolved: 1, FirstContacts: 1}); len(per) != 1 || per[Operator.ID] != want {
		t.Fatalf("OperatorFCR = %+v, want %s: %+v", per, Operator.ID, want)
	}
}
