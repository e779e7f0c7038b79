package app_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// callbackService is a fake CallbackService: it lists cbs and records
// the attempts asked of it.
type callbackService struct {
	mu       sync.Mutex
	cbs      []*sportello.Callback
	lists    int
	attempts []string // "id outcome call-id"
}

func (f *callbackService) Callbacks(context.Context) ([]*sportello.Callback, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	return slices.Clone(f.cbs), nil
}

func (f *callbackService) RecordAttempt(_ context.Context, id string, a sportello.CallbackAttempt) (*sportello.Callback, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts = append(f.attempts, id+" "+string(a.Outcome)+" "+a.CallID)
	for _, cb := range f.cbs {
		if cb.ID == id {
			cp := *cb
			cp.State = sportello.CallbackScheduled
			cp.Attempts = append(cp.Attempts, a)
			return &cp, nil
		}
	}
	return nil, sportello.Errorf(sportello.ENOTFOUND, "no callback has id %s", id)
}

func (f *callbackService) set(cbs ...*sportello.Callback) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cbs = cbs
}

func (f *callbackService) attempted() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.attempts)
}

// callbackRig is the operator rig with a CallbackService and the clock at t0
// (Friday 20 November 2026, 10:30 in Rome).
func callbackRig(t *testing.T, role sportello.Role, cbs ...*sportello.Callback) (*rig, *callbackService, *phoneLog) {
	t.Helper()
	test.NewTempApp(t)
	r := &rig{phone: phonetest.New(), cits: &citizens{cards: map[string]*sportello.CallerCard{"+390212345678": maria()}}, feed: &syncFeed{}}
	r.cases = &cases{result: func(w sportello.WrapUp) *sportello.Case {
		k, _ := sportello.Replay("case-2", w.CitizenID, []*sportello.CaseEvent{
			{ID: "n1", CaseID: "case-2", Kind: sportello.EventOpened, At: t0},
			{ID: "n2", CaseID: "case-2", Kind: sportello.EventWrapUp, At: t0, Outcome: w.Outcome, Note: w.Note},
		})
		return k
	}}
	l := &phoneLog{}
	r.phone.DialFn = func(target string) (string, error) { l.add("dial %s", target); return "out-1", nil }
	r.phone.AnswerFn = func(string) error { return nil }
	r.phone.HangupFn = func(string) error { return nil }
	f := &callbackService{cbs: cbs}
	r.d = app.Create(test.NewTempApp(t), app.Config{
		Phone: r.phone, Citizens: r.cits, Cases: r.cases, Sync: r.feed, Callbacks: f,
		User: &sportello.User{ID: "u-giulia", Name: "Giulia Bianchi", Role: role},
		Now:  func() time.Time { return t0 },
	})
	r.w = r.d.Window
	r.w.Show()
	t.Cleanup(r.d.Close)
	return r, f, l
}

// TestCallbacks_WrapUpSchedulesByKeyboard: Alt+4 picks "Callback
// scheduled" and puts the cursor on the window choice; Right picks
// tomorrow morning, Tab then Right the pool; the wrap-up carries the
// window (09:00-12:00 in Rome, in UTC) and the owner.
func TestCallbacks_WrapUpSchedulesByKeyboard(t *testing.T) {
	r, _, _ := callbackRig(t, sportello.RoleOperator)
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallActive, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallEnded, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Call ended")

	apptest.Press(r.w, app.ShortcutOutcome(3))
	apptest.WaitText(t, r.w, wait, "Callback window and owner", "Today, within 2 hours", "Me")
	apptest.Key(r.w, fyne.KeyRight)
	apptest.WaitText(t, r.w, wait, "Tomorrow morning (9-12)")
	app.WithUI(func() { r.w.Canvas().FocusNext() })
	apptest.Key(r.w, fyne.KeyRight)
	apptest.WaitText(t, r.w, wait, "The pool")
	apptest.Press(r.w, app.ShortcutNote)
	apptest.TypeFocused(r.w, "Richiamare con l'esito")
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on case")

	r.cases.mu.Lock()
	defer r.cases.mu.Unlock()
	if len(r.cases.got) != 1 {
		t.Fatalf("recorded %d wrap-ups, want 1", len(r.cases.got))
	}
	w := r.cases.got[0]
	from, to := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC), time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)
	if w.Outcome != sportello.OutcomeCallbackScheduled || !w.CallbackFrom.Equal(from) || !w.CallbackTo.Equal(to) || w.CallbackOwner != sportello.OwnerPool {
		t.Fatalf("wrap-up = %+v, want a pool callback tomorrow 09:00-12:00 Rome", w)
	}
}

