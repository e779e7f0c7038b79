package app_test

import (
	"slices"
	"strings"
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

// TestBoard_ServiceFCR: the board shows today's first-contact resolution
// per service, as recorded and true, one line each; a service under the
// target either way is marked (in words and in colour), one over it both
// ways is not; a pushed board without wrap-ups leaves no line.
func TestBoard_ServiceFCR(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	first := morningBoard()
	first.FCR.Services = []sportello.ServiceFCR{
		{Service: "Anagrafe", FCRCounts: sportello.FCRCounts{WrapUps: 5, Resolved: 5, FirstContacts: 5, TrueResolved: 4}},
		{Service: "Multe", FCRCounts: sportello.FCRCounts{WrapUps: 4, Resolved: 4, FirstContacts: 4, TrueResolved: 3}},
		{Service: "Tributi", FCRCounts: sportello.FCRCounts{WrapUps: 3, Resolved: 1, FirstContacts: 2, TrueResolved: 1}},
		{Service: "", FCRCounts: sportello.FCRCounts{WrapUps: 1, Resolved: 1, FirstContacts: 1, TrueResolved: 1}},
	}
	b := &boards{first: first}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{},
		Board: b, Presence: &presences{}, User: supervisor, Location: rome,
	})
	w := d.Window
	app.WithUI(w.Show)
	t.Cleanup(d.Close)

	anagrafe := "Anagrafe · FCR as recorded 100% (5/5), true 80% (4/5)"
	multe := "Multe · FCR as recorded 100% (4/4), true 75% (3/4) · UNDER THE TARGET"
	tributi := "Tributi · FCR as recorded 33% (1/3), true 50% (1/2) · UNDER THE TARGET"
	none := "no category · FCR as recorded 100% (1/1), true 100% (1/1)"
	apptest.WaitText(t, w, wait, "First-contact resolution per service", anagrafe, multe, tributi, none)
	if got := labelImportance(w, anagrafe); got != widget.MediumImportance {
		t.Fatalf("Anagrafe (80%% true against 80%%) has importance %v, want medium", got)
	}
	if got := labelImportance(w, none); got != widget.MediumImportance {
		t.Fatalf("no category (100%%) has importance %v, want medium", got)
	}
	for _, line := range []string{multe, tributi} {
		if got := labelImportance(w, line); got != widget.WarningImportance {
			t.Fatalf("%q has importance %v, want the warning colour", line, got)
		}
	}
	text := apptest.Text(w)
	if i, j := strings.Index(text, "Marco Ferri"), strings.Index(text, anagrafe); i < 0 || j < i {
		t.Fatalf("the services are not after the agents:\n%s", text)
	}

	next := morningBoard()
	next.At = t0.Add(time.Minute)
	b.push(next)
	waitGone(t, w, "First-contact resolution per service")
	if text := apptest.Text(w); strings.Contains(text, "Tributi · FCR") {
		t.Fatalf("a board without services still shows one:\n%s", text)
	}
}

// TestBoard_AssignMenu: the Supervisione menu has "Assign to the
// specialist" with Alt+G, and choosing it gives the chosen case to the
// chosen specialist, as the board's button does.
func TestBoard_AssignMenu(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	dk := &desks{queue: []*sportello.Case{waiting("k-1", "Rimborso TARI", t0.Add(-2*time.Hour))}}
	acts := &assigner{}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{}, Desks: dk,
		Board: &boards{first: assignBoard()}, BoardActions: acts, Presence: &presences{}, User: supervisor, Location: rome,
	})
	w := d.Window
	app.WithUI(w.Show)
	t.Cleanup(d.Close)
	apptest.WaitText(t, w, wait, "Assign to the specialist  [Alt+G]")
	if !menuHas(w, "Assign to the specialist", app.ShortcutAssignCase) {
		t.Fatal("the Supervisione menu has no \"Assign to the specialist\" with Alt+G")
	}
	waitFor(t, "the waiting case listed", func() (listed bool) {
		app.WithUI(func() {
			for _, s := range selects(w) {
				listed = listed || (s.PlaceHolder == "Case waiting at a desk" && len(s.Options) > 0)
			}
		})
		return listed
	})
	app.WithUI(func() {
		for _, s := range selects(w) {
			if s.PlaceHolder == "Case waiting at a desk" {
				s.SetSelectedIndex(0)
			}
		}
		for _, s := range selects(w) {
			if s.PlaceHolder == "Specialist" {
				s.SetSelectedIndex(0)
			}
		}
	})
	app.WithUI(menuAction(t, w, "Assign to the specialist"))
	waitFor(t, "the case assigned from the menu", func() bool { return slices.Equal(acts.done(), []string{"k-1 u-luca"}) })
	apptest.WaitText(t, w, wait, "Case assigned to Luca Esposito")
}

// TestBoard_AssignMenuOperator: an operator's desktop has no Supervisione
// menu, so no assigning from it.
func TestBoard_AssignMenuOperator(t *testing.T) {
	r := newRig(t)
	if menuHas(r.w, "Assign to the specialist", app.ShortcutAssignCase) {
		t.Fatal("an operator can assign from the menu")
	}
}

// menuAction returns the action of the main menu's item labelled label.
func menuAction(t *testing.T, w fyne.Window, label string) (action func()) {
	t.Helper()
	app.WithUI(func() {
		for _, m := range w.MainMenu().Items {
			for _, it := range m.Items {
				if it.Label == label {
					action = it.Action
				}
			}
		}
	})
	if action == nil {
		t.Fatalf("no menu item %q", label)
	}
	return action
}

// labelImportance returns the importance of the window's label whose
// text is text (-1 when there is none).
func labelImportance(w fyne.Window, text string) (imp widget.Importance) {
	imp = -1
	app.WithUI(func() {
		walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && l.Text == text {
				imp = l.Importance
			}
		})
	})
	return imp
}

// TestOperator_CardLanguage: the caller card says the language the
// citizen prefers when it is not Italian, and nothing when it is.
func TestOperator_CardLanguage(t *testing.T) {
	r := newRig(t)
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Maria Rossi", "RSSMRA80A41F205X")
	if text := apptest.Text(r.w); strings.Contains(text, "Language: ") {
		t.Fatalf("an Italian-speaking citizen's card names a language:\n%s", text)
	}

	r = newRig(t)
	english := maria()
	english.Citizen.Language = sportello.LangEnglish
	r.cits.mu.Lock()
	r.cits.cards["+390212345678"] = english
	r.cits.mu.Unlock()
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Maria Rossi", "Language: English")
}
