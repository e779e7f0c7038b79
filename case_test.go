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

// by makes another user the author of an event.
func by(id, name string, role sportello.Role) func(*sportello.CaseEvent) {
	return func(e *sportello.CaseEvent) { e.AuthorID, e.Author, e.AuthorRole = id, name, role }
}

// to names the specialist an assigned event gives the case to.
func to(id, name string) func(*sportello.CaseEvent) {
	return func(e *sportello.CaseEvent) { e.AssigneeID, e.Assignee = id, name }
}

var (
	luca      = by("u-luca", "Luca Esposito", sportello.RoleSpecialist)
	marco     = by("u-marco", "Marco Ferri", sportello.RoleSpecialist)
	giulia    = by("u-giulia", "Giulia Bianchi", sportello.RoleOperator)
	francesca = by("u-fra", "Francesca Romano", sportello.RoleSupervisor)
)

// TestCase_DeskWork is every transition of a desk's work, legal and
// illegal: escalate, claim, release, answer ready, resolve, reassign.
func TestCase_DeskWork(t *testing.T) {
	opened := ev(sportello.EventOpened, giulia)
	escalated := ev(sportello.EventEscalated, desk("tributi"), giulia)
	wrapEscalated := ev(sportello.EventWrapUp, outcome(sportello.OutcomeEscalated), desk("tributi"), giulia)
	claimed := ev(sportello.EventClaimed, luca)
	type E = []*sportello.CaseEvent
	for _, tc := range []struct {
		name   string
		events E
		status sportello.CaseStatus
		holder string
		desk   string
		code   string // of the last event's error
	}{
		{"WrapUpEscalates", E{opened, wrapEscalated}, sportello.StatusEscalated, "", "tributi", ""},
		{"WrapUpEscalateNeedsDesk", E{opened, ev(sportello.EventWrapUp, outcome(sportello.OutcomeEscalated))}, sportello.StatusOpen, "", "", sportello.EINVALID},
		{"Claim", E{opened, wrapEscalated, claimed}, sportello.StatusClaimed, "Luca Esposito", "tributi", ""},
		{"ErrClaimed", E{opened, escalated, claimed, ev(sportello.EventClaimed, marco)}, sportello.StatusClaimed, "Luca Esposito", "tributi", sportello.ECONFLICT},
		{"ErrClaimedAnswerReady", E{opened, escalated, claimed, ev(sportello.EventAnswerReady, luca), ev(sportello.EventClaimed, marco)}, sportello.StatusAnswerReady, "Luca Esposito", "tributi", sportello.ECONFLICT},
		{"ClaimOpen", E{opened, ev(sportello.EventClaimed, luca)}, sportello.StatusOpen, "", "", sportello.ECONFLICT},
		{"ClaimResolved", E{opened, escalated, ev(sportello.EventResolved, giulia), ev(sportello.EventClaimed, luca)}, sportello.StatusResolved, "", "tributi", sportello.ECONFLICT},
		{"ReleaseByHolder", E{opened, escalated, claimed, ev(sportello.EventReleased, luca)}, sportello.StatusEscalated, "", "tributi", ""},
		{"ReleaseBySupervisor", E{opened, escalated, claimed, ev(sportello.EventReleased, francesca)}, sportello.StatusEscalated, "", "tributi", ""},
		{"ReleaseByColleague", E{opened, escalated, claimed, ev(sportello.EventReleased, marco)}, sportello.StatusClaimed, "Luca Esposito", "tributi", sportello.ECONFLICT},
		{"ReleaseByOperator", E{opened, escalated, claimed, ev(sportello.EventReleased, giulia)}, sportello.StatusClaimed, "Luca Esposito", "tributi", sportello.ECONFLICT},
		{"ReleaseUnclaimed", E{opened, escalated, ev(sportello.EventReleased, luca)}, sportello.StatusEscalated, "", "tributi", sportello.ECONFLICT},
		{"ReleaseAnswerReady", E{opened, escalated, claimed, ev(sportello.EventAnswerReady, luca), ev(sportello.EventReleased, luca)}, sportello.StatusAnswerReady, "Luca Esposito", "tributi", sportello.ECONFLICT},
		{"ClaimAfterRelease", E{opened, escalated, claimed, ev(sportello.EventReleased, luca), ev(sportello.EventClaimed, marco)}, sportello.StatusClaimed, "Marco Ferri", "tributi", ""},
		{"AnswerReady", E{opened, escalated, claimed, ev(sportello.EventAnswerReady, luca)}, sportello.StatusAnswerReady, "Luca Esposito", "tributi", ""},
		{"AnswerReadyByColleague", E{opened, escalated, claimed, ev(sportello.EventAnswerReady, marco)}, sportello.StatusClaimed, "Luca Esposito", "tributi", sportello.ECONFLICT},
		{"AnswerReadyBySupervisor", E{opened, escalated, claimed, ev(sportello.EventAnswerReady, francesca)}, sportello.StatusClaimed, "Luca Esposito", "tributi", sportello.ECONFLICT},
		{"AnswerReadyUnclaimed", E{opened, escalated, ev(sportello.EventAnswerReady, luca)}, sportello.StatusEscalated, "", "tributi", sportello.ECONFLICT},
		{"NoteKeepsHolder", E{opened, escalated, claimed, ev(sportello.EventNote, marco)}, sportello.StatusClaimed, "Luca Esposito", "tributi", ""},
		{"ResolveByHolder", E{opened, escalated, claimed, ev(sportello.EventResolved, luca)}, sportello.StatusResolved, "", "tributi", ""},
		{"ResolveByColleague", E{opened, escalated, claimed, ev(sportello.EventResolved, marco)}, sportello.StatusClaimed, "Luca Esposito", "tributi", sportello.ECONFLICT},
		{"ResolveAfterAnswerReady", E{opened, escalated, claimed, ev(sportello.EventAnswerReady, luca), ev(sportello.EventResolved, giulia)}, sportello.StatusResolved, "", "tributi", ""},
		{"TransferByHolder", E{opened, escalated, claimed, ev(sportello.EventEscalated, desk("multe"), luca)}, sportello.StatusEscalated, "", "multe", ""},
		{"ReassignBySupervisor", E{opened, escalated, claimed, ev(sportello.EventEscalated, desk("multe"), francesca)}, sportello.StatusEscalated, "", "multe", ""},
		{"TransferByColleague", E{opened, escalated, claimed, ev(sportello.EventEscalated, desk("multe"), marco)}, sportello.StatusClaimed, "Luca Esposito", "tributi", sportello.ECONFLICT},
		{"WrapUpEscalateClaimed", E{opened, escalated, claimed, ev(sportello.EventWrapUp, outcome(sportello.OutcomeEscalated), desk("multe"), giulia)}, sportello.StatusClaimed, "Luca Esposito", "tributi", sportello.ECONFLICT},
		{"TransferUnclaimedByOperator", E{opened, escalated, ev(sportello.EventEscalated, desk("multe"), giulia)}, sportello.StatusEscalated, "", "multe", ""},
		{"AppointmentKeepsHolder", E{opened, escalated, claimed, ev(sportello.EventAppointment, giulia)}, sportello.StatusClaimed, "Luca Esposito", "tributi", ""},
		{"AppointmentOnResolved", E{opened, escalated, ev(sportello.EventResolved, giulia), ev(sportello.EventAppointment, giulia)}, sportello.StatusResolved, "", "tributi", ""},
		{"AssignToSpecialist", E{opened, escalated, ev(sportello.EventAssigned, to("u-marco", "Marco Ferri"), francesca)}, sportello.StatusClaimed, "Marco Ferri", "tributi", ""},
		{"AssignAfterWrapUpEscalates", E{opened, wrapEscalated, ev(sportello.EventAssigned, to("u-marco", "Marco Ferri"), francesca)}, sportello.StatusClaimed, "Marco Ferri", "tributi", ""},
		{"AssignThenAnswerReadyByAssignee", E{opened, escalated, ev(sportello.EventAssigned, to("u-marco", "Marco Ferri"), francesca), ev(sportello.EventAnswerReady, marco)}, sportello.StatusAnswerReady, "Marco Ferri", "tributi", ""},
		{"AssignThenClaimByOther", E{opened, escalated, ev(sportello.EventAssigned, to("u-marco", "Marco Ferri"), francesca), claimed}, sportello.StatusClaimed, "Marco Ferri", "tributi", sportello.ECONFLICT},
		{"AssignClaimed", E{opened, escalated, claimed, ev(sportello.EventAssigned, to("u-marco", "Marco Ferri"), francesca)}, sportello.StatusClaimed, "Luca Esposito", "tributi", sportello.ECONFLICT},
		{"AssignAfterRelease", E{opened, escalated, claimed, ev(sportello.EventReleased, francesca), ev(sportello.EventAssigned, to("u-marco", "Marco Ferri"), francesca)}, sportello.StatusClaimed, "Marco Ferri", "tributi", ""},
		{"AssignOpen", E{opened, ev(sportello.EventAssigned, to("u-marco", "Marco Ferri"), francesca)}, sportello.StatusOpen, "", "", sportello.ECONFLICT},
		{"AssignResolved", E{opened, escalated, ev(sportello.EventResolved, giulia), ev(sportello.EventAssigned, to("u-marco", "Marco Ferri"), francesca)}, sportello.StatusResolved, "", "tributi", sportello.ECONFLICT},
		{"AssignNeedsSpecialist", E{opened, escalated, ev(sportello.EventAssigned, francesca)}, sportello.StatusEscalated, "", "tributi", sportello.EINVALID},
		{"ReopenThenEscalate", E{opened, escalated, claimed, ev(sportello.EventResolved, luca), ev(sportello.EventReopened, giulia), ev(sportello.EventEscalated, desk("multe"), giulia)}, sportello.StatusEscalated, "", "multe", ""},
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
			if c.Status != tc.status || c.ClaimedBy != tc.holder || c.DeskID != tc.desk {
				t.Fatalf("status, holder, desk = %q, %q, %q; want %q, %q, %q", c.Status, c.ClaimedBy, c.DeskID, tc.status, tc.holder, tc.desk)
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

func TestCase_EscalatedAt(t *testing.T) {
	e1 := ev(sportello.EventEscalated, desk("tributi"), giulia)
	e1.At = at.Add(time.Hour)
	rel := ev(sportello.EventReleased, luca)
	rel.At = at.Add(2 * time.Hour)
	c, err := sportello.Replay("c1", "", []*sportello.CaseEvent{ev(sportello.EventOpened), e1, ev(sportello.EventClaimed, luca), rel})
	if err != nil {
		t.Fatal(err)
	}
	if !c.EscalatedAt.Equal(e1.At) || !c.Status.AtDesk() {
		t.Fatalf("escalated at %v (status %s), want %v: a release keeps the case's place in the queue", c.EscalatedAt, c.Status, e1.At)
	}
}

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
		{"MissedCallKeepsOpen", []*sportello.CaseEvent{opened, ev(sportello.EventCall), ev(sportello.EventWrapUp, outcome(sportello.OutcomeMissed))}, sportello.StatusOpen, ""},
		{"MissedCallKeepsEscalated", []*sportello.CaseEvent{opened, ev(sportello.EventEscalated, desk("d")), ev(sportello.EventWrapUp, outcome(sportello.OutcomeMissed))}, sportello.StatusEscalated, ""},
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
	for _, ok := range []sportello.WrapUp{
		{CallerNumber: "+390212345678", Outcome: sportello.OutcomeResolvedFirstContact},
		{CallerNumber: "+390212345678", Outcome: sportello.OutcomeEscalated, DeskID: "tributi", Note: "Hand-off"},
		{CallerNumber: "+390212345678", Outcome: sportello.OutcomeMissed},
	} {
		if err := ok.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	for name, w := range map[string]sportello.WrapUp{
		"NoOutcome":        {CallerNumber: "+39021"},
		"NoCaller":         {Outcome: sportello.OutcomeTransferred},
		"LongNote":         {CallerNumber: "+39021", Outcome: sportello.OutcomeTransferred, Note: string(make([]byte, sportello.MaxNoteLen+1))},
		"NoDesk":           {CallerNumber: "+39021", Outcome: sportello.OutcomeEscalated},
		"DeskNotEscalated": {CallerNumber: "+39021", Outcome: sportello.OutcomeTransferred, DeskID: "tributi"},
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
	f.Add([]byte{0, 4, 5, 6, 5, 15, 7})
	kinds := []sportello.EventKind{sportello.EventOpened, sportello.EventCall, sportello.EventNote, sportello.EventWrapUp,
		sportello.EventEscalated, sportello.EventClaimed, sportello.EventResolved, sportello.EventReopened,
		sportello.EventReleased, sportello.EventAnswerReady}
	authors := []func(*sportello.CaseEvent){luca, marco, giulia, francesca}
	f.Fuzz(func(t *testing.T, seq []byte) {
		c := &sportello.Case{ID: "c1"}
		for _, b := range seq {
			e := ev(kinds[int(b)%len(kinds)], desk("d"), outcome(sportello.Outcomes[int(b/8)%len(sportello.Outcomes)]), authors[int(b/40)%len(authors)])
			before, n := c.Status, len(c.Events)
			if err := c.Apply(e); err != nil && (c.Status != before || len(c.Events) != n) {
				t.Fatalf("rejected %s changed the case", e.Kind)
			}
		}
	})
}

// TestOutcome_MissedNotInForm: a missed call is recorded by the desktop,
// never chosen in the wrap-up form.
func TestOutcome_MissedNotInForm(t *testing.T) {
	if !sportello.OutcomeMissed.Valid() {
		t.Fatal("OutcomeMissed is not valid")
	}
	for _, o := range sportello.Outcomes {
		if o == sportello.OutcomeMissed {
			t.Fatal("the wrap-up form offers the missed outcome")
		}
	}
}
