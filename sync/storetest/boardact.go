package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// testBoardAct: the board's callbacks (scheduled ones and those closed
// since a moment), its wrap-ups by hour, giving a callback to another
// owner and moving an agent between desks in one transaction.
func testBoardAct(t *testing.T, e *env) {
	cbWrapUp := func(note, owner string, from, to time.Duration) sportello.WrapUp {
		return sportello.WrapUp{CallID: "call-" + note, CallerNumber: "+390212345678", Outcome: sportello.OutcomeCallbackScheduled, Note: note,
			CallbackFrom: T0.Add(from), CallbackTo: T0.Add(to), CallbackOwner: owner}
	}
	// 09:00 UTC: two callbacks scheduled (two wrap-ups of hour 9).
	e.record(t, &Operator, cbWrapUp("later", sportello.OwnerPool, time.Hour, 3*time.Hour))
	e.record(t, &Operator, cbWrapUp("soon", sportello.OwnerSelf, 10*time.Minute, 20*time.Minute))
	byReason := func(since time.Time) map[string]*sportello.Callback {
		t.Helper()
		cbs, err := e.BoardCallbacks(e.ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]*sportello.Callback{}
		for _, cb := range cbs {
			out[cb.Reason] = cb
		}
		return out
	}
	soon := byReason(T0)["soon"]
	if soon == nil || soon.CitizenName != "Maria Rossi" || soon.Number != "+390212345678" || !soon.To.Equal(T0.Add(20*time.Minute)) {
		t.Fatalf("soon %+v", soon)
	}
	// 09:15: soon is done, inside its window.
	e.clock.Set(T0.Add(15 * time.Minute))
	if _, err := e.RecordCallbackAttempt(e.ctx, &Operator, soon.ID, sportello.CallbackAttempt{Outcome: sportello.AttemptResolved}, nil); err != nil {
		t.Fatal(err)
	}
	got := byReason(T0.Add(time.Minute))
	if len(got) != 2 || got["soon"].State != sportello.CallbackDone || len(got["soon"].Attempts) != 1 ||
		!got["soon"].Attempts[0].At.Equal(T0.Add(15*time.Minute)) || got["later"].State != sportello.CallbackScheduled {
		t.Fatalf("board callbacks since 09:01: %+v, want later scheduled and soon done at 09:15", got)
	}
	if got := byReason(T0.Add(20 * time.Minute)); len(got) != 1 || got["later"] == nil {
		t.Fatalf("board callbacks since 09:20: %+v, want later only (soon closed before)", got)
	}

	t.Run("ReassignCallback", func(t *testing.T) {
		later := byReason(T0)["later"]
		e.clock.Set(T0.Add(30 * time.Minute))
		cb, err := e.ReassignCallback(e.ctx, later.ID, Operator2.ID)
		if err != nil || cb.Owner != Operator2.ID || !cb.UpdatedAt.Equal(T0.Add(30*time.Minute)) {
			t.Fatalf("reassign: %+v, %v", cb, err)
		}
		mine, err := e.Callbacks(e.ctx, Operator2.ID, nil, false)
		if err != nil || reasons(mine) != "later" || mine[0].Owner != Operator2.ID {
			t.Fatalf("Marco's callbacks %q, %v; want later, his own", reasons(mine), err)
		}
		for _, owner := range []string{"desk:desk-tributi", sportello.OwnerPool} {
			if cb, err := e.ReassignCallback(e.ctx, later.ID, owner); err != nil || cb.Owner != owner {
				t.Fatalf("reassign to %s: %+v, %v", owner, cb, err)
			}
		}
		for _, c := range []struct{ id, owner, code string }{
			{later.ID, "u-nobody", sportello.ENOTFOUND},
			{later.ID, "desk:desk-nowhere", sportello.ENOTFOUND},
			{later.ID, "desk:", sportello.EINVALID},
			{later.ID, "", sportello.EINVALID},
			{soon.ID, sportello.OwnerPool, sportello.ECONFLICT}, // done
			{"01950000-0000-7000-8000-00000000ffff", sportello.OwnerPool, sportello.ENOTFOUND},
		} {
			_, err := e.ReassignCallback(e.ctx, c.id, c.owner)
			wantCode(t, err, c.code)
		}
		if cb := byReason(T0)["later"]; cb.Owner != sportello.OwnerPool {
			t.Fatalf("after refused reassignments the owner is %q, want pool", cb.Owner)
		}
	})

	t.Run("WrapUpHours", func(t *testing.T) {
		at := func(d time.Duration, o sportello.Outcome) {
			e.clock.Set(T0.Add(d))
			e.record(t, &Operator2, sportello.WrapUp{CallID: "h-" + d.String(), CallerNumber: "+390287654321", Outcome: o})
		}
		at(5*time.Minute, sportello.OutcomeResolvedFirstContact)
		at(10*time.Minute, sportello.OutcomeMissed)
		at(70*time.Minute, sportello.OutcomeTransferred)
		at(75*time.Minute, sportello.OutcomeResolvedFirstContact)
		// Hour 9: the two callbacks, the resolved call and the missed
		// one (not handled): 3 handled, 1 resolved; hour 10: 2 and 1.
		h9, h10 := T0.Unix(), T0.Add(time.Hour).Unix()
		hours, err := e.WrapUpHours(e.ctx, T0.Add(-time.Hour))
		if want := []wire.WrapUpHour{{Hour: h9, Handled: 3, Resolved: 1}, {Hour: h10, Handled: 2, Resolved: 1}}; err != nil || !slices.Equal(hours, want) {
			t.Fatalf("hours %+v, %v; want %+v", hours, err, want)
		}
		// From 09:06 hour 9 holds only the missed call: left out.
		hours, err = e.WrapUpHours(e.ctx, T0.Add(6*time.Minute))
		if want := []wire.WrapUpHour{{Hour: h10, Handled: 2, Resolved: 1}}; err != nil || !slices.Equal(hours, want) {
			t.Fatalf("hours since 09:06 %+v, %v; want %+v", hours, err, want)
		}
	})

	t.Run("MoveDeskMember", func(t *testing.T) {
		desks := func() []string {
			t.Helper()
			d, err := e.UserDesks(e.ctx, Operator.ID)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		if err := e.MoveDeskMember(e.ctx, Operator.ID, "", "desk-tributi"); err != nil || !slices.Equal(desks(), []string{"desk-tributi"}) {
			t.Fatalf("join: %v, desks %v", err, desks())
		}
		if err := e.MoveDeskMember(e.ctx, Operator.ID, "desk-tributi", "desk-anagrafe"); err != nil || !slices.Equal(desks(), []string{"desk-anagrafe"}) {
			t.Fatalf("move: %v, desks %v", err, desks())
		}
		// Leaving a desk and joining one that does not exist: nothing changes.
		wantCode(t, e.MoveDeskMember(e.ctx, Operator.ID, "desk-anagrafe", "desk-nowhere"), sportello.ENOTFOUND)
		wantCode(t, e.MoveDeskMember(e.ctx, Operator.ID, "desk-tributi", "desk-anagrafe"), sportello.ECONFLICT)
		wantCode(t, e.MoveDeskMember(e.ctx, "u-nobody", "", "desk-anagrafe"), sportello.ENOTFOUND)
		if !slices.Equal(desks(), []string{"desk-anagrafe"}) {
			t.Fatalf("desks %v after refused moves, want Anagrafe", desks())
		}
		if err := e.MoveDeskMember(e.ctx, Operator.ID, "desk-anagrafe", ""); err != nil || len(desks()) != 0 {
			t.Fatalf("leave: %v, desks %v", err, desks())
		}
	})
}
