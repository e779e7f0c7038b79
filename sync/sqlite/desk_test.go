package sqlite_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/sqlite"
)

// deskCity has two desks, a specialist of each, a supervisor and two
// cases waiting at the Tributi desk (the older one first in its queue).
var (
	luca   = &sportello.User{ID: "u-luca", Username: "specialista", Name: "Luca Esposito", Role: sportello.RoleSpecialist}
	marco  = &sportello.User{ID: "u-marco", Username: "specialista2", Name: "Marco Ferri", Role: sportello.RoleSpecialist}
	anna   = &sportello.User{ID: "u-anna", Username: "specialista3", Name: "Anna Neri", Role: sportello.RoleSpecialist}
	franca = &sportello.User{ID: "u-fra", Username: "supervisore", Name: "Francesca Romano", Role: sportello.RoleSupervisor}
)

func deskCity() *demo.Data {
	d := *fixture
	d.Desks = []sportello.Desk{{ID: "desk-tributi", Name: "Tributi"}, {ID: "desk-multe", Name: "Multe"}}
	waiting := func(id string, at time.Time) *sportello.Case {
		return &sportello.Case{ID: id, CitizenID: "c-rossi", Events: []*sportello.CaseEvent{
			{ID: id + "-1", CaseID: id, Kind: sportello.EventOpened, At: at, Category: "TARI", Note: "Rimborso " + id},
			{ID: id + "-2", CaseID: id, Kind: sportello.EventEscalated, At: at, DeskID: "desk-tributi", AuthorID: operator.ID, Author: operator.Name},
		}}
	}
	d.Cases = []*sportello.Case{waiting("k-new", t0.Add(-time.Hour)), waiting("k-old", t0.Add(-48*time.Hour))}
	return &d
}

