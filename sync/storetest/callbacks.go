package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

func reasons(cbs []*sportello.Callback) string {
	var rs []string
	for _, cb := range cbs {
		rs = append(rs, cb.Reason)
	}
	return strings.Join(rs, ",")
}

// testCallbacks: a callback_scheduled wrap-up creates its callback with
// the case's events in one transaction (once, however often it is sent);
// the lists are first due first served and by owner; attempts follow
// Callback.Attempt and add a callback_attempt event and a change.
func testCallbacks(t *testing.T, e *env) {
	w := func(id, note, owner string, from time.Duration) sportello.WrapUp {
		return sportello.WrapUp{
			ID: id, CallID: "call-" + note, CallerNumber: "+390212345678", Outcome: sportello.OutcomeCallbackScheduled, Note: note,
			CallbackFrom: T0.Add(from), CallbackTo: T0.Add(from + 2*time.Hour), CallbackOwner: owner,
		}
	}
	head := e.head(t)
	mineW := w("01950000-0000-7000-8000-00000000cb01", "mine", sportello.OwnerSelf, 2*time.Hour)
	mine := e.record(t, &Operator, mineW)
	if n := len(mine.Events); n != 4 || mine.Events[3].Kind != sportello.EventCallbackScheduled {
		t.Fatalf("a callback wrap-up on a new case gives %d events, want opened, call, wrap_up, callback_scheduled", n)
	}
	if h := e.head(t); h != head+4 {
		t.Fatalf("head %d, want %d: one change per event", h, head+4)
	}
	// A repeat of the wrap-up creates no second callback.
	if _, replayed, err := e.RecordWrapUpOnce(e.ctx, &Operator, mineW); err != nil || !replayed {
		t.Fatalf("repeat: replayed %v, %v", replayed, err)
	}
	e.record(t, &Operator2, w("", "pool", sportello.OwnerPool, time.Hour))
	e.record(t, &Operator2, w("", "theirs", "", 90*time.Minute))
	// A refused wrap-up (on a resolved case) leaves no callback.
	done := e.record(t, &Operator, sportello.WrapUp{CallID: "r", CallerNumber: "+390212345678", Outcome: sportello.OutcomeResolvedFirstContact})
	refused := w("", "refused", "", 0)
	refused.CaseID = done.ID
	_, err := e.RecordWrapUp(e.ctx, &Operator, refused)
	wantCode(t, err, sportello.ECONFLICT)

	cbs, err := e.Callbacks(e.ctx, Operator.ID, nil, false)
	if err != nil || reasons(cbs) != "pool,mine" {
		t.Fatalf("operator's callbacks %q, %v; want pool,mine", reasons(cbs), err)
	}
	own := cbs[1]
	want := sportello.Callback{
		ID: mine.Events[3].ID, CaseID: mine.ID, CitizenID: "c-rossi", Number: "+390212345678", Reason: "mine",
		From: T0.Add(2 * time.Hour), To: T0.Add(4 * time.Hour), Owner: Operator.ID, State: sportello.CallbackScheduled,
		CreatedAt: T0, UpdatedAt: T0, CitizenName: "Maria Rossi",
	}
	if own.ID != want.ID || own.CaseID != want.CaseID || own.CitizenID != want.CitizenID || own.Number != want.Number ||
		own.Reason != want.Reason || !own.From.Equal(want.From) || !own.To.Equal(want.To) || own.Owner != want.Owner ||
		own.State != want.State || !own.CreatedAt.Equal(T0) || own.CitizenName != want.CitizenName || len(own.Attempts) != 0 {
		t.Fatalf("stored callback %+v, want %+v", own, want)
	}
	if cbs, err := e.Callbacks(e.ctx, Supervisor.ID, nil, true); err != nil || reasons(cbs) != "pool,theirs,mine" {
		t.Fatalf("every callback %q, %v; want pool,theirs,mine", reasons(cbs), err)
	}
	if cbs, err := e.Callbacks(e.ctx, Specialist.ID, []string{"desk-tributi"}, false); err != nil || reasons(cbs) != "pool" {
		t.Fatalf("specialist's callbacks %q, %v; want pool", reasons(cbs), err)
	}

	// Someone else's: refused by allow, nothing written.
	head = e.head(t)
	deny := func(*sportello.Callback) error { return sportello.Errorf(sportello.EFORBIDDEN, "not yours") }
	_, err = e.RecordCallbackAttempt(e.ctx, &Operator2, own.ID, sportello.CallbackAttempt{Outcome: sportello.AttemptNoAnswer}, deny)
	wantCode(t, err, sportello.EFORBIDDEN)
	_, err = e.RecordCallbackAttempt(e.ctx, &Operator, "nope", sportello.CallbackAttempt{Outcome: sportello.AttemptNoAnswer}, nil)
	wantCode(t, err, sportello.ENOTFOUND)
	_, err = e.RecordCallbackAttempt(e.ctx, &Operator, own.ID, sportello.CallbackAttempt{Outcome: "later"}, nil)
	wantCode(t, err, sportello.EINVALID)
	if h := e.head(t); h != head {
		t.Fatal("a refused attempt wrote a change")
	}

	// Two unanswered attempts keep it scheduled; the third fails it.
	e.clock.Set(T0.Add(3 * time.Hour))
	for i, o := range []sportello.AttemptOutcome{sportello.AttemptNoAnswer, sportello.AttemptBusy, sportello.AttemptNoAnswer} {
		cb, err := e.RecordCallbackAttempt(e.ctx, &Operator, own.ID, sportello.CallbackAttempt{Outcome: o, CallID: "out"}, nil)
		wantState := sportello.CallbackScheduled
		if i == 2 {
			wantState = sportello.CallbackFailed
		}
		if err != nil || cb.State != wantState || len(cb.Attempts) != i+1 || cb.Attempts[i].Outcome != o || cb.Attempts[i].AuthorID != Operator.ID || !cb.Attempts[i].At.Equal(T0.Add(3*time.Hour)) {
			t.Fatalf("attempt %d: %+v, %v; want %s", i+1, cb, err, wantState)
		}
	}
	if h := e.head(t); h != head+4 {
		t.Fatalf("head %d, want %d: one change per attempt and one for the failure's note", h, head+4)
	}
	k, err := e.Case(e.ctx, mine.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The failure is noted on the case by syncd (overdue.go).
	if n := k.Events[len(k.Events)-1]; n.Kind != sportello.EventNote || n.CallID != own.ID || n.Author != "syncd" ||
		n.Note != sportello.FailedNote+" (3)" {
		t.Fatalf("the case's last event %+v, want the failure's note", n)
	}
	last := k.Events[len(k.Events)-2]
	if last.Kind != sportello.EventCallbackAttempt || last.CallID != own.ID || last.Outcome != sportello.Outcome(sportello.AttemptNoAnswer) || last.AuthorID != Operator.ID || last.Note != string(sportello.CallbackFailed) {
		t.Fatalf("the case's last event %+v, want the failing attempt", last)
	}
	_, err = e.RecordCallbackAttempt(e.ctx, &Operator, own.ID, sportello.CallbackAttempt{Outcome: sportello.AttemptResolved}, nil)
	wantCode(t, err, sportello.ECONFLICT)

	// Answered: done, and off every list.
	cbs, _ = e.Callbacks(e.ctx, Operator.ID, nil, false)
	if reasons(cbs) != "pool" {
		t.Fatalf("after the failure: %q, want pool", reasons(cbs))
	}
	cb, err := e.RecordCallbackAttempt(e.ctx, &Operator, cbs[0].ID, sportello.CallbackAttempt{Outcome: sportello.AttemptResolved}, nil)
	if err != nil || cb.State != sportello.CallbackDone {
		t.Fatalf("answered: %+v, %v; want done", cb, err)
	}
	if cbs, _ := e.Callbacks(e.ctx, Supervisor.ID, nil, true); reasons(cbs) != "theirs" {
		t.Fatalf("left: %q, want theirs", reasons(cbs))
	}
}
