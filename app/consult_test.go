package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// TestOperator_AttendedTransfer drives "Attended transfer" in the Rubrica
// tab by keyboard: Ctrl+Shift+K consults the chosen number (the phone holds
// the call), Ctrl+Shift+O completes only once the consultation answered,
// Ctrl+Shift+J cancels; a consultation that ends by itself gives the call
// back; a failed completion says the call is still the operator's; a
// completed one preselects "Transferred" with the destination in the
// wrap-up's note. Every action is in the Call menu with its shortcut and
// shows it on its button.
func TestOperator_AttendedTransfer(t *testing.T) {
	dir := &directory{entries: []sportello.DirectoryEntry{
		{ID: "d1", Name: "Ufficio Tributi", Number: "+390288452000", Group: "Comune", Keywords: []string{"tari"}},
	}}
	ph := phonetest.New()
	log := &phoneLog{}
	n := 0
	ph.ConsultFn = func(id, target string) (string, error) {
		n++
		log.add("consult %s %s", id, target)
		return fmt.Sprintf("consult-%d", n), nil
	}
	var completeErr error
	ph.CompleteTransferFn = func(id, consultID string) error {
		log.add("complete %s %s", id, consultID)
		return completeErr
	}
	ph.CancelTransferFn = func(id, consultID string) error { log.add("cancel %s %s", id, consultID); return nil }
	ph.TransferFn = func(id, target string) error { log.add("transfer %s %s", id, target); return nil }
	cases := &cases{result: func(w sportello.WrapUp) *sportello.Case { return &sportello.Case{ID: "k"} }}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: ph, Citizens: &citizens{cards: map[string]*sportello.CallerCard{}}, Cases: cases, Directory: dir,
		User: &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator},
		Now:  func() time.Time { return t0 },
	})
	t.Cleanup(d.Close)
	w := d.Window
	w.Show()

	for label, sc := range map[string]fyne.Shortcut{
		"Attended transfer": app.ShortcutConsult, "Complete the transfer": app.ShortcutCompleteTransfer, "Cancel the transfer": app.ShortcutCancelTransfer,
	} {
		if got := menuShortcut(t, w, label); got != sc {
			t.Errorf("menu %q shortcut = %v", label, got)
		}
	}

	citizen := call(sportello.CallActive, "+390299999999")
	ph.CallsCh <- call(sportello.CallRinging, "+390299999999")
	ph.CallsCh <- citizen
	apptest.WaitText(t, w, wait, "In conversation")
	apptest.Press(w, app.ShortcutDirectory)
	apptest.TypeFocused(w, "tari")
	apptest.WaitText(t, w, wait, "▶ Ufficio Tributi", "Attended transfer  [Ctrl+Shift+K]", "Complete  [Ctrl+Shift+O]", "Undo transfer  [Ctrl+Shift+J]")

	consult := func(id string, state sportello.CallState, reason string) {
		ph.CallsCh <- sportello.Call{ID: id, Direction: sportello.CallOutbound, Number: "+390288452000", State: state,
			StartedAt: t0, ConsultOf: "call-1", EndReason: reason}
	}
	held := citizen
	held.OnHold = true

	// 1. Consult, complete too early, then cancel.
	apptest.Press(w, app.ShortcutConsult)
	log.wait(t, "consult call-1 +390288452000")
	apptest.WaitText(t, w, wait, "Consulting Ufficio Tributi: the citizen is on hold")
	ph.CallsCh <- held
	consult("consult-1", sportello.CallDialing, "")
	apptest.WaitText(t, w, wait, "In conversation · PCMU · ", " · On hold")
	apptest.Press(w, app.ShortcutCompleteTransfer)
	apptest.WaitText(t, w, wait, "The consulted number has not answered yet.")
	apptest.Press(w, app.ShortcutTransferCall) // no blind transfer during a consultation
	consult("consult-1", sportello.CallActive, "")
	apptest.WaitText(t, w, wait, "In consultation with Ufficio Tributi")
	apptest.Press(w, app.ShortcutCancelTransfer)
	log.wait(t, "consult call-1 +390288452000", "cancel call-1 consult-1")
	apptest.WaitText(t, w, wait, "Transfer cancelled: the call is back in hand")
	consult("consult-1", sportello.CallEnded, "local hangup")
	ph.CallsCh <- citizen

	// 2. The consulted number is busy: the consultation ends by itself.
	apptest.Press(w, app.ShortcutConsult)
	log.wait(t, "consult call-1 +390288452000", "cancel call-1 consult-1", "consult call-1 +390288452000")
	apptest.WaitText(t, w, wait, "Consulting Ufficio Tributi")
	consult("consult-2", sportello.CallEnded, "busy")
	apptest.WaitText(t, w, wait, "Consultation ended (Ufficio Tributi, ", "the call is back in hand")

	// 3. Answered, but the transfer fails: the call is still in hand.
	completeErr = fmt.Errorf("complete transfer of call-1: %w: the target answered 486 Busy Here", sportello.ErrTransferFailed)
	apptest.Press(w, app.ShortcutConsult)
	consult("consult-3", sportello.CallActive, "")
	apptest.WaitText(t, w, wait, "In consultation with Ufficio Tributi")
	apptest.Press(w, app.ShortcutCompleteTransfer)
	apptest.WaitText(t, w, wait, "Transfer failed, the call is still yours (Ufficio Tributi): the target answered 486 Busy Here")

	// 4. Completed: both calls end, the wrap-up says where the call went.
	completeErr = nil
	apptest.Press(w, app.ShortcutConsult)
	consult("consult-4", sportello.CallActive, "")
	apptest.WaitText(t, w, wait, "In consultation with Ufficio Tributi")
	if !apptest.Tap(w, "Complete  [Ctrl+Shift+O]") {
		t.Fatal("Complete not tappable")
	}
	apptest.WaitText(t, w, wait, "Call transferred to Ufficio Tributi")
	consult("consult-4", sportello.CallEnded, "transferred")
	ended := call(sportello.CallEnded, "+390299999999")
	ended.EndReason = "transferred"
	ph.CallsCh <- ended
	apptest.WaitText(t, w, wait, "Call ended", "Transferred to Ufficio Tributi (")
	log.wait(t, "consult call-1 +390288452000", "cancel call-1 consult-1", "consult call-1 +390288452000",
		"consult call-1 +390288452000", "complete call-1 consult-3", "consult call-1 +390288452000", "complete call-1 consult-4")
	if text := apptest.Text(w); strings.Contains(text, "Consultation ended") && strings.Contains(text, "consult-4") {
		t.Fatalf("consultation's end reported after the transfer:\n%s", text)
	}
}