func openDeskCity(t *testing.T) *sqlite.DB {
	t.Helper()
	db := mustOpen(t, deskCity())
	ctx := context.Background()
	for _, u := range []struct {
		u     *sportello.User
		desks []string
	}{{luca, []string{"Tributi"}}, {marco, []string{"desk-tributi"}}, {anna, []string{"Multe"}}, {franca, nil}} {
		if err := db.CreateUserInDesks(ctx, u.u, "password-lunga", u.desks); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestDB_Desks(t *testing.T) {
	db := openDeskCity(t)
	desks, err := db.Desks(context.Background(), luca.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(desks) != 2 || desks[0].Name != "Multe" || desks[0].Member || desks[1].Name != "Tributi" || !desks[1].Member {
		t.Fatalf("desks of Luca = %+v, want Multe, Tributi (member)", desks)
	}
}

func TestDB_Queue(t *testing.T) {
	db := openDeskCity(t)
	ctx := context.Background()
	ids := func(cases []*sportello.Case) (out []string) {
		for _, c := range cases {
			out = append(out, c.ID)
		}
		return out
	}
	q, err := db.Queue(ctx, luca.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(q); len(got) != 2 || got[0] != "k-old" || got[1] != "k-new" {
		t.Fatalf("Luca's queue = %v, want the oldest escalation first", got)
	}
	if q[0].CitizenName != "Maria Rossi" || len(q[0].Events) != 2 || q[0].Status != sportello.StatusEscalated {
		t.Fatalf("queue entry = %+v", q[0])
	}
	if q, _ := db.Queue(ctx, anna.ID, false); len(q) != 0 {
		t.Fatalf("Anna (Multe) sees %v", ids(q))
	}
	if q, _ := db.Queue(ctx, franca.ID, true); len(q) != 2 {
		t.Fatalf("the supervisor sees %v, want every desk's cases", ids(q))
	}

	// An operator's escalation at wrap-up joins the queue, newest last.
	k, err := db.RecordWrapUp(ctx, operator, sportello.WrapUp{CallID: "call-9", CallerNumber: "+390212345678",
		Outcome: sportello.OutcomeEscalated, DeskID: "desk-tributi", Note: "Hand-off: rimborso TARI 2024"})
	if err != nil {
		t.Fatal(err)
	}
	if k.Status != sportello.StatusEscalated || k.DeskID != "desk-tributi" || !k.EscalatedAt.Equal(t0) {
		t.Fatalf("escalated wrap-up = %+v", k)
	}
	q, _ = db.Queue(ctx, luca.ID, false)
	if got := ids(q); len(got) != 3 || got[2] != k.ID {
		t.Fatalf("queue after the escalation = %v", got)
	}
	changes, _ := db.ChangesSince(ctx, 0, 10)
	last := changes[len(changes)-1]
	if last.DeskID != "desk-tributi" || last.Event.DeskID != "desk-tributi" || last.Event.AuthorRole != sportello.RoleOperator {
		t.Fatalf("the escalation's change = %+v %+v", last, last.Event)
	}

	// Resolved cases leave the queue.
	if _, _, err := db.RecordCaseEvent(ctx, luca, "k-old", sportello.CaseEvent{Kind: sportello.EventResolved}, nil); err != nil {
		t.Fatal(err)
	}
	if q, _ := db.Queue(ctx, luca.ID, false); len(q) != 2 || q[0].ID != "k-new" {
		t.Fatalf("queue after resolving k-old = %v", ids(q))
	}
}

func TestDB_RecordWrapUp_EscalateToUnknownDesk(t *testing.T) {
	db := openDeskCity(t)
	_, err := db.RecordWrapUp(context.Background(), operator, sportello.WrapUp{CallID: "c", CallerNumber: "+390212345678",
		Outcome: sportello.OutcomeEscalated, DeskID: "desk-nowhere"})
	wantCode(t, err, sportello.ENOTFOUND)
	_, err = db.RecordWrapUp(context.Background(), operator, sportello.WrapUp{CallID: "c", CallerNumber: "+390212345678",
		Outcome: sportello.OutcomeEscalated})
	wantCode(t, err, sportello.EINVALID)
	if head, _ := db.Head(context.Background()); head != 0 {
		t.Fatalf("a refused escalation wrote %d changes", head)
	}
}

func TestDB_RecordCaseEvent(t *testing.T) {
	ctx := context.Background()
	act := func(t *testing.T, db *sqlite.DB, u *sportello.User, kind sportello.EventKind, mods ...func(*sportello.CaseEvent)) (*sportello.Case, error) {
		t.Helper()
		e := sportello.CaseEvent{Kind: kind}
		for _, m := range mods {
			m(&e)
		}
		c, _, err := db.RecordCaseEvent(ctx, u, "k-old", e, nil)
		return c, err
	}
	note := func(s string) func(*sportello.CaseEvent) { return func(e *sportello.CaseEvent) { e.Note = s } }
	toDesk := func(d string) func(*sportello.CaseEvent) { return func(e *sportello.CaseEvent) { e.DeskID = d } }

	t.Run("ClaimAnswerReadyResolve", func(t *testing.T) {
		db := openDeskCity(t)
		c, err := act(t, db, luca, sportello.EventClaimed)
		if err != nil || c.Status != sportello.StatusClaimed || c.ClaimedBy != "Luca Esposito" || c.CitizenName != "Maria Rossi" {
			t.Fatalf("claim: %+v, %v", c, err)
		}
		if c, err = act(t, db, luca, sportello.EventAnswerReady, note("Rimborso disposto")); err != nil || c.Status != sportello.StatusAnswerReady {
			t.Fatalf("answer ready: %+v, %v", c, err)
		}
		stored, _ := db.Case(ctx, "k-old")
		last := stored.Events[len(stored.Events)-1]
		if last.Kind != sportello.EventAnswerReady || last.AuthorID != luca.ID || last.AuthorRole != sportello.RoleSpecialist || !last.At.Equal(t0) || last.Note != "Rimborso disposto" {
			t.Fatalf("stored event = %+v", last)
		}
		changes, _ := db.ChangesSince(ctx, 0, 10)
		if len(changes) != 2 || changes[1].DeskID != "desk-tributi" || changes[1].Event.Kind != sportello.EventAnswerReady {
			t.Fatalf("changes = %+v", changes)
		}
	})
	t.Run("ErrClaimedNamesHolder", func(t *testing.T) {
		db := openDeskCity(t)
		if _, err := act(t, db, luca, sportello.EventClaimed); err != nil {
			t.Fatal(err)
		}
		head, _ := db.Head(ctx)
		_, err := act(t, db, marco, sportello.EventClaimed)
		wantCode(t, err, sportello.ECONFLICT)
		if sportello.ErrorMessage(err) != "the case is already taken by Luca Esposito" {
			t.Fatalf("second claim: %v", err)
		}
		if h, _ := db.Head(ctx); h != head {
			t.Fatal("a refused claim wrote a change")
		}
	})
	t.Run("ReleaseBySupervisor", func(t *testing.T) {
		db := openDeskCity(t)
		act(t, db, luca, sportello.EventClaimed)
		_, err := act(t, db, marco, sportello.EventReleased)
		wantCode(t, err, sportello.ECONFLICT)
		c, err := act(t, db, franca, sportello.EventReleased, note("Luca è in ferie"))
		if err != nil || c.Status != sportello.StatusEscalated || c.ClaimedBy != "" {
			t.Fatalf("release by the supervisor: %+v, %v", c, err)
		}
		// The stored history replays the same way: the role was kept.
		if stored, err := db.Case(ctx, "k-old"); err != nil || stored.Status != sportello.StatusEscalated {
			t.Fatalf("replayed: %+v, %v", stored, err)
		}
	})
	t.Run("TransferToAnotherDesk", func(t *testing.T) {
		db := openDeskCity(t)
		c, err := act(t, db, luca, sportello.EventEscalated, toDesk("desk-multe"), note("È una multa, non un tributo"))
		if err != nil || c.DeskID != "desk-multe" || c.Status != sportello.StatusEscalated {
			t.Fatalf("transfer: %+v, %v", c, err)
		}
		if q, _ := db.Queue(ctx, anna.ID, false); len(q) != 1 || q[0].ID != "k-old" {
			t.Fatalf("Multe's queue = %+v", q)
		}
		_, err = act(t, db, luca, sportello.EventEscalated, toDesk("desk-nowhere"))
		wantCode(t, err, sportello.ENOTFOUND)
	})
	t.Run("Invalid", func(t *testing.T) {
		db := openDeskCity(t)
		for name, e := range map[string]sportello.CaseEvent{
			"Opened":         {Kind: sportello.EventOpened},
			"WrapUp":         {Kind: sportello.EventWrapUp, Outcome: sportello.OutcomeTransferred},
			"Unknown":        {Kind: "teleport"},
			"EmptyNote":      {Kind: sportello.EventNote, Note: "  "},
			"EscalateNoDesk": {Kind: sportello.EventEscalated},
			"DeskOnClaim":    {Kind: sportello.EventClaimed, DeskID: "desk-multe"},
			"ControlChar":    {Kind: sportello.EventNote, Note: "a\x00b"},
			"BadOpID":        {ID: "not-a-uuid", Kind: sportello.EventClaimed},
			"LongNote":       {Kind: sportello.EventNote, Note: string(make([]byte, sportello.MaxNoteLen+1))},
		} {
			if _, _, err := db.RecordCaseEvent(ctx, luca, "k-old", e, nil); sportello.ErrorCode(err) != sportello.EINVALID {
				t.Errorf("%s: %v, want EINVALID", name, err)
			}
		}
		_, _, err := db.RecordCaseEvent(ctx, luca, "k-missing", sportello.CaseEvent{Kind: sportello.EventClaimed}, nil)
		wantCode(t, err, sportello.ENOTFOUND)
		if h, _ := db.Head(ctx); h != 0 {
			t.Fatalf("refused actions wrote %d changes", h)
		}
	})
	t.Run("AllowRefuses", func(t *testing.T) {
		db := openDeskCity(t)
		var saw *sportello.Case
		_, _, err := db.RecordCaseEvent(ctx, anna, "k-old", sportello.CaseEvent{Kind: sportello.EventClaimed}, func(c *sportello.Case) error {
			saw = c
			return sportello.Errorf(sportello.EFORBIDDEN, "not your desk")
		})
		wantCode(t, err, sportello.EFORBIDDEN)
		if saw == nil || saw.DeskID != "desk-tributi" {
			t.Fatalf("allow saw %+v", saw)
		}
	})
	t.Run("Idempotent", func(t *testing.T) {
		db := openDeskCity(t)
		const id = "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a99"
		first, replayed, err := db.RecordCaseEvent(ctx, luca, "k-old", sportello.CaseEvent{ID: id, Kind: sportello.EventClaimed}, nil)
		if err != nil || replayed {
			t.Fatal(err, replayed)
		}
		if first.Events[len(first.Events)-1].ID != id {
			t.Fatalf("the event's id is %s, want the client's", first.Events[len(first.Events)-1].ID)
		}
		act(t, db, luca, sportello.EventNote, note("dopo"))
		again, replayed, err := db.RecordCaseEvent(ctx, luca, "k-old", sportello.CaseEvent{ID: "01932C07-A6B4-7C3E-9F2A-5B1D0E4C7A99", Kind: sportello.EventClaimed}, nil)
		if err != nil || !replayed || len(again.Events) != len(first.Events) {
			t.Fatalf("repeat: %d events, replayed %v, %v", len(again.Events), replayed, err)
		}
		_, _, err = db.RecordCaseEvent(ctx, luca, "k-old", sportello.CaseEvent{ID: id, Kind: sportello.EventNote, Note: "altro"}, nil)
		wantCode(t, err, sportello.ECONFLICT)
		if h, _ := db.Head(ctx); h != 2 {
			t.Fatalf("head %d, want 2: a repeat writes nothing", h)
		}
	})
}

// TestDB_RecordCaseEvent_ConcurrentClaims: specialists claiming one case
// at the same moment: exactly one wins, every other is told who has it.
func TestDB_RecordCaseEvent_ConcurrentClaims(t *testing.T) {
	db := openDeskCity(t)
	ctx := context.Background()
	claimers := []*sportello.User{luca, marco}
	for i := range 6 {
		u := &sportello.User{ID: "u-extra-" + string(rune('a'+i)), Username: "extra" + string(rune('a'+i)), Name: "Extra " + string(rune('A'+i)), Role: sportello.RoleSpecialist}
		if err := db.CreateUserInDesks(ctx, u, "password-lunga", []string{"Tributi"}); err != nil {
			t.Fatal(err)
		}
		claimers = append(claimers, u)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(claimers))
	start := make(chan struct{})
	for i, u := range claimers {
		wg.Go(func() {
			<-start
			_, _, errs[i] = db.RecordCaseEvent(ctx, u, "k-old", sportello.CaseEvent{Kind: sportello.EventClaimed}, nil)
		})
	}
	close(start)
	wg.Wait()
	winner := ""
	for i, err := range errs {
		if err == nil {
			if winner != "" {
				t.Fatalf("%s and %s both claimed the case", winner, claimers[i].Name)
			}
			winner = claimers[i].Name
		}
	}
	if winner == "" {
		t.Fatal("nobody claimed the case")
	}
	for _, err := range errs {
		if err != nil && (sportello.ErrorCode(err) != sportello.ECONFLICT || sportello.ErrorMessage(err) != "the case is already taken by "+winner) {
			t.Fatalf("a losing claim got %v, want ECONFLICT naming %s", err, winner)
		}
	}
	if c, _ := db.Case(ctx, "k-old"); c.ClaimedBy != winner || len(c.Events) != 3 {
		t.Fatalf("stored case: holder %q with %d events", c.ClaimedBy, len(c.Events))
	}
}
