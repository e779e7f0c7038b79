package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// desks is a fake DeskService: the queue is what Queue returns, and act
// answers CaseAction (by default, the case after Case.Apply).
type desks struct {
	mu      sync.Mutex
	desks   []sportello.Desk
	queue   []*sportello.Case
	reads   int
	actions []action
	act     func(caseID string, e sportello.CaseEvent) (*sportello.Case, error)
}

type action struct {
	caseID string
	e      sportello.CaseEvent
}

var _ sportello.DeskService = (*desks)(nil)

func (d *desks) Desks(context.Context) ([]sportello.Desk, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.desks, nil
}

func (d *desks) Queue(context.Context) ([]*sportello.Case, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reads++
	out := make([]*sportello.Case, len(d.queue))
	for i, k := range d.queue {
		c := *k
		out[i] = &c
	}
	return out, nil
}

func (d *desks) CaseAction(_ context.Context, caseID string, e sportello.CaseEvent) (*sportello.Case, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.actions = append(d.actions, action{caseID, e})
	return d.act(caseID, e)
}

func (d *desks) got() []action {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]action(nil), d.actions...)
}

var (
	luca       = &sportello.User{ID: "u-luca", Name: "Luca Esposito", Role: sportello.RoleSpecialist}
	supervisor = &sportello.User{ID: "u-fra", Name: "Francesca Romano", Role: sportello.RoleSupervisor}
)

// waiting is a case of Maria Rossi escalated to Tributi at `at`.
func waiting(id, subject string, at time.Time) *sportello.Case {
	k, err := sportello.Replay(id, "cit-1", []*sportello.CaseEvent{
		{ID: id + "-1", CaseID: id, Kind: sportello.EventOpened, At: at, Category: "TARI", Note: subject},
		{ID: id + "-2", CaseID: id, Kind: sportello.EventWrapUp, At: at, Outcome: sportello.OutcomeEscalated, DeskID: "desk-tributi",
			Note: "Hand-off: " + subject, Author: "Giulia Bianchi", AuthorID: "u-giulia"},
	})
	if err != nil {
		panic(err)
	}
	k.CitizenName = "Maria Rossi"
	return k
}

// applying answers a CaseAction as syncd would, as author u.
func (d *desks) applying(u *sportello.User) func(string, sportello.CaseEvent) (*sportello.Case, error) {
	return func(caseID string, e sportello.CaseEvent) (*sportello.Case, error) {
		for i, k := range d.queue {
			if k.ID != caseID {
				continue
			}
			c := *k
			c.Events = append([]*sportello.CaseEvent(nil), k.Events...)
			e.ID, e.CaseID, e.At, e.AuthorID, e.Author, e.AuthorRole = "ev-"+string(e.Kind), caseID, t0.Add(time.Hour), u.ID, u.Name, u.Role
			if err := c.Apply(&e); err != nil {
				return nil, err
			}
			c.CitizenName = ""
			d.queue[i] = &c
			return &c, nil
		}
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no case has id %s", caseID)
	}
}

type deskRig struct {
	w     fyne.Window
	phone *phonetest.Phone
	cases *cases
	desks *desks
	feed  *syncFeed
}

func newDeskRig(t *testing.T, u *sportello.User, mods ...func(*desks)) *deskRig {
	t.Helper()
	r := &deskRig{phone: phonetest.New(), feed: &syncFeed{}, desks: &desks{
		desks: []sportello.Desk{{ID: "desk-anagrafe", Name: "Anagrafe"}, {ID: "desk-tributi", Name: "Tributi", Member: u.Role == sportello.RoleSpecialist}},
		queue: []*sportello.Case{waiting("k-old", "Rimborso TARI 2023", t0), waiting("k-new", "Avviso TARI errato", t0.Add(time.Hour))},
	}}
	r.desks.act = r.desks.applying(u)
	for _, m := range mods {
		m(r.desks)
	}
	r.cases = &cases{result: func(w sportello.WrapUp) *sportello.Case {
		k, _ := sportello.Replay("case-2", w.CitizenID, []*sportello.CaseEvent{
			{ID: "n1", CaseID: "case-2", Kind: sportello.EventOpened, At: t0, Category: "Informazioni"},
			{ID: "n2", CaseID: "case-2", Kind: sportello.EventWrapUp, At: t0, Outcome: w.Outcome, DeskID: w.DeskID, Note: w.Note},
		})
		return k
	}}
	r.phone.AnswerFn = func(string) error { return nil }
	r.phone.HangupFn = func(string) error { return nil }
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: r.phone, Citizens: &citizens{cards: map[string]*sportello.CallerCard{"+390212345678": maria()}},
		Cases: r.cases, Sync: r.feed, Desks: r.desks, User: u,
	})
	r.w = d.Window
	app.WithUI(r.w.Show) // the desks and the queue are being read already
	t.Cleanup(d.Close)
	return r
}