// TestCallbacks_CustomWindowRefusedUntilWritten: a custom window that does
// not parse keeps the form and says how to write it.
func TestCallbacks_CustomWindowRefusedUntilWritten(t *testing.T) {
	r, _, _ := callbackRig(t, sportello.RoleOperator)
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallActive, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallEnded, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Call ended")
	apptest.Press(r.w, app.ShortcutOutcome(3))
	apptest.Key(r.w, fyne.KeyLeft) // wraps round to Custom window
	apptest.WaitText(t, r.w, wait, "Custom window")
	app.WithUI(func() { r.w.Canvas().FocusNext() })
	apptest.TypeFocused(r.w, "domani")
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Write the callback window as dd/mm hh:mm-hh:mm")
	app.WithUI(func() {
		if e, ok := r.w.Canvas().Focused().(interface{ SetText(string) }); ok {
			e.SetText("23/11 15:00-16:30")
		}
	})
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on case")
	r.cases.mu.Lock()
	defer r.cases.mu.Unlock()
	w := r.cases.got[0]
	if !w.CallbackFrom.Equal(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)) || !w.CallbackTo.Equal(time.Date(2026, 11, 23, 15, 30, 0, 0, time.UTC)) || w.CallbackOwner != sportello.OwnerSelf {
		t.Fatalf("wrap-up = %+v, want Monday 15:00-16:30 Rome, mine", w)
	}
}

// TestCallbacks_TabCallAndOutcome: the Richiamate tab lists the callbacks
// first due first, the overdue one marked, times in Rome; Ctrl+Shift+B
// dials the first through the phone; when the call ends unanswered the
// tab asks the outcome, and Alt+Shift+2 records "no answer" with the call's id.
func TestCallbacks_TabCallAndOutcome(t *testing.T) {
	overdue := &sportello.Callback{ID: "cb-1", CaseID: "case-1", Number: "+390212345678", CitizenName: "Maria Rossi", Reason: "Esito TARI",
		From: t0.Add(-3 * time.Hour), To: t0.Add(-time.Hour), Owner: "u-giulia", State: sportello.CallbackScheduled}
	later := &sportello.Callback{ID: "cb-2", CaseID: "case-9", Number: "+393331112222", CitizenName: "Luca Verdi",
		From: t0.Add(2 * time.Hour), To: t0.Add(4 * time.Hour), Owner: sportello.OwnerPool, State: sportello.CallbackScheduled}
	r, f, l := callbackRig(t, sportello.RoleOperator, overdue, later)
	apptest.Press(r.w, app.ShortcutCallbacks)
	apptest.WaitText(t, r.w, wait, "Callbacks: 2 · overdue: 1", "Call the first due  [Ctrl+Shift+B]",
		"OVERDUE · 20/11 07:30–09:30 · Maria Rossi", "Esito TARI", "Later · 20/11 12:30–14:30 · Luca Verdi", "pool")

	apptest.Press(r.w, app.ShortcutCallBack)
	l.wait(t, "dial +390212345678")
	r.phone.CallsCh <- outbound(sportello.CallDialing, "+390212345678")
	ended := outbound(sportello.CallDialing, "+390212345678")
	ended.State, ended.EndedAt, ended.EndReason = sportello.CallEnded, t0.Add(30*time.Second), "no answer"
	r.phone.CallsCh <- ended
	apptest.WaitText(t, r.w, wait, "How did the callback go? +39 02 1234 5678 (it looks like: No answer)",
		"Answered, resolved  [Alt+Shift+1]", "No answer  [Alt+Shift+2]", "Busy  [Alt+Shift+3]")

	apptest.Press(r.w, app.ShortcutAttempt(1))
	apptest.WaitText(t, r.w, wait, "Callback: No answer · still to call back")
	if got := f.attempted(); !slices.Equal(got, []string{"cb-1 no_answer out-1"}) {
		t.Fatalf("attempts %q, want cb-1 no answer on out-1", got)
	}
}

