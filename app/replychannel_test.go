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

// TestOperator_EscalationReplyChannel: the preferred reply channel shows
// with the desk choice only, Tab reaches it after the desk, the arrows
// choose it and the escalating wrap-up carries it.
func TestOperator_EscalationReplyChannel(t *testing.T) {
	r := newDeskRig(t, &sportello.User{ID: "u-giulia", Name: "Giulia Bianchi", Role: sportello.RoleOperator})
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallActive, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallEnded, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Call ended")
	if strings.Contains(apptest.Text(r.w), "Preferred reply channel") {
		t.Fatal("the reply channel shows before the escalation outcome is chosen")
	}
	apptest.Press(r.w, app.ShortcutOutcome(2)) // escalated: the focus is on the desk choice
	apptest.WaitText(t, r.w, wait, "Choose the desk (Left/Right arrows)", "Preferred reply channel (Left/Right arrows)")
	apptest.Key(r.w, fyne.KeyRight)
	apptest.Key(r.w, fyne.KeyRight)
	apptest.WaitText(t, r.w, wait, "Tributi")
	app.WithUI(func() { r.w.Canvas().FocusNext() }) // Tab
	sel, ok := apptest.Focused(r.w).(*widget.Select)
	if !ok {
		t.Fatalf("Tab from the desk focused %T, want the reply channel", apptest.Focused(r.w))
	}
	var ph string
	app.WithUI(func() { ph = sel.PlaceHolder })
	if ph != "Preferred reply channel (Left/Right arrows)" {
		t.Fatalf("Tab from the desk focused the select %q, want the reply channel", ph)
	}
	apptest.Key(r.w, fyne.KeyRight) // phone
	apptest.Key(r.w, fyne.KeyRight) // email
	apptest.WaitText(t, r.w, wait, "email")
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on case")
	r.cases.mu.Lock()
	defer r.cases.mu.Unlock()
	if len(r.cases.got) != 1 {
		t.Fatalf("recorded %d wrap-ups, want 1", len(r.cases.got))
	}
	if w := r.cases.got[0]; w.DeskID != "desk-tributi" || w.ReplyChannel != sportello.ContactEmail {
		t.Fatalf("wrap-up = %+v, want desk-tributi with email as the reply channel", w)
	}
}

// TestSpecialist_PreferredReplyChannel: the queue line names the
// preferred reply channel of the escalation, and the reply action of that
// channel is marked as the preferred one; a case without one marks none.
func TestSpecialist_PreferredReplyChannel(t *testing.T) {
	r := newDeskRig(t, luca, func(d *desks) {
		k := waiting("k-old", "Rimborso TARI 2023", t0)
		k.Events[1].Channel = sportello.ContactEmail
		d.queue = []*sportello.Case{k, waiting("k-new", "Avviso TARI errato", t0.Add(time.Hour))}
	})
	apptest.WaitText(t, r.w, wait, "Rimborso TARI 2023", "preferred reply: email", "Reply by email  [Alt+M] · preferred")
	if txt := apptest.Text(r.w); strings.Contains(txt, "Print letter  [Alt+L] · preferred") || strings.Contains(txt, "Answer ready by phone  [Alt+T] · preferred") {
		t.Fatal("a reply action other than email is marked preferred")
	}
	apptest.Press(r.w, app.ShortcutQueue)
	apptest.Press(r.w, app.ShortcutKBNext) // the next case: no channel given
	deadline := time.Now().Add(wait)
	for strings.Contains(apptest.Text(r.w), "] · preferred") {
		if time.Now().After(deadline) {
			t.Fatalf("a reply action is still marked preferred on a case without a channel:\n%s", apptest.Text(r.w))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