// waitFor polls cond until it holds or the test times out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOperator_EscalateToDesk: Alt+3 shows the desk choice and puts the
// focus on it; saving without a desk says so and keeps the note; the
// arrows choose a desk and the wrap-up carries it with the hand-off note.
func TestOperator_EscalateToDesk(t *testing.T) {
	r := newDeskRig(t, &sportello.User{ID: "u-giulia", Name: "Giulia Bianchi", Role: sportello.RoleOperator})
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallActive, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallEnded, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Call ended")
	if strings.Contains(apptest.Text(r.w), "Choose the desk (Left/Right arrows)") {
		t.Fatal("the desk choice shows before the escalation outcome is chosen")
	}

	apptest.Press(r.w, app.ShortcutOutcome(2))
	apptest.WaitText(t, r.w, wait, "Choose the desk (Left/Right arrows)")
	if _, ok := apptest.Focused(r.w).(*widget.Select); !ok {
		t.Fatalf("Alt+3 focuses %T, want the desk choice", apptest.Focused(r.w))
	}
	apptest.Press(r.w, app.ShortcutNote)
	apptest.WaitText(t, r.w, wait, "Hand-off note for the desk")
	apptest.TypeFocused(r.w, "Chiede il rimborso della TARI 2023")
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Choose the desk to escalate to.", "Chiede il rimborso della TARI 2023")
	r.cases.mu.Lock()
	if len(r.cases.got) != 0 {
		t.Fatalf("saved %+v without a desk", r.cases.got)
	}
	r.cases.mu.Unlock()

	// The focus is back on the desk choice: Right picks the first desk, again the next.
	apptest.Key(r.w, fyne.KeyRight)
	apptest.Key(r.w, fyne.KeyRight)
	apptest.WaitText(t, r.w, wait, "Tributi")
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on case", "Wrap-up: Escalated to a desk")
	r.cases.mu.Lock()
	defer r.cases.mu.Unlock()
	if len(r.cases.got) != 1 {
		t.Fatalf("recorded %d wrap-ups, want 1", len(r.cases.got))
	}
	if w := r.cases.got[0]; w.Outcome != sportello.OutcomeEscalated || w.DeskID != "desk-tributi" || w.Note != "Chiede il rimborso della TARI 2023" {
		t.Fatalf("wrap-up = %+v", w)
	}
}

func TestOperator_NoDeskQueue(t *testing.T) {
	r := newDeskRig(t, &sportello.User{ID: "u-giulia", Name: "Giulia Bianchi", Role: sportello.RoleOperator})
	apptest.WaitText(t, r.w, wait, "Giulia Bianchi (operator)")
	time.Sleep(50 * time.Millisecond)
	if strings.Contains(apptest.Text(r.w), "Desk queue") {
		t.Fatal("an operator sees the desk queue")
	}
	apptest.Press(r.w, app.ShortcutClaim)
	if got := r.desks.got(); len(got) != 0 {
		t.Fatalf("an operator's shortcut acted on a case: %+v", got)
	}
}

// TestSpecialist_Queue: the desk queue, oldest escalation first, worked
// by keyboard: claim, note, answer ready; the buttons show their keys.
func TestSpecialist_Queue(t *testing.T) {
	r := newDeskRig(t, luca)
	apptest.WaitText(t, r.w, wait, "Desk queue · 2 cases",
		"TARI · Rimborso TARI 2023 · Maria Rossi · escalated 20/11/2026 10:30 · at the desk",
		"TARI · Avviso TARI errato · Maria Rossi",
		"Hand-off: Rimborso TARI 2023",
		"Claim  [Ctrl+Shift+C]", "Release  [Ctrl+Shift+L]", "Add note  [Ctrl+Shift+N]",
		"Answer ready  [Ctrl+Shift+A]", "Resolve  [Ctrl+Shift+R]")
	text := apptest.Text(r.w)
	if strings.Index(text, "Rimborso TARI 2023") > strings.Index(text, "Avviso TARI errato") {
		t.Fatal("the queue is not oldest escalation first")
	}

	apptest.Press(r.w, app.ShortcutClaim)
	apptest.WaitText(t, r.w, wait, "in progress at the desk · taken by Luca Esposito", "Done: Taken by the desk")
	apptest.Press(r.w, app.ShortcutQueue) // the cursor goes to the queue's note
	apptest.TypeFocused(r.w, "Rimborso disposto: 84 euro")
	apptest.Press(r.w, app.ShortcutAnswerReady)
	apptest.WaitText(t, r.w, wait, "answer ready · taken by Luca Esposito", "Answer ready · Luca Esposito")
	got := r.desks.got()
	if len(got) != 2 || got[0].caseID != "k-old" || got[0].e.Kind != sportello.EventClaimed ||
		got[1].e.Kind != sportello.EventAnswerReady || got[1].e.Note != "Rimborso disposto: 84 euro" {
		t.Fatalf("actions = %+v", got)
	}

	// Alt+Down chooses the next case; a note needs text.
	apptest.Press(r.w, app.ShortcutKBNext)
	apptest.Press(r.w, app.ShortcutCaseNote)
	apptest.WaitText(t, r.w, wait, "Write the note first.")
	if len(r.desks.got()) != 2 {
		t.Fatal("an empty note was sent")
	}
	apptest.TypeFocused(r.w, "Chiesto il bollettino")
	apptest.Press(r.w, app.ShortcutCaseNote)
	waitFor(t, "the note", func() bool { return len(r.desks.got()) == 3 })
	if a := r.desks.got()[2]; a.caseID != "k-new" || a.e.Kind != sportello.EventNote || a.e.Note != "Chiesto il bollettino" {
		t.Fatalf("note = %+v", a)
	}
}

