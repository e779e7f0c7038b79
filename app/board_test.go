package app_test

import (
	"context"
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

// boards is a fake BoardService: Board returns first, push sends a board
// as syncd's WebSocket would.
type boards struct {
	mu    sync.Mutex
	first *sportello.Board
	subs  []func(*sportello.Board)
}

var _ sportello.BoardService = (*boards)(nil)

func (b *boards) Board(context.Context) (*sportello.Board, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.first, nil
}

func (b *boards) SubscribeBoard(f func(*sportello.Board)) func() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs = append(b.subs, f)
	return func() {}
}

func (b *boards) push(nb *sportello.Board) {
	b.mu.Lock()
	subs := slices.Clone(b.subs)
	b.mu.Unlock()
	for _, f := range subs {
		f(nb)
	}
}

// presences is a fake PresenceService that records the states reported
// (a state reported again, with the caller's name once the screen pop
// has it, counts once) and every report in full.
type presences struct {
	mu  sync.Mutex
	got []sportello.AgentState
	all []sportello.Presence
}

func (p *presences) SetPresence(_ context.Context, pr sportello.Presence) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.all = append(p.all, pr)
	if n := len(p.got); n > 0 && p.got[n-1] == pr.State {
		return nil
	}
	p.got = append(p.got, pr.State)
	return nil
}

func (p *presences) states() []sportello.AgentState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.got)
}

// morningBoard is a board with one of everything, at t0 (10:30 in Rome).
func morningBoard() *sportello.Board {
	return &sportello.Board{
		At: t0,
		Agents: []sportello.BoardAgent{
			{ID: "u-a", Name: "Giulia Bianchi", State: sportello.AgentOnCall, Since: t0.Add(-30 * time.Minute), CallsToday: 3},
			{ID: "u-b", Name: "Marco Ferri", State: sportello.AgentBreak, Reason: "pausa caffè", Since: t0.Add(-5 * time.Minute), CallsToday: 2},
		},
		CallsInProgress: 1,
		Desks: []sportello.BoardDesk{
			{ID: "desk-multe", Name: "Multe", Open: 3, OldestAt: t0.Add(-5 * 24 * time.Hour), AtRisk: 1, Breached: 1},
			{ID: "desk-tributi", Name: "Tributi", Open: 1, OldestAt: t0.Add(-4 * 24 * time.Hour)},
		},
		FCR: sportello.BoardFCR{Resolved: 3, WrapUps: 5, Target: 0.8},
		Alerts: []sportello.BoardAlert{
			{Kind: sportello.AlertFCRBelowTarget},
			{Kind: sportello.AlertDeskPastSLA, DeskID: "desk-multe", DeskName: "Multe"},
		},
	}
}

// TestBoard_Supervisor: a supervisor's desktop opens on the Supervisione
// tab with the board syncd has, follows each pushed board, highlights the
// alerts, and Ctrl+B brings the tab back (also from the menu).
func TestBoard_Supervisor(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	b := &boards{first: morningBoard()}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{},
		Board: b, Presence: &presences{}, User: supervisor, Location: rome,
	})
	w := d.Window
	app.WithUI(w.Show)
	t.Cleanup(d.Close)

	apptest.WaitText(t, w, wait,
		"Supervision · updated at 10:30:00 · Ctrl+B",
		"Resolved at first contact today: 60% (3/5) · target 80%",
		"Calls in progress: 1",
		"ALERT: First-contact resolution today is 60%, under the target of 80%",
		"ALERT: The oldest case is past its SLA at the desk Multe",
		"Giulia Bianchi · on a call · since 10:00 · calls today: 3",
		"Marco Ferri · on a break (pausa caffè) · since 10:25 · calls today: 2",
		"Multe · open cases: 3 · oldest 15/11/2026 10:30 · at risk: 1 · past SLA: 1",
		"Tributi · open cases: 1 · oldest 16/11/2026 10:30 · at risk: 0 · past SLA: 0",
	)
	if got := apptest.Text(w); strings.Contains(got, "State: ") || strings.Contains(got, "Break  [") {
		t.Fatal("a supervisor has a state to report")
	}

	// A pushed board replaces it; an older one arriving late does not.
	next := morningBoard()
	next.At = t0.Add(time.Minute)
	next.Agents[1].State, next.Agents[1].Reason, next.Agents[1].Since = sportello.AgentAvailable, "", t0.Add(time.Minute)
	next.FCR = sportello.BoardFCR{Resolved: 5, WrapUps: 6, Target: 0.8}
	next.Alerts = next.Alerts[1:]
	b.push(next)
	b.push(morningBoard())
	apptest.WaitText(t, w, wait, "Marco Ferri · available · since 10:31 · calls today: 2", "Resolved at first contact today: 83% (5/6)")
	if strings.Contains(apptest.Text(w), "First-contact resolution today is") {
		t.Fatal("the FCR alert is still shown")
	}

	// Keyboard: Ctrl+K leaves for the knowledge base, Ctrl+B comes back.
	apptest.Press(w, app.ShortcutKB)
	waitGone(t, w, "Calls in progress")
	apptest.Press(w, app.ShortcutBoard)
	apptest.WaitText(t, w, wait, "Calls in progress: 1")
	if !menuHas(w, "Supervision", app.ShortcutBoard) {
		t.Fatal("no Supervision menu item with Ctrl+B")
	}
}

