package app_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// boardActions is a fake BoardActionService that records what the
// supervisor did.
type boardActions struct {
	mu  sync.Mutex
	got []string
}

var _ sportello.BoardActionService = (*boardActions)(nil)

func (a *boardActions) record(s string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got = append(a.got, s)
}

func (a *boardActions) done() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.got)
}

func (a *boardActions) AnswerHand(_ context.Context, agentID string) (*sportello.RaisedHand, error) {
	a.record("answer " + agentID)
	return &sportello.RaisedHand{AgentID: agentID}, nil
}

func (a *boardActions) ReassignCallback(_ context.Context, id, owner string) (*sportello.Callback, error) {
	a.record("reassign " + id + " " + owner)
	return &sportello.Callback{ID: id, Owner: owner}, nil
}

func (a *boardActions) MoveAgent(_ context.Context, agentID, from, to string) error {
	a.record("move " + agentID + " " + from + " " + to)
	return nil
}

// sound is a fake AlertSound that counts how often it played.
type sound struct {
	mu sync.Mutex
	n  int
}

func (s *sound) Play() { s.mu.Lock(); s.n++; s.mu.Unlock() }

func (s *sound) plays() int { s.mu.Lock(); defer s.mu.Unlock(); return s.n }

// hands is a fake HandService: push sends the hand as syncd would.
type hands struct {
	mu   sync.Mutex
	got  []string
	subs []func(*sportello.RaisedHand)
}

func (h *hands) RaiseHand(_ context.Context, note string) (*sportello.RaisedHand, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, "raise")
	return &sportello.RaisedHand{AgentID: "u-a", AgentName: "Giulia Bianchi", At: t0}, nil
}

func (h *hands) LowerHand(context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, "lower")
	return nil
}

func (h *hands) SubscribeHand(f func(*sportello.RaisedHand)) func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.subs = append(h.subs, f)
	return func() {}
}

func (h *hands) calls() []string { h.mu.Lock(); defer h.mu.Unlock(); return slices.Clone(h.got) }

func (h *hands) push(r *sportello.RaisedHand) {
	h.mu.Lock()
	subs := slices.Clone(h.subs)
	h.mu.Unlock()
	for _, f := range subs {
		f(r)
	}
}

// actBoard is morningBoard with callbacks, a raised hand, the intraday
// series and Giulia's call and handle time.
func actBoard() *sportello.Board {
	b := morningBoard()
	b.Agents[0].BoardAgentDetail = sportello.BoardAgentDetail{PresenceCall: sportello.PresenceCall{Caller: "+390212345678", CallerName: "Maria Rossi"},
		HandledMeasured: 3, AvgHandle: 24*time.Minute + 20*time.Second, MissedToday: 1}
	b.Agents[1].Desks = []string{"desk-multe"}
	b.Callbacks = sportello.BoardCallbacks{DueNow: 1, DueToday: 3, InWindow: 1, Target: 0.95, Overdue: []sportello.BoardCallback{
		{ID: "cb-3", Number: "+390212345678", CitizenName: "Maria Rossi", Reason: "Richiamare per la TARI", To: t0.Add(-time.Hour), Owner: "pool"},
	}}
	b.Hands = []sportello.RaisedHand{{AgentID: "u-a", AgentName: "Giulia Bianchi", Note: "Cittadino agitato", Caller: "+393351112233", At: t0.Add(-24 * time.Minute)}}
	b.Alerts = append(b.Alerts, sportello.BoardAlert{Kind: sportello.AlertHandRaised, Message: "Giulia Bianchi asks for help"})
	b.Hours = []sportello.BoardHour{{Hour: 8, Handled: 4, Resolved: 1}, {Hour: 9, Handled: 1, Resolved: 1}, {Hour: 10}}
	return b
}

