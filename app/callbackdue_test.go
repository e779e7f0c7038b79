package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
)

// TestCallbacks_DuePushedBySyncd: a real syncd (SQLite, injected clock,
// the overdue ticker driven by the test) and the real sync client. When
// the operator's callback window opens, syncd pushes it: the desktop shows
// the notice with its shortcut at once and the list marks it due;
// Ctrl+Shift+B dials it; "no answer" (Alt+Shift+2) goes to syncd with an
// op id, and the list then shows the next attempt (15 minutes later, the
// default spacing) instead of "due".
func TestCallbacks_DuePushedBySyncd(t *testing.T) {
	test.NewTempApp(t)
	rome, _ := time.LoadLocation("Europe/Rome")
	clk := &storetest.Clock{}
	start := time.Date(2026, 11, 20, 10, 30, 0, 0, rome)
	clk.Set(start)
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	db.Now = clk.Now
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.Seed(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	ticks := make(chan time.Time)
	srv := server.New(db, nil)
	srv.Now = clk.Now
	srv.Overdue = server.OverdueConfig{Ticks: ticks}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	look := func() { ticks <- clk.Now(); ticks <- clk.Now() } // the second waits for the first look

	c := client.New(srv.URL(), nil)
	c.Backoff = func(int) time.Duration { return 20 * time.Millisecond }
	t.Cleanup(func() { c.Close() })
	u, err := c.Login(ctx, "operatore", storetest.Password)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Open(ctx); err != nil {
		t.Fatal(err)
	}
	k, err := c.RecordWrapUp(ctx, sportello.WrapUp{CallID: "call-due", CallerNumber: "+390212345678", Outcome: sportello.OutcomeCallbackScheduled,
		Note: "Esito TARI", CallbackFrom: start.Add(10 * time.Minute), CallbackTo: start.Add(70 * time.Minute), CallbackOwner: sportello.OwnerSelf})
	if err != nil {
		t.Fatal(err)
	}

	phone := phonetest.New()
	l := &phoneLog{}
	phone.DialFn = func(target string) (string, error) { l.add("dial %s", target); return "out-1", nil }
	phone.HangupFn = func(string) error { return nil }
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phone, Citizens: c, Cases: c, Sync: c, Callbacks: c, CallbackDueSpread: 300 * time.Millisecond, User: u, Now: clk.Now, Location: rome,
	})
	w := d.Window
	w.Show()
	t.Cleanup(d.Close)
	apptest.Press(w, app.ShortcutCallbacks)
	apptest.WaitText(t, w, wait, "Callbacks: 1", "Later · 20/11 10:40–11:40 · Maria Rossi", "Esito TARI")

	clk.Set(start.Add(11 * time.Minute))
	look()
	apptest.WaitText(t, w, wait, "Callback due: Maria Rossi · +39 02 1234 5678  [Ctrl+Shift+B]", "Due · 20/11 10:40–11:40 · Maria Rossi")

	apptest.Press(w, app.ShortcutCallBack)
	l.wait(t, "dial +390212345678")
	phone.CallsCh <- outbound(sportello.CallDialing, "+390212345678")
	ended := outbound(sportello.CallDialing, "+390212345678")
	ended.State, ended.EndedAt, ended.EndReason = sportello.CallEnded, start.Add(11*time.Minute+30*time.Second), "no answer"
	phone.CallsCh <- ended
	apptest.WaitText(t, w, wait, "How did the callback go?")
	apptest.Press(w, app.ShortcutAttempt(1))
	apptest.WaitText(t, w, wait, "Callback: No answer · still to call back", "Later · next attempt 10:56 · 20/11 10:40–11:40 · Maria Rossi")

	cbs, err := db.Callbacks(ctx, u.ID, nil, false)
	if err != nil || len(cbs) != 1 || len(cbs[0].Attempts) != 1 || cbs[0].CaseID != k.ID {
		t.Fatalf("stored %+v, %v; want one attempt", cbs, err)
	}
	if a := cbs[0].Attempts[0]; a.Outcome != sportello.AttemptNoAnswer || len(a.ID) != 36 || a.CallID != "out-1" {
		t.Fatalf("attempt %+v, want no answer on out-1 with the desktop's op id", a)
	}
	// The next attempt comes: pushed again.
	clk.Set(start.Add(26 * time.Minute))
	app.WithUI(func() {})
	look()
	apptest.WaitText(t, w, wait, "Callback due: Maria Rossi", "Due · 20/11 10:40–11:40 · Maria Rossi")
	l.mu.Lock()
	got := slices.Clone(l.ops)
	l.mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("phone ops %q: the push alone dials nothing", got)
	}

	// Two more open at one look: one notice, with the count of the other.
	for i, to := range []time.Duration{90, 80} {
		if _, err := c.RecordWrapUp(ctx, sportello.WrapUp{CallID: fmt.Sprintf("call-due-%d", i), CallerNumber: "+390212345678", Outcome: sportello.OutcomeCallbackScheduled,
			Note: "Esito TARI", CallbackFrom: start.Add(30 * time.Minute), CallbackTo: start.Add(to * time.Minute), CallbackOwner: sportello.OwnerSelf}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(start.Add(31 * time.Minute))
	look()
	apptest.WaitText(t, w, wait, "Callback due: Maria Rossi · +39 02 1234 5678 · and 1 more due [Ctrl+Shift+B]", "Callbacks: 3")
}

// flakyCallbacks is a CallbackService whose first RecordAttempt fails as
// a lost answer would; it keeps every attempt's op id.
type flakyCallbacks struct {
	callbackService
	mu  sync.Mutex
	ids []string
}

func (f *flakyCallbacks) RecordAttempt(ctx context.Context, id string, a sportello.CallbackAttempt) (*sportello.Callback, error) {
	f.mu.Lock()
	f.ids = append(f.ids, a.ID)
	first := len(f.ids) == 1
	f.mu.Unlock()
	if first {
		return nil, sportello.Errorf(sportello.EUNAVAILABLE, "syncd unreachable: the answer was lost")
	}
	return f.callbackService.RecordAttempt(ctx, id, a)
}

func (f *flakyCallbacks) opIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ids)
}

