package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// testPoolOverdue: a callback of a user whose window ended before the
// cutoff goes to the pool with a note by syncd on its case and a change;
// the pool's, one still in its window and one attempted to done stay.
func testPoolOverdue(t *testing.T, e *env) {
	w := func(note, owner string, from time.Duration) sportello.WrapUp {
		return sportello.WrapUp{CallID: "call-" + note, CallerNumber: "+390212345678", Outcome: sportello.OutcomeCallbackScheduled, Note: note,
			CallbackFrom: T0.Add(from), CallbackTo: T0.Add(from + time.Hour), CallbackOwner: owner}
	}
	late := e.record(t, &Operator, w("late", sportello.OwnerSelf, 0))
	e.record(t, &Operator, w("pool", sportello.OwnerPool, 0))
	e.record(t, &Operator, w("later", sportello.OwnerSelf, 2*time.Hour))
	done := e.record(t, &Operator, w("done", sportello.OwnerSelf, 0))
	doneID := done.Events[len(done.Events)-1].ID
	if _, err := e.RecordCallbackAttempt(e.ctx, &Operator, doneID, sportello.CallbackAttempt{Outcome: sportello.AttemptResolved}, nil); err != nil {
		t.Fatal(err)
	}

	e.clock.Set(T0.Add(2 * time.Hour))
	head := e.head(t)
	moved, err := e.PoolOverdueCallbacks(e.ctx, T0.Add(90*time.Minute), "Passata al pool", 10)
	if err != nil {
		t.Fatal(err)
	}
	lateID := late.Events[len(late.Events)-1].ID
	if len(moved) != 1 || moved[0].ID != lateID || moved[0].Owner != sportello.OwnerPool || !moved[0].UpdatedAt.Equal(T0.Add(2*time.Hour)) {
		t.Fatalf("moved %+v, want only the late one, to the pool", moved)
	}
	if h := e.head(t); h != head+1 {
		t.Fatalf("head %d, want %d: one change for the note", h, head+1)
	}
	changes, err := e.ChangesSince(e.ctx, head, 10)
	if err != nil || len(changes) != 1 {
		t.Fatalf("changes %+v, %v", changes, err)
	}
	ev := changes[0].Event
	if changes[0].CaseID != late.ID || ev == nil || ev.Kind != sportello.EventNote || ev.CallID != lateID ||
		!strings.HasPrefix(ev.Note, "Passata al pool (") || ev.Author != "syncd" {
		t.Fatalf("change %+v event %+v", changes[0], ev)
	}
	k, err := e.Case(e.ctx, late.ID)
	if err != nil || k.Events[len(k.Events)-1].ID != ev.ID {
		t.Fatalf("the note is not on the case: %v", err)
	}
	// Now in every operator's list, as the pool's.
	cbs, err := e.Callbacks(e.ctx, Operator2.ID, nil, false)
	if err != nil || reasons(cbs) != "late,pool" {
		t.Fatalf("Operator2's callbacks %q, %v; want late,pool", reasons(cbs), err)
	}
	// A second look moves nothing and writes nothing.
	if moved, err := e.PoolOverdueCallbacks(e.ctx, T0.Add(90*time.Minute), "Passata al pool", 10); err != nil || len(moved) != 0 {
		t.Fatalf("second look moved %d, %v", len(moved), err)
	}
	if h := e.head(t); h != head+1 {
		t.Fatalf("head %d after a second look, want %d", h, head+1)
	}
}

// testPoolOverdueLimit: a look moves at most limit callbacks, first due
// first, and the next look the rest.
func testPoolOverdueLimit(t *testing.T, e *env) {
	var ids []string
	for i, from := range []time.Duration{20 * time.Minute, 0, 10 * time.Minute} {
		k := e.record(t, &Operator, sportello.WrapUp{CallID: fmt.Sprintf("call-limit-%d", i), CallerNumber: "+390212345678",
			Outcome: sportello.OutcomeCallbackScheduled, Note: "limit", CallbackFrom: T0.Add(from), CallbackTo: T0.Add(from + time.Hour)})
		ids = append(ids, k.Events[len(k.Events)-1].ID)
	}
	e.clock.Set(T0.Add(3 * time.Hour))
	head := e.head(t)
	cutoff := T0.Add(2 * time.Hour)
	moved, err := e.PoolOverdueCallbacks(e.ctx, cutoff, "Passata al pool", 2)
	if err != nil || len(moved) != 2 || moved[0].ID != ids[1] || moved[1].ID != ids[2] {
		t.Fatalf("first look moved %+v, %v; want the two due first", moved, err)
	}
	if h := e.head(t); h != head+2 {
		t.Fatalf("head %d, want %d: a change for each note", h, head+2)
	}
	moved, err = e.PoolOverdueCallbacks(e.ctx, cutoff, "Passata al pool", 2)
	if err != nil || len(moved) != 1 || moved[0].ID != ids[0] {
		t.Fatalf("second look moved %+v, %v; want the last one", moved, err)
	}
	if moved, err := e.PoolOverdueCallbacks(e.ctx, cutoff, "Passata al pool", 2); err != nil || len(moved) != 0 {
		t.Fatalf("third look moved %d, %v", len(moved), err)
	}
}

// testBacklogCategory: the board's backlog carries each case's category,
// as the SLA is per desk and category.
func testBacklogCategory(t *testing.T, e *env) {
	k := e.record(t, &Operator, sportello.WrapUp{CallID: "call-cie", CitizenID: "c-rossi", Category: "CIE",
		Outcome: sportello.OutcomeEscalated, DeskID: "desk-anagrafe", Note: "Foto"})
	backlog, err := e.DeskBacklog(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range backlog {
		if c.CaseID == k.ID {
			if c.Category != "CIE" || c.DeskID != "desk-anagrafe" {
				t.Fatalf("backlog entry %+v, want category CIE at desk-anagrafe", c)
			}
			return
		}
	}
	t.Fatalf("case %s not in the backlog %+v", k.ID, backlog)
}

// testCallbackRetry: the store's retry policy sets how many unanswered
// attempts fail a callback.
func testCallbackRetry(t *testing.T, e *env) {
	e.SetCallbackRetry(sportello.CallbackRetry{Attempts: 1})
	defer e.SetCallbackRetry(sportello.CallbackRetry{})
	k := e.record(t, &Operator, sportello.WrapUp{CallID: "call-r", CallerNumber: "+390212345678", Outcome: sportello.OutcomeCallbackScheduled,
		CallbackFrom: T0, CallbackTo: T0.Add(time.Hour)})
	id := k.Events[len(k.Events)-1].ID
	head := e.head(t)
	cb, err := e.RecordCallbackAttempt(e.ctx, &Operator, id, sportello.CallbackAttempt{Outcome: sportello.AttemptBusy}, nil)
	if err != nil || cb.State != sportello.CallbackFailed {
		t.Fatalf("one busy attempt under a one-attempt policy: %+v, %v; want failed", cb, err)
	}
	if h := e.head(t); h != head+2 {
		t.Fatalf("head %d, want %d: the attempt and the failure's note", h, head+2)
	}
}