// TestCallbacks_LiveRefresh: a pushed callback event reads the list again.
func TestCallbacks_LiveRefresh(t *testing.T) {
	r, f, _ := callbackRig(t, sportello.RoleOperator)
	apptest.Press(r.w, app.ShortcutCallbacks)
	apptest.WaitText(t, r.w, wait, "No callbacks to make")
	f.set(&sportello.Callback{ID: "cb-3", CaseID: "case-3", Number: "+390212345678", CitizenName: "Maria Rossi",
		From: t0.Add(-time.Minute), To: t0.Add(time.Hour), Owner: sportello.OwnerPool, State: sportello.CallbackScheduled})
	app.WithUI(func() {})
	r.feed.onChange(sportello.Change{Seq: 8, Kind: sportello.ChangeKindCaseEvent, CaseID: "case-3",
		Event: &sportello.CaseEvent{ID: "cb-3", CaseID: "case-3", Kind: sportello.EventCallbackScheduled}})
	apptest.WaitText(t, r.w, wait, "Callbacks: 1", "Due · 20/11 10:29–11:30 · Maria Rossi")
}

// TestCallbacks_SupervisorWatches: a supervisor sees the list without
// the call actions.
func TestCallbacks_SupervisorWatches(t *testing.T) {
	r, _, _ := callbackRig(t, sportello.RoleSupervisor, &sportello.Callback{ID: "cb-1", CaseID: "case-1", Number: "+390212345678",
		CitizenName: "Maria Rossi", From: t0.Add(-3 * time.Hour), To: t0.Add(-time.Hour), Owner: "u-x", State: sportello.CallbackScheduled})
	apptest.Press(r.w, app.ShortcutCallbacks)
	apptest.WaitText(t, r.w, wait, "OVERDUE · 20/11 07:30–09:30 · Maria Rossi")
	if apptest.Tap(r.w, "Call the first due") {
		t.Fatal("a supervisor has the call action")
	}
}

// TestCallbacks_HistoryInOfficeTime: the callback events on the caller's
// history show the window in Rome time and the attempt in words.
func TestCallbacks_HistoryInOfficeTime(t *testing.T) {
	r, _, _ := callbackRig(t, sportello.RoleOperator)
	card := maria()
	k := card.Cases[0]
	for _, e := range []*sportello.CaseEvent{
		{ID: "cb-9", CaseID: k.ID, Kind: sportello.EventCallbackScheduled, At: t0, Number: "+390212345678",
			Note: "2026-11-20T13:00:00Z – 2026-11-20T15:00:00Z: Esito TARI"},
		{ID: "at-1", CaseID: k.ID, Kind: sportello.EventCallbackAttempt, At: t0.Add(time.Hour), CallID: "cb-9",
			Outcome: sportello.Outcome(sportello.AttemptBusy), Note: string(sportello.CallbackScheduled)},
	} {
		if err := k.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
	r.cits.mu.Lock()
	r.cits.cards["+390212345678"] = card
	r.cits.mu.Unlock()
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Callback scheduled +39 02 1234 5678", "20/11/2026 14:00–16:00: Esito TARI",
		"Callback attempt: Busy", "still to call back")
}

// TestCallbacks_LongPool: a pool of thousands of callbacks (a day left
// to the pool) lists the first maxCallbackRows in the order they are to
// be made, says how many more there are, and the heading counts them all;
// the panel is ready in well under the time the rows added one by one
// took (minutes at ~3,600: each Add laid the whole list out again).
func TestCallbacks_LongPool(t *testing.T) {
	const n = 3000
	cbs := make([]*sportello.Callback, n)
	for i := range cbs {
		cbs[i] = &sportello.Callback{ID: fmt.Sprintf("cb-%04d", i), CaseID: fmt.Sprintf("case-%d", i), Number: "+390212345678",
			CitizenName: fmt.Sprintf("Cittadino %04d", i), From: t0.Add(time.Duration(i) * time.Minute), To: t0.Add(time.Duration(i)*time.Minute + time.Hour),
			Owner: sportello.OwnerPool, State: sportello.CallbackScheduled}
	}
	r, _, _ := callbackRig(t, sportello.RoleOperator, cbs...)
	apptest.Press(r.w, app.ShortcutCallbacks)
	apptest.WaitText(t, r.w, 20*time.Second, fmt.Sprintf("Callbacks: %d", n), "Cittadino 0000", "Cittadino 0099",
		fmt.Sprintf("and %d more callbacks, later in the order", n-100))
	if strings.Contains(apptest.Text(r.w), "Cittadino 0100") {
		t.Fatal("the 101st callback is listed: the panel lists 100")
	}
}