// TestCallbacks_AttemptResentWithItsOpID: when recording an attempt
// fails, the question stays, and asking again sends the same op id (so
// syncd records it once); the next callback's attempt gets a new one.
func TestCallbacks_AttemptResentWithItsOpID(t *testing.T) {
	test.NewTempApp(t)
	ph := phonetest.New()
	l := &phoneLog{}
	ph.DialFn = func(target string) (string, error) { l.add("dial %s", target); return "out-1", nil }
	ph.HangupFn = func(string) error { return nil }
	f := &flakyCallbacks{callbackService: callbackService{cbs: []*sportello.Callback{{ID: "cb-1", CaseID: "case-1", Number: "+390212345678",
		CitizenName: "Maria Rossi", From: t0.Add(-time.Hour), To: t0.Add(time.Hour), Owner: "u-giulia", State: sportello.CallbackScheduled}}}}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: ph, Citizens: &citizens{cards: map[string]*sportello.CallerCard{"+390212345678": maria()}}, Cases: &cases{}, Sync: &syncFeed{}, Callbacks: f,
		User: &sportello.User{ID: "u-giulia", Name: "Giulia Bianchi", Role: sportello.RoleOperator},
		Now:  func() time.Time { return t0 },
	})
	w := d.Window
	w.Show()
	t.Cleanup(d.Close)
	attempt := func() {
		t.Helper()
		apptest.Press(w, app.ShortcutCallbacks)
		apptest.WaitText(t, w, wait, "Due · ")
		apptest.Press(w, app.ShortcutCallBack)
		ph.CallsCh <- outbound(sportello.CallDialing, "+390212345678")
		ended := outbound(sportello.CallDialing, "+390212345678")
		ended.State, ended.EndedAt, ended.EndReason = sportello.CallEnded, t0.Add(30*time.Second), "no answer"
		ph.CallsCh <- ended
		apptest.WaitText(t, w, wait, "How did the callback go?")
	}
	attempt()
	apptest.Press(w, app.ShortcutAttempt(1))
	apptest.WaitText(t, w, wait, "syncd unreachable")
	apptest.Press(w, app.ShortcutAttempt(1))
	apptest.WaitText(t, w, wait, "Callback: No answer · still to call back")
	ids := f.opIDs()
	if len(ids) != 2 || len(ids[0]) != 36 || ids[0] != ids[1] {
		t.Fatalf("op ids %q: want the same UUID twice", ids)
	}
	attempt()
	apptest.Press(w, app.ShortcutAttempt(2))
	apptest.WaitText(t, w, wait, "Callback: Busy")
	if ids = f.opIDs(); len(ids) != 3 || ids[2] == ids[0] || len(ids[2]) != 36 {
		t.Fatalf("op ids %q: want a new one for the next attempt", ids)
	}
}

