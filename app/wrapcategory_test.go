package app_test

import (
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

// TestOperator_WrapUpCategory checks the wrap-up's service category: the
// service of the knowledge-base entry put in the note is preselected and
// recorded, the next call starts from "Informazioni", and the select is
// reached with Tab (before the note) and chosen with the arrows.
func TestOperator_WrapUpCategory(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	fake := &kb{entries: []sportello.KBEntry{
		{ID: "o1", Kind: sportello.EntryOffice, Title: "Ufficio Tributi", Summary: "Via del Lavoro 18."},
		{ID: "s1", Kind: sportello.EntryService, Title: "Ufficio oggetti smarriti", Summary: "Gli oggetti trovati restano un anno."},
	}}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, rome)
	ph := phonetest.New()
	ph.HangupFn = func(string) error { return nil }
	ph.AnswerFn = func(string) error { return nil }
	cases := &cases{result: func(w sportello.WrapUp) *sportello.Case { return &sportello.Case{ID: "k"} }}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: ph, Citizens: &citizens{cards: map[string]*sportello.CallerCard{}}, Cases: cases, KB: fake,
		User:     &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator},
		Location: rome, Now: func() time.Time { return now },
	})
	t.Cleanup(d.Close)
	w := d.Window
	w.Show()
	got := func(n int) sportello.WrapUp {
		t.Helper()
		deadline := time.Now().Add(wait)
		for {
			cases.mu.Lock()
			l := len(cases.got)
			var wu sportello.WrapUp
			if l >= n {
				wu = cases.got[n-1]
			}
			cases.mu.Unlock()
			if l >= n {
				return wu
			}
			if time.Now().After(deadline) {
				t.Fatalf("wrap-up %d never recorded", n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	// First call: the service answer put in the note sets the category.
	ph.CallsCh <- call(sportello.CallRinging, "+390299999999")
	ph.CallsCh <- call(sportello.CallActive, "+390299999999")
	apptest.WaitText(t, w, wait, "In conversation")
	apptest.Press(w, app.ShortcutKB)
	apptest.TypeFocused(w, "ufficio")
	apptest.WaitText(t, w, wait, "Ufficio Tributi", "Ufficio oggetti smarriti")
	apptest.Press(w, app.ShortcutKBNext)
	apptest.Press(w, app.ShortcutInsertKB)
	apptest.WaitText(t, w, wait, "Answer put in the note: Ufficio oggetti smarriti")
	ph.CallsCh <- call(sportello.CallEnded, "+390299999999")
	apptest.WaitText(t, w, wait, "Call ended", "Service category")
	apptest.Press(w, app.ShortcutSave)
	apptest.WaitText(t, w, wait, "Saved on case")
	if c := got(1).Category; c != "Ufficio oggetti smarriti" {
		t.Fatalf("first wrap-up category = %q, want the KB service inserted", c)
	}

	// Second call: nothing inserted, so "Informazioni"; Tab back from the
	// note reaches the select, Right picks the next service.
	ph.CallsCh <- call(sportello.CallRinging, "+390299999999")
	ph.CallsCh <- call(sportello.CallActive, "+390299999999")
	apptest.WaitText(t, w, wait, "In conversation")
	ph.CallsCh <- call(sportello.CallEnded, "+390299999999")
	apptest.WaitText(t, w, wait, "Call ended")
	apptest.Press(w, app.ShortcutNote)
	app.WithUI(func() { w.Canvas().FocusPrevious() })
	sel, ok := apptest.Focused(w).(*widget.Select)
	if !ok {
		t.Fatalf("Shift+Tab from the note focused %T, want the category select", apptest.Focused(w))
	}
	var selected string
	var options []string
	app.WithUI(func() { selected, options = sel.Selected, sel.Options })
	if selected != "Informazioni" || len(options) != 2 || options[0] != "Informazioni" || options[1] != "Ufficio oggetti smarriti" {
		t.Fatalf("category select = %q of %q, want Informazioni first and the service seen (not the office)", selected, options)
	}
	apptest.Key(w, fyne.KeyRight)
	apptest.Press(w, app.ShortcutSave)
	if c := got(2).Category; c != "Ufficio oggetti smarriti" {
		t.Fatalf("second wrap-up category = %q, want the one chosen with the arrow", c)
	}
}
