package app_test

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// findTabs returns the window's tab container.
func findTabs(o fyne.CanvasObject) *container.AppTabs {
	switch v := o.(type) {
	case *container.AppTabs:
		return v
	case *fyne.Container:
		for _, c := range v.Objects {
			if t := findTabs(c); t != nil {
				return t
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			if t := findTabs(c); t != nil {
				return t
			}
		}
	}
	return nil
}

// TestBoard_SupervisorMainScreen: for a supervisor the board is the main
// screen on a 1280-pixel window: the Supervisione tab first and
// selected, the tabs across the window's width, the phone folded into a
// strip with Answer and Hang up (a ringing call shows there and is
// answered by Ctrl+Enter); Ctrl+Shift+F unfolds the phone panel and
// folds it again. Agents sort by name with numbers read as numbers.
func TestBoard_SupervisorMainScreen(t *testing.T) {
	b := morningBoard()
	b.Agents = []sportello.BoardAgent{
		{ID: "u-19", Name: "Operatore 19", State: sportello.AgentAvailable},
		{ID: "u-2", Name: "Operatore 2", State: sportello.AgentAvailable},
		{ID: "u-10", Name: "operatore 10", State: sportello.AgentAvailable},
		{ID: "u-a", Name: "Anna Verdi", State: sportello.AgentOnCall},
		{ID: "u-1", Name: "Operatore 1", State: sportello.AgentAvailable},
	}
	phone := phonetest.New()
	answered := make(chan string, 1)
	phone.AnswerFn = func(id string) error { answered <- id; return nil }
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phone, Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{},
		Board: &boards{first: b}, Presence: &presences{}, User: supervisor,
	})
	w := d.Window
	app.WithUI(func() { w.Resize(fyne.NewSize(1280, 800)); w.Show() })
	t.Cleanup(d.Close)
	apptest.WaitText(t, w, wait, "Operatore 19 · available", "Answer  [Ctrl+Enter]", "Phone panel  [Ctrl+Shift+F]")

	text := apptest.Text(w)
	last := -1
	for _, name := range []string{"Anna Verdi ·", "Operatore 1 ·", "Operatore 2 ·", "operatore 10 ·", "Operatore 19 ·"} {
		i := strings.Index(text, name)
		if i < 0 || i < last {
			t.Fatalf("%q out of order (at %d, previous at %d):\n%s", name, i, last, text)
		}
		last = i
	}
	if strings.Contains(text, "Save wrap-up  [Ctrl+S]") {
		t.Fatal("the wrap-up form shows on the supervisor's main screen")
	}
	var first, selected string
	var width float32
	app.WithUI(func() {
		tabs := findTabs(w.Content())
		first, selected, width = tabs.Items[0].Text, tabs.Selected().Text, tabs.Size().Width
	})
	if first != "Supervision" || selected != "Supervision" {
		t.Fatalf("tabs: first %q, selected %q, want Supervision", first, selected)
	}
	if width < 1100 {
		t.Fatalf("the tabs are %v pixels wide on a 1280-pixel window", width)
	}

	// A call rings: the strip shows it and answers it.
	phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, w, wait, "Ringing", "+39 02 1234 5678")
	apptest.Press(w, app.ShortcutAnswer)
	if id := <-answered; id != "call-1" {
		t.Fatalf("answered %q", id)
	}

	apptest.Press(w, app.ShortcutPhonePanel)
	apptest.WaitText(t, w, wait, "Save wrap-up  [Ctrl+S]", "Answer  [Ctrl+Enter]", "Phone panel  [Ctrl+Shift+F]")
	app.WithUI(func() { width = findTabs(w.Content()).Size().Width })
	if width > 900 {
		t.Fatalf("unfolded, the tabs are still %v pixels wide", width)
	}
	apptest.Press(w, app.ShortcutPhonePanel)
	waitGone(t, w, "Save wrap-up  [Ctrl+S]")
	if !menuHas(w, "Phone panel", app.ShortcutPhonePanel) {
		t.Fatal("no Phone panel menu item with Ctrl+Shift+F")
	}
}

// TestBoard_OperatorPhoneUnfolded: an operator keeps the phone panel,
// and Ctrl+Shift+F does not fold it.
func TestBoard_OperatorPhoneUnfolded(t *testing.T) {
	r := newRig(t)
	apptest.WaitText(t, r.w, wait, "Save wrap-up  [Ctrl+S]")
	apptest.Press(r.w, app.ShortcutPhonePanel)
	apptest.WaitText(t, r.w, wait, "Save wrap-up  [Ctrl+S]")
	if strings.Contains(apptest.Text(r.w), "Phone panel") {
		t.Fatal("an operator has the supervisor's phone toggle")
	}
}