// TestBoardAct_Supervisor: the board shows each agent's caller, average
// handle time and missed calls, the callbacks against their target with
// the overdue ones, raised hands and the intraday chart; the supervisor
// answers a hand (Ctrl+Shift+Y), gives a callback to an agent, moves an
// agent to a desk; a new alert sounds once and Ctrl+Shift+Z silences it.
func TestBoardAct_Supervisor(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	b, acts, snd := &boards{first: actBoard()}, &boardActions{}, &sound{}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{},
		Board: b, BoardActions: acts, AlertSound: snd, Presence: &presences{}, User: supervisor, Location: rome,
	})
	w := d.Window
	app.WithUI(w.Show)
	t.Cleanup(d.Close)

	apptest.WaitText(t, w, wait,
		"Giulia Bianchi · on a call · since 10:00 · calls today: 3 · ☎ +39 02 1234 5678 (Maria Rossi) · average handle time 24:20 · missed: 1",
		"Due now: 1 · Overdue: 1 · Done inside the window today: 1/3 (33%) · target 95%",
		"☎ +39 02 1234 5678 (Maria Rossi) · Richiamare per la TARI · by 20/11/2026 09:30 · to Pool",
		"✋ Giulia Bianchi · ☎ +39 335 1112 233 · Cittadino agitato · since 10:06",
		"I am coming  [Ctrl+Shift+Y]",
		"ALERT: Giulia Bianchi asks for help",
		"08: 4 · 25%", "09: 1 · 100%", "10: 0",
		"Silence the alerts  [Ctrl+Shift+Z]",
	)
	// The chart's bars: hour 8 full (the most calls), its FCR a quarter.
	heights := barHeights(w)
	for _, h := range []float32{80, 20, 0} {
		if !slices.Contains(heights, h) {
			t.Fatalf("bars %v, want one of %v", heights, h)
		}
	}
	if snd.plays() != 1 {
		t.Fatalf("the first board's alerts played %d times, want once", snd.plays())
	}

	apptest.Press(w, app.ShortcutAnswerHand)
	waitFor(t, "the hand answered", func() bool { return slices.Contains(acts.done(), "answer u-a") })

	// Give the overdue callback to Marco, move Marco to Tributi.
	app.WithUI(func() {
		for _, s := range selects(w) {
			if slices.Contains(s.Options, "Pool") {
				s.SetSelected("Marco Ferri")
			}
		}
	})
	waitFor(t, "the callback reassigned", func() bool { return slices.Contains(acts.done(), "reassign cb-3 u-b") })
	app.WithUI(func() {
		for _, s := range selects(w) {
			switch s.PlaceHolder {
			case "Agent":
				s.SetSelected("Marco Ferri")
			case "Desk":
				s.SetSelected("Tributi")
			}
		}
	})
	if !apptest.Tap(w, "Move to the desk") {
		t.Fatal("no Move button")
	}
	waitFor(t, "Marco moved", func() bool { return slices.Contains(acts.done(), "move u-b desk-multe desk-tributi") })

	// The same alerts again: no sound; a new one: once; silenced: none.
	next := actBoard()
	next.At = t0.Add(time.Minute)
	b.push(next)
	apptest.WaitText(t, w, wait, "updated at 10:31:00")
	if snd.plays() != 1 {
		t.Fatalf("the same alerts played again (%d)", snd.plays())
	}
	more := actBoard()
	more.At = t0.Add(2 * time.Minute)
	more.Alerts = append(more.Alerts, sportello.BoardAlert{Kind: sportello.AlertCallbacksOverdue})
	more.Callbacks.OverdueCount = 120 // syncd lists the oldest only (sportello.MaxBoardOverdue)
	b.push(more)
	apptest.WaitText(t, w, wait, "ALERT: 120 callbacks are overdue",
		"Due now: 1 · Overdue: 120 · Done inside the window today: 1/3 (33%) · target 95%",
		"and 119 more overdue, later ones")
	if snd.plays() != 2 {
		t.Fatalf("a new alert played %d times in all, want 2", snd.plays())
	}
	apptest.Press(w, app.ShortcutSilence)
	apptest.WaitText(t, w, wait, "Alerts silenced")
	again := actBoard()
	again.At = t0.Add(3 * time.Minute)
	again.Alerts = more.Alerts
	b.push(again)
	apptest.WaitText(t, w, wait, "updated at 10:33:00", "Alerts silenced")
	if snd.plays() != 2 {
		t.Fatalf("silenced alerts played (%d)", snd.plays())
	}
	// Cleared and raised anew, the overdue callbacks sound again.
	cleared := actBoard()
	cleared.At = t0.Add(4 * time.Minute)
	b.push(cleared)
	apptest.WaitText(t, w, wait, "updated at 10:34:00")
	back := actBoard()
	back.At = t0.Add(5 * time.Minute)
	back.Alerts = more.Alerts
	b.push(back)
	apptest.WaitText(t, w, wait, "updated at 10:35:00")
	if snd.plays() != 3 {
		t.Fatalf("an alert raised anew played %d times in all, want 3", snd.plays())
	}
	for _, m := range []struct {
		label string
		sc    fyne.Shortcut
	}{{"I am coming", app.ShortcutAnswerHand}, {"Silence the alerts", app.ShortcutSilence}} {
		if !menuHas(w, m.label, m.sc) {
			t.Fatalf("no %s menu item", m.label)
		}
	}
}