// TestBoard_OperatorReportsState: the call flow and the break key report
// the operator's state: available at sign-in, on a call from ringing to
// hang-up, wrap-up until it is saved, then available, and Ctrl+P a break.
func TestBoard_OperatorReportsState(t *testing.T) {
	r := newRig(t)
	p := &presences{}
	r.d.Close()
	r.d = app.Create(test.NewTempApp(t), app.Config{
		Phone: r.phone, Citizens: r.cits, Cases: r.cases, Sync: r.feed, Presence: p, Board: &boards{},
		User: &sportello.User{ID: "u-a", Name: "Giulia Bianchi", Role: sportello.RoleOperator},
	})
	r.w = r.d.Window
	app.WithUI(r.w.Show)
	t.Cleanup(r.d.Close)
	want := func(states ...sportello.AgentState) {
		t.Helper()
		waitFor(t, "states "+strings.Join(stateNames(states), ", "), func() bool { return slices.Equal(p.states(), states) })
	}
	apptest.WaitText(t, r.w, wait, "State: available", "Break  [Ctrl+P]")
	want(sportello.AgentAvailable)
	if strings.Contains(apptest.Text(r.w), "Calls in progress") {
		t.Fatal("an operator sees the board")
	}

	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, r.w, wait, "State: ringing")
	r.phone.CallsCh <- call(sportello.CallActive, "+390212345678")
	apptest.WaitText(t, r.w, wait, "In conversation", "State: on a call")
	r.phone.CallsCh <- call(sportello.CallEnded, "+390212345678")
	apptest.WaitText(t, r.w, wait, "State: wrap-up")
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on case", "State: available")
	want(sportello.AgentAvailable, sportello.AgentRinging, sportello.AgentOnCall, sportello.AgentWrapUp, sportello.AgentAvailable)

	apptest.Press(r.w, app.ShortcutBreak)
	apptest.WaitText(t, r.w, wait, "State: on a break", "End break  [Ctrl+P]")
	apptest.Press(r.w, app.ShortcutBreak)
	apptest.WaitText(t, r.w, wait, "State: available")
	want(sportello.AgentAvailable, sportello.AgentRinging, sportello.AgentOnCall, sportello.AgentWrapUp, sportello.AgentAvailable, sportello.AgentBreak, sportello.AgentAvailable)
	if !menuHas(r.w, "Break / End break", app.ShortcutBreak) {
		t.Fatal("no Break menu item with Ctrl+P")
	}
}

func stateNames(states []sportello.AgentState) []string {
	out := make([]string, len(states))
	for i, s := range states {
		out[i] = string(s)
	}
	return out
}

// waitGone waits until the window no longer shows s.
func waitGone(t *testing.T, w fyne.Window, s string) {
	t.Helper()
	waitFor(t, "no "+s, func() bool { return !strings.Contains(apptest.Text(w), s) })
}

// menuHas reports whether the main menu has an item labelled label with
// the shortcut sc.
func menuHas(w fyne.Window, label string, sc fyne.Shortcut) (found bool) {
	app.WithUI(func() {
		for _, m := range w.MainMenu().Items {
			for _, it := range m.Items {
				if it.Label == label && it.Shortcut == sc {
					found = true
				}
			}
		}
	})
	return found
}
