package sportello

import (
	"strings"
	"testing"
	"time"
)

var cbT0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// TestCallback_Attempt is the callback's state machine as a table: each
// row is the outcomes so far and the state (or error code) they give.
func TestCallback_Attempt(t *testing.T) {
	for _, tc := range []struct {
		name     string
		outcomes []AttemptOutcome
		want     CallbackState
		code     string // of the last attempt
	}{
		{"Answered", []AttemptOutcome{AttemptResolved}, CallbackDone, ""},
		{"NoAnswerStays", []AttemptOutcome{AttemptNoAnswer}, CallbackScheduled, ""},
		{"BusyStays", []AttemptOutcome{AttemptBusy, AttemptNoAnswer}, CallbackScheduled, ""},
		{"AnsweredAfterRetries", []AttemptOutcome{AttemptBusy, AttemptNoAnswer, AttemptResolved}, CallbackDone, ""},
		{"ThirdFailureFails", []AttemptOutcome{AttemptNoAnswer, AttemptBusy, AttemptNoAnswer}, CallbackFailed, ""},
		{"AfterDoneConflict", []AttemptOutcome{AttemptResolved, AttemptNoAnswer}, CallbackDone, ECONFLICT},
		{"AfterFailedConflict", []AttemptOutcome{AttemptNoAnswer, AttemptNoAnswer, AttemptNoAnswer, AttemptResolved}, CallbackFailed, ECONFLICT},
		{"UnknownOutcome", []AttemptOutcome{"later"}, CallbackScheduled, EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cb := &Callback{State: CallbackScheduled}
			var err error
			for i, o := range tc.outcomes {
				err = cb.Attempt(CallbackAttempt{Outcome: o, At: cbT0.Add(time.Duration(i) * time.Minute)})
				if i < len(tc.outcomes)-1 && err != nil {
					t.Fatalf("attempt %d: %v", i, err)
				}
			}
			if ErrorCode(err) != tc.code || cb.State != tc.want {
				t.Fatalf("state %s, error %v; want %s, code %q", cb.State, err, tc.want, tc.code)
			}
			if tc.code != "" && len(cb.Attempts) != len(tc.outcomes)-1 {
				t.Fatalf("a refused attempt was kept: %d attempts", len(cb.Attempts))
			}
		})
	}
}

func TestCallback_WindowAndOwner(t *testing.T) {
	for _, tc := range []struct {
		name     string
		from, to time.Time
		ok       bool
	}{
		{"TwoHours", cbT0, cbT0.Add(2 * time.Hour), true},
		{"Zero", time.Time{}, cbT0, false},
		{"Backwards", cbT0, cbT0.Add(-time.Minute), false},
		{"Empty", cbT0, cbT0, false},
		{"TooLong", cbT0, cbT0.Add(8 * 24 * time.Hour), false},
	} {
		if err := ValidateWindow(tc.from, tc.to); (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok %v", tc.name, err, tc.ok)
		}
	}
	cb := &Callback{State: CallbackScheduled, From: cbT0, To: cbT0.Add(time.Hour), Owner: "u-a"}
	if cb.Due(cbT0.Add(-time.Second)) || !cb.Due(cbT0) || cb.Overdue(cbT0.Add(time.Hour)) || !cb.Overdue(cbT0.Add(time.Hour+time.Second)) {
		t.Fatal("due from the window's start, overdue after its end")
	}
	if !cb.OwnedBy("u-a", nil) || cb.OwnedBy("u-b", []string{"d"}) {
		t.Fatal("a user's callback is theirs only")
	}
	cb.Owner = OwnerPool
	if !cb.OwnedBy("u-b", nil) {
		t.Fatal("the pool's callback is everyone's")
	}
	cb.Owner = OwnerDeskPrefix + "d"
	if !cb.OwnedBy("u-b", []string{"d"}) || cb.OwnedBy("u-c", []string{"e"}) {
		t.Fatal("a desk's callback is its members'")
	}
	cb.State = CallbackDone
	if cb.Due(cbT0.Add(time.Hour)) || cb.Overdue(cbT0.Add(2*time.Hour)) {
		t.Fatal("a done callback is not due")
	}
}

func TestSortCallbacksDue(t *testing.T) {
	cbs := []*Callback{
		{ID: "c", From: cbT0.Add(time.Hour), To: cbT0.Add(2 * time.Hour)},
		{ID: "b", From: cbT0, To: cbT0.Add(3 * time.Hour)},
		{ID: "a", From: cbT0, To: cbT0.Add(3 * time.Hour)},
		{ID: "d", From: cbT0, To: cbT0.Add(time.Hour)},
	}
	SortCallbacksDue(cbs) // no attempts: due at the window start
	var got string
	for _, cb := range cbs {
		got += cb.ID
	}
	if got != "dabc" {
		t.Fatalf("order %s, want dabc (window start, end, id)", got)
	}
}

func TestWrapUp_ValidateCallback(t *testing.T) {
	base := WrapUp{CallID: "c", CallerNumber: "+390212345678", Outcome: OutcomeCallbackScheduled, CallbackFrom: cbT0, CallbackTo: cbT0.Add(2 * time.Hour)}
	for _, tc := range []struct {
		name string
		edit func(w *WrapUp)
		msg  string
	}{
		{"Self", func(w *WrapUp) { w.CallbackOwner = OwnerSelf }, ""},
		{"Pool", func(w *WrapUp) { w.CallbackOwner = OwnerPool }, ""},
		{"DefaultOwner", func(w *WrapUp) {}, ""},
		{"OtherOwner", func(w *WrapUp) { w.CallbackOwner = "u-b" }, "yourself or for the pool"},
		{"NoWindow", func(w *WrapUp) { w.CallbackFrom, w.CallbackTo = time.Time{}, time.Time{} }, "time window"},
		{"NoNumber", func(w *WrapUp) { w.CallerNumber, w.CitizenID = "", "c-1" }, "number to call"},
		{"WindowOnOtherOutcome", func(w *WrapUp) { w.Outcome = OutcomeTransferred }, "only a scheduled callback"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := base
			tc.edit(&w)
			err := w.Validate()
			if (tc.msg == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.msg)) {
				t.Fatalf("%v, want %q", err, tc.msg)
			}
		})
	}
}

// TestCase_ApplyCallbackEvents: callback events are history, and a
// callback cannot be scheduled on a resolved case.
func TestCase_ApplyCallbackEvents(t *testing.T) {
	c := &Case{ID: "k"}
	for _, e := range []*CaseEvent{
		{CaseID: "k", Kind: EventOpened},
		{CaseID: "k", Kind: EventCallbackScheduled},
		{CaseID: "k", Kind: EventCallbackAttempt, Outcome: Outcome(AttemptNoAnswer)},
	} {
		if err := c.Apply(e); err != nil || c.Status != StatusOpen {
			t.Fatalf("%s: %v, status %s", e.Kind, err, c.Status)
		}
	}
	if err := c.Apply(&CaseEvent{CaseID: "k", Kind: EventResolved}); err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(&CaseEvent{CaseID: "k", Kind: EventCallbackScheduled}); ErrorCode(err) != ECONFLICT {
		t.Fatalf("callback on a resolved case: %v, want ECONFLICT", err)
	}
	if err := c.Apply(&CaseEvent{CaseID: "k", Kind: EventCallbackAttempt}); err != nil || c.Status != StatusResolved {
		t.Fatalf("an attempt is history: %v, status %s", err, c.Status)
	}
}