// TestBoardAct_Operator: the operator's state carries the caller (and
// the name once the screen pop has it) and the break's chosen reason;
// Ctrl+Shift+W raises a hand, the desktop shows who is coming, and lowers it.
func TestBoardAct_Operator(t *testing.T) {
	r := newRig(t)
	p, h := &presences{}, &hands{}
	r.d.Close()
	r.d = app.Create(test.NewTempApp(t), app.Config{
		Phone: r.phone, Citizens: r.cits, Cases: r.cases, Sync: r.feed, Presence: p, Board: &boards{}, Hands: h,
		User: &sportello.User{ID: "u-a", Name: "Giulia Bianchi", Role: sportello.RoleOperator},
	})
	r.w = r.d.Window
	app.WithUI(r.w.Show)
	t.Cleanup(r.d.Close)
	apptest.WaitText(t, r.w, wait, "State: available", "Raise hand  [Ctrl+Shift+W]")

	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	want := sportello.Presence{State: sportello.AgentRinging, PresenceCall: sportello.PresenceCall{Caller: "+390212345678", CallerName: "Maria Rossi"}}
	waitFor(t, "ringing with Maria Rossi", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return slices.Contains(p.all, want)
	})

	apptest.Press(r.w, app.ShortcutRaiseHand)
	apptest.WaitText(t, r.w, wait, "Hand raised: waiting for a supervisor", "Lower hand  [Ctrl+Shift+W]")
	h.push(&sportello.RaisedHand{AgentID: "u-a", AnsweredBy: "Francesca Romano", AnsweredAt: t0})
	apptest.WaitText(t, r.w, wait, "Francesca Romano is coming")
	apptest.Press(r.w, app.ShortcutRaiseHand)
	waitGone(t, r.w, "is coming")
	if got := h.calls(); !slices.Equal(got, []string{"raise", "lower"}) {
		t.Fatalf("hand calls %v", got)
	}
	if !menuHas(r.w, "Raise hand / Lower hand", app.ShortcutRaiseHand) {
		t.Fatal("no Raise hand menu item")
	}

	r.phone.CallsCh <- call(sportello.CallEnded, "+390212345678")
	apptest.WaitText(t, r.w, wait, "State: wrap-up")
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "State: available")
	app.WithUI(func() {
		for _, s := range selects(r.w) {
			if slices.Contains(s.Options, "formazione") {
				s.SetSelected("formazione")
			}
		}
	})
	apptest.Press(r.w, app.ShortcutBreak)
	waitFor(t, "a break for training", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return slices.Contains(p.all, sportello.Presence{State: sportello.AgentBreak, Reason: "formazione"})
	})
}

// selects returns the window's select widgets.
func selects(w fyne.Window) []*widget.Select {
	var out []*widget.Select
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if s, ok := o.(*widget.Select); ok {
			out = append(out, s)
		}
	})
	return out
}

// barHeights returns the minimum heights of the window's rectangles of
// the chart's width.
func barHeights(w fyne.Window) (out []float32) {
	app.WithUI(func() {
		walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
			if r, ok := o.(*canvas.Rectangle); ok && r.MinSize().Width == 14 {
				out = append(out, r.MinSize().Height)
			}
		})
	})
	return out
}

// walk visits o and what it contains, widgets' renderers included.
func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	f(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walk(c, f)
		}
	case fyne.Widget:
		if _, ok := o.(*widget.Select); ok {
			return
		}
		for _, c := range test.WidgetRenderer(v).Objects() {
			walk(c, f)
		}
	}
}