// dueCallbacks is a callbackService that also carries syncd's pushes of
// callbacks due: the test pushes through push.
type dueCallbacks struct {
	callbackService
	dueMu sync.Mutex
	onDue func(*sportello.Callback, int)
}

func (f *dueCallbacks) SubscribeCallbacksDue(onDue func(*sportello.Callback, int)) func() {
	f.dueMu.Lock()
	defer f.dueMu.Unlock()
	f.onDue = onDue
	return func() {}
}

func (f *dueCallbacks) push(cb *sportello.Callback, more int) {
	f.dueMu.Lock()
	onDue := f.onDue
	f.dueMu.Unlock()
	onDue(cb, more)
}

func (f *dueCallbacks) listed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lists
}

// TestCallbacks_DuePushReadsLater: a push of a callback the list has, alone,
// reads nothing again; a push of one it lacks puts it in the list at once,
// in its place in the order (Ctrl+Shift+B dials it), and the list is read
// again only later, within CallbackDueSpread (an hour here: not during the
// test), so that every operator does not read at the same moment.
func TestCallbacks_DuePushReadsLater(t *testing.T) {
	test.NewTempApp(t)
	mine := &sportello.Callback{ID: "cb-1", CaseID: "case-1", Number: "+390212345678", CitizenName: "Maria Rossi",
		From: t0.Add(-5 * time.Minute), To: t0.Add(time.Hour), Owner: "u-giulia", State: sportello.CallbackScheduled}
	f := &dueCallbacks{callbackService: callbackService{cbs: []*sportello.Callback{mine}}}
	phone := phonetest.New()
	l := &phoneLog{}
	phone.DialFn = func(target string) (string, error) { l.add("dial %s", target); return "out-1", nil }
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phone, Citizens: &citizens{cards: map[string]*sportello.CallerCard{}}, Sync: &syncFeed{}, Callbacks: f,
		CallbackDueSpread: time.Hour, User: &sportello.User{ID: "u-giulia", Name: "Giulia Bianchi", Role: sportello.RoleOperator},
		Now: func() time.Time { return t0 },
	})
	w := d.Window
	w.Show()
	t.Cleanup(d.Close)
	apptest.Press(w, app.ShortcutCallbacks)
	apptest.WaitText(t, w, wait, "Callbacks: 1", "Maria Rossi")
	reads := f.listed()

	f.push(mine, 0)
	apptest.WaitText(t, w, wait, "Callback due: Maria Rossi · +39 02 1234 5678")
	time.Sleep(100 * time.Millisecond)
	if n := f.listed(); n != reads {
		t.Fatalf("%d reads of the list after a push of a callback it has, want %d", n, reads)
	}

	pool := &sportello.Callback{ID: "cb-2", CaseID: "case-2", Number: "+390299887766", CitizenName: "Ugo Neri",
		From: t0.Add(-20 * time.Minute), To: t0.Add(40 * time.Minute), Owner: sportello.OwnerPool, State: sportello.CallbackScheduled}
	f.push(pool, 2)
	apptest.WaitText(t, w, wait, "Callback due: Ugo Neri · +39 02 9988 7766 · and 2 more due", "Callbacks: 2")
	if n := f.listed(); n != reads {
		t.Fatalf("%d reads of the list at once after the push, want %d (later, within the spread)", n, reads)
	}
	apptest.Press(w, app.ShortcutCallBack)
	l.wait(t, "dial +390299887766")
}
