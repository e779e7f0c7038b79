package app_test

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
)

// TestCitizenEdit_Language: the citizen's form shows the language for
// replies, Italian for a record that has none; saved unchanged it stays
// none; Tab to the choice and Right make it English, which is saved and
// shown when the form opens again.
func TestCitizenEdit_Language(t *testing.T) {
	f := &identity{}
	w := openIdentity(t, sportello.RoleOperator, f)
	lookUp(w, "+390212345678")
	apptest.WaitText(t, w, wait, "Edit citizen  [Ctrl+Shift+I]")
	apptest.Press(w, app.ShortcutCitizen)
	apptest.WaitText(t, w, wait, "Language for replies (Left/Right arrows)", "Italian")
	setField(t, w, "RSSMRA80A41F205X", "RSSMRA80A41F205B") // the fixture's check character is wrong
	apptest.Press(w, app.ShortcutSave)
	apptest.WaitText(t, w, wait, "Citizen saved: Maria Rossi")
	if got := f.snapshot(); len(got.updated) != 1 || got.updated[0].Language != "" {
		t.Fatalf("saved unchanged: %+v, want no language (Italian by default)", got.updated)
	}

	apptest.Press(w, app.ShortcutCitizen)
	apptest.WaitText(t, w, wait, "Language for replies (Left/Right arrows)")
	var sel *widget.Select
	for range 12 { // Tab from the name to the language
		if s, ok := apptest.Focused(w).(*widget.Select); ok {
			sel = s
			break
		}
		app.WithUI(func() { w.Canvas().FocusNext() })
	}
	if sel == nil {
		t.Fatalf("Tab never reached the language choice (focus on %T)", apptest.Focused(w))
	}
	apptest.Key(w, fyne.KeyRight)
	apptest.WaitText(t, w, wait, "English")
	apptest.Press(w, app.ShortcutSave)
	deadline := time.Now().Add(wait)
	for len(f.snapshot().updated) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := f.snapshot()
	if len(got.updated) != 2 || got.updated[1].Language != sportello.LangEnglish {
		t.Fatalf("saved %+v, want English", got.updated)
	}
	apptest.Press(w, app.ShortcutCitizen)
	apptest.WaitText(t, w, wait, "Language for replies (Left/Right arrows)", "English")
}

// TestSpecialist_ReplyInCitizenLanguage: a case whose citizen prefers
// English opens the reply in English once claimed, and the email goes
// with language en without the specialist choosing it.
func TestSpecialist_ReplyInCitizenLanguage(t *testing.T) {
	r, fake, _ := newReplyRig(t, luca)
	r.desks.mu.Lock()
	r.desks.queue[0].CitizenLanguage = sportello.LangEnglish
	r.desks.mu.Unlock()
	apptest.WaitText(t, r.w, wait, "Desk queue · 1 cases")
	apptest.Press(r.w, app.ShortcutClaim)
	apptest.WaitText(t, r.w, wait, "taken by Luca Esposito", "Regarding your request "+sportello.CaseReference("k-old"), "English")
	apptest.Press(r.w, app.ShortcutReplyEmail)
	apptest.TypeFocused(r.w, "your refund is granted.")
	apptest.Press(r.w, app.ShortcutReplyEmail)
	waitFor(t, "the reply", func() bool { return len(fake.got()) == 1 })
	if e := fake.got()[0]; e.Language != sportello.LangEnglish || !strings.Contains(e.Text, "Regarding your request") {
		t.Fatalf("reply = %+v", e)
	}
}
