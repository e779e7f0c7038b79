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

// assigner is a fake board action service that also assigns cases.
type assigner struct {
	boardActions
	amu      sync.Mutex
	assigned []string
}

var _ sportello.AssignService = (*assigner)(nil)

func (a *assigner) AssignCase(_ context.Context, caseID, specialistID string) (*sportello.Case, error) {
	a.amu.Lock()
	defer a.amu.Unlock()
	a.assigned = append(a.assigned, caseID+" "+specialistID)
	return &sportello.Case{ID: caseID, Status: sportello.StatusClaimed, ClaimedByID: specialistID}, nil
}

func (a *assigner) done() []string {
	a.amu.Lock()
	defer a.amu.Unlock()
	return slices.Clone(a.assigned)
}

// assignBoard is morningBoard with two specialists (Luca at Tributi, Sara
// at Multe), Luca's first-contact resolution and the true rate's alert.
func assignBoard() *sportello.Board {
	b := morningBoard()
	b.Agents = append(b.Agents,
		sportello.BoardAgent{ID: "u-luca", Name: "Luca Esposito", Role: sportello.RoleSpecialist, State: sportello.AgentAvailable, Since: t0, CallsToday: 3,
			BoardAgentDetail: sportello.BoardAgentDetail{Desks: []string{"desk-tributi"},
				FCR: sportello.FCRCounts{WrapUps: 3, Resolved: 2, FirstContacts: 2, TrueResolved: 1}}},
		sportello.BoardAgent{ID: "u-sara", Name: "Sara Conti", Role: sportello.RoleSpecialist, State: sportello.AgentBreak, Since: t0,
			BoardAgentDetail: sportello.BoardAgentDetail{Desks: []string{"desk-multe"}}},
	)
	b.FCR.FirstContacts, b.FCR.TrueResolved = 4, 2
	b.Alerts = append(b.Alerts, sportello.BoardAlert{Kind: sportello.AlertTrueFCRBelowTarget})
	return b
}

// TestAssign_Supervisor: from the board a supervisor picks a case waiting
// at a desk (not one someone holds) and a specialist of that desk (not of
// another), and Alt+G gives it to them; the button's tooltip names the
// shortcut; the list is read again after the assignment. The agent's line
// shows first-contact resolution as recorded and true, and the true rate's
// alert is in words.
func TestAssign_Supervisor(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	held := waiting("k-held", "Rateizzazione TARI", t0.Add(-3*time.Hour))
	if err := held.Apply(&sportello.CaseEvent{ID: "k-held-3", CaseID: "k-held", Kind: sportello.EventClaimed, At: t0, AuthorID: "u-luca", Author: "Luca Esposito"}); err != nil {
		t.Fatal(err)
	}
	dk := &desks{queue: []*sportello.Case{waiting("k-1", "Rimborso TARI", t0.Add(-2*time.Hour)), held}}
	acts := &assigner{}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{}, Desks: dk,
		Board: &boards{first: assignBoard()}, BoardActions: acts, Presence: &presences{}, User: supervisor, Location: rome,
	})
	w := d.Window
	app.WithUI(w.Show)
	t.Cleanup(d.Close)

	apptest.WaitText(t, w, wait,
		"Assign a case to a specialist", "Assign to the specialist  [Alt+G]",
		"Luca Esposito · available · since 10:30 · calls today: 3 · FCR as recorded 67% (2/3), true 50% (1/2)",
		"ALERT: True first-contact resolution today (repeat contacts removed) is 50%, under the target",
	)
	tips := tooltips(w)
	if !slices.Contains(tips, "Assign to the specialist (Alt+G)") {
		t.Fatalf("tooltips %q: none for assigning with its shortcut", tips)
	}

	// Nothing chosen: the shortcut says what is missing, nothing is sent.
	apptest.Press(w, app.ShortcutAssignCase)
	apptest.WaitText(t, w, wait, "choose a case and a specialist")

	var caseOptions []string
	waitFor(t, "the waiting case listed", func() bool {
		app.WithUI(func() {
			for _, s := range selects(w) {
				if s.PlaceHolder == "Case waiting at a desk" {
					caseOptions = slices.Clone(s.Options)
				}
			}
		})
		return len(caseOptions) > 0
	})
	if len(caseOptions) != 1 || !strings.HasPrefix(caseOptions[0], "Rimborso TARI · Maria Rossi · Tributi · since ") {
		t.Fatalf("cases to assign %q, want only the waiting one (not the held one)", caseOptions)
	}
	var specialists []string
	app.WithUI(func() {
		for _, s := range selects(w) {
			if s.PlaceHolder == "Case waiting at a desk" {
				s.SetSelectedIndex(0)
			}
		}
		for _, s := range selects(w) {
			if s.PlaceHolder == "Specialist" {
				specialists = slices.Clone(s.Options)
				s.SetSelectedIndex(0)
			}
		}
	})
	if !slices.Equal(specialists, []string{"Luca Esposito · available"}) {
		t.Fatalf("specialists %q, want Luca only (Sara is at Multe)", specialists)
	}
	dk.mu.Lock()
	reads := dk.reads
	dk.mu.Unlock()

	apptest.Press(w, app.ShortcutAssignCase)
	waitFor(t, "the case assigned", func() bool { return slices.Equal(acts.done(), []string{"k-1 u-luca"}) })
	apptest.WaitText(t, w, wait, "Case assigned to Luca Esposito")
	waitFor(t, "the waiting cases read again", func() bool {
		dk.mu.Lock()
		defer dk.mu.Unlock()
		return dk.reads > reads
	})
}

// tooltips returns the tooltips of the window's widgets that have one.
func tooltips(w fyne.Window) (out []string) {
	app.WithUI(func() {
		walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
			if t, ok := o.(interface{ Tooltip() string }); ok {
				out = append(out, t.Tooltip())
			}
		})
	})
	return out
}
