package sportello_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

var at = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func ev(kind sportello.EventKind, mods ...func(*sportello.CaseEvent)) *sportello.CaseEvent {
	e := &sportello.CaseEvent{ID: string(kind), CaseID: "c1", Kind: kind, At: at, Author: "Luca Esposito"}
	for _, m := range mods {
		m(e)
	}
	return e
}

func outcome(o sportello.Outcome) func(*sportello.CaseEvent) {
	return func(e *sportello.CaseEvent) { e.Outcome = o }
}
func desk(d string) func(*sportello.CaseEvent) { return func(e *sportello.CaseEvent) { e.DeskID = d } }

func TestCase_Apply(t *testing.T) {
	opened := ev(sportello.EventOpened)
	for _, tc := range []struct {
		name   string
		events []*sportello.CaseEvent
		status sportello.CaseStatus
		code   string // of the last event's error
	}{
		{"ResolvedFirstContact", []*sportello.CaseEvent{opened, ev(sportello.EventCall), ev(sportello.EventWrapUp, outcome(sportello.OutcomeResolvedFirstContact))}, sportello.StatusResolved, ""},
		{"Escalate", []*sportello.CaseEvent{opened, ev(sportello.EventEscalated, desk("anagrafe"))}, sportello.StatusEscalated, ""},
		{"EscalateNeedsDesk", []*sportello.CaseEvent{opened, ev(sportello.EventEscalated)}, sportello.StatusOpen, sportello.EINVALID},
		{"Claim", []*sportello.CaseEvent{opened, ev(sportello.EventEscalated, desk("d")), ev(sportello.EventClaimed)}, sportello.StatusClaimed, ""},
		{"ErrClaimed", []*sportello.CaseEvent{opened, ev(sportello.EventEscalated, desk("d")), ev(sportello.EventClaimed), ev(sportello.EventClaimed)}, sportello.StatusClaimed, sportello.ECONFLICT},
		{"ClaimNotEscalated", []*sportello.CaseEvent{opened, ev(sportello.EventClaimed)}, sportello.StatusOpen, sportello.ECONFLICT},
		{"MustStartOpened", []*sportello.CaseEvent{ev(sportello.EventNote)}, "", sportello.EINVALID},
		{"OpenedTwice", []*sportello.CaseEvent{opened, ev(sportello.EventOpened)}, sportello.StatusOpen, sportello.ECONFLICT},
		{"WrapUpOnResolved", []*sportello.CaseEvent{opened, ev(sportello.EventResolved), ev(sportello.EventWrapUp, outcome(sportello.OutcomeTransferred))}, sportello.StatusResolved, sportello.ECONFLICT},
		{"Reopen", []*sportello.CaseEvent{opened, ev(sportello.EventResolved), ev(sportello.EventReopened)}, sportello.StatusOpen, ""},
		{"ReopenOpen", []*sportello.CaseEvent{opened, ev(sportello.EventReopened)}, sportello.StatusOpen, sportello.ECONFLICT},
		{"UnknownOutcome", []*sportello.CaseEvent{opened, ev(sportello.EventWrapUp, outcome("maybe"))}, sportello.StatusOpen, sportello.EINVALID},
		{"UnknownKind", []*sportello.CaseEvent{opened, ev("teleport")}, sportello.StatusOpen, sportello.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &sportello.Case{ID: "c1"}
			var err error
			for i, e := range tc.events {
				err = c.Apply(e)
				if err != nil && i != len(tc.events)-1 {
					t.Fatalf("event %d (%s): %v", i, e.Kind, err)
				}
			}
			if got := sportello.ErrorCode(err); got != tc.code {
				t.Fatalf("error code = %q (%v), want %q", got, err, tc.code)
			}
			if c.Status != tc.status {
				t.Fatalf("status = %q, want %q", c.Status, tc.status)
			}
			want := len(tc.events)
			if tc.code != "" {
				want--
			}
			if len(c.Events) != want {
				t.Fatalf("history has %d events, want %d: a rejected event must leave the case as it was", len(c.Events), want)
			}
		})
	}
}

func TestCase_ClaimConflictNamesHolder(t *testing.T) {
	c, err := sportello.Replay("c1", "cit", []*sportello.CaseEvent{ev(sportello.EventOpened), ev(sportello.EventEscalated, desk("d")), ev(sportello.EventClaimed)})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Apply(ev(sportello.EventClaimed, func(e *sportello.CaseEvent) { e.Author = "Marco Ferri" }))
	var se *sportello.Error
	if !errors.As(err, &se) || se.Code != sportello.ECONFLICT || se.Message != "the case is already taken by Luca Esposito" {
		t.Fatalf("second claim: %v", err)
	}
}

func TestWrapUp_Validate(t *testing.T) {
	ok := sportello.WrapUp{CallerNumber: "+390212345678", Outcome: sportello.OutcomeResolvedFirstContact}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, w := range map[string]sportello.WrapUp{
		"NoOutcome": {CallerNumber: "+39021"},
		"NoCaller":  {Outcome: sportello.OutcomeTransferred},
		"LongNote":  {CallerNumber: "+39021", Outcome: sportello.OutcomeTransferred, Note: string(make([]byte, sportello.MaxNoteLen+1))},
	} {
		if err := w.Validate(); sportello.ErrorCode(err) != sportello.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

// FuzzCase_Apply checks that no sequence of events panics the state machine
// and that a rejected event never changes the case.
func FuzzCase_Apply(f *testing.F) {
	f.Add([]byte{0, 1, 3, 4})
	f.Add([]byte{0, 4, 5, 5, 6, 7})
	kinds := []sportello.EventKind{sportello.EventOpened, sportello.EventCall, sportello.EventNote, sportello.EventWrapUp,
		sportello.EventEscalated, sportello.EventClaimed, sportello.EventResolved, sportello.EventReopened}
	f.Fuzz(func(t *testing.T, seq []byte) {
		c := &sportello.Case{ID: "c1"}
		for _, b := range seq {
			e := ev(kinds[int(b)%len(kinds)], desk("d"), outcome(sportello.Outcomes[int(b/8)%len(sportello.Outcomes)]))
			before, n := c.Status, len(c.Events)
			if err := c.Apply(e); err != nil && (c.Status != before || len(c.Events) != n) {
				t.Fatalf("rejected %s changed the case", e.Kind)
			}
		}
	})
}