// TestSpecialist_SecondClaim: a colleague was first; the desktop says who.
func TestSpecialist_SecondClaim(t *testing.T) {
	r := newDeskRig(t, luca)
	apptest.WaitText(t, r.w, wait, "Rimborso TARI 2023")
	r.desks.mu.Lock()
	r.desks.act = func(caseID string, e sportello.CaseEvent) (*sportello.Case, error) {
		// Marco Ferri claimed it a moment ago.
		marco := &sportello.User{ID: "u-marco", Name: "Marco Ferri", Role: sportello.RoleSpecialist}
		if _, err := r.desks.applying(marco)(caseID, sportello.CaseEvent{Kind: sportello.EventClaimed}); err != nil {
			return nil, err
		}
		return nil, sportello.Errorf(sportello.ECONFLICT, "the case is already taken by Marco Ferri")
	}
	r.desks.mu.Unlock()
	apptest.Press(r.w, app.ShortcutClaim)
	apptest.WaitText(t, r.w, wait, "Already taken by Marco Ferri", "taken by Marco Ferri")
}

// TestSpecialist_QueueFollowsPushes: a change at one of the user's desks
// reads the queue again; a change at another desk does not.
func TestSpecialist_QueueFollowsPushes(t *testing.T) {
	r := newDeskRig(t, luca)
	apptest.WaitText(t, r.w, wait, "Desk queue · 2 cases")
	time.Sleep(50 * time.Millisecond) // the desks are read at sign-in
	r.desks.mu.Lock()
	reads := r.desks.reads
	r.desks.queue = append(r.desks.queue, waiting("k-pushed", "Cartella TARI doppia", t0.Add(2*time.Hour)))
	r.desks.mu.Unlock()

	r.feed.onChange(sportello.Change{Seq: 8, Kind: sportello.ChangeKindCaseEvent, CaseID: "k-other", DeskID: "desk-anagrafe",
		Event: &sportello.CaseEvent{ID: "x", CaseID: "k-other", Kind: sportello.EventNote}})
	time.Sleep(100 * time.Millisecond)
	r.desks.mu.Lock()
	if r.desks.reads != reads {
		t.Fatalf("a change at another desk read the queue again")
	}
	r.desks.mu.Unlock()

	r.feed.onChange(sportello.Change{Seq: 9, Kind: sportello.ChangeKindCaseEvent, CaseID: "k-pushed", DeskID: "desk-tributi",
		Event: &sportello.CaseEvent{ID: "y", CaseID: "k-pushed", Kind: sportello.EventWrapUp, Outcome: sportello.OutcomeEscalated, DeskID: "desk-tributi"}})
	apptest.WaitText(t, r.w, wait, "Desk queue · 3 cases", "Cartella TARI doppia")
}

// TestSupervisor_Queue: a supervisor sees the tab and may release a case
// someone holds, but not claim.
func TestSupervisor_Queue(t *testing.T) {
	r := newDeskRig(t, supervisor, func(d *desks) {
		claim := &sportello.CaseEvent{ID: "c", CaseID: "k-old", Kind: sportello.EventClaimed, At: t0, AuthorID: "u-luca", Author: "Luca Esposito"}
		if err := d.queue[0].Apply(claim); err != nil {
			t.Fatal(err)
		}
	})
	apptest.WaitText(t, r.w, wait, "Desk queue · 2 cases", "taken by Luca Esposito")
	apptest.Press(r.w, app.ShortcutClaim) // disabled for a supervisor: nothing sent
	apptest.Press(r.w, app.ShortcutRelease)
	waitFor(t, "the release", func() bool { return len(r.desks.got()) >= 1 })
	if got := r.desks.got(); len(got) != 1 || got[0].e.Kind != sportello.EventReleased {
		t.Fatalf("actions = %+v, want one release", got)
	}
	apptest.WaitText(t, r.w, wait, "Done: Released to the desk's queue")
}
