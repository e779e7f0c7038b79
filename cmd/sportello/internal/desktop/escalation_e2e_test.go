package desktop_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/cmd/sportello/internal/desktop"
	"github.com/sportello/sportello/demo"
)

// TestEndToEnd_EscalationReachesTheDesk is issue 5's core loop on two
// whole desktops sharing the embedded syncd: a real sipp call rings the
// operator, who escalates it at wrap-up to a desk with a hand-off note, by
// keyboard; the specialist's desktop has the case pushed into its Sportello
// queue, claims it and marks the answer ready; syncd holds that state and
// the operator's desktop, holding the citizen's card, shows it.
func TestEndToEnd_EscalationReachesTheDesk(t *testing.T) {
	requireTool(t, "sipp")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a := testApp(t)
	op, w1, sipPort := embeddedOperator(t, ctx, a)
	if strings.Contains(apptest.Text(w1), "Desk queue") {
		t.Fatal("the operator has a desk queue")
	}

	// The specialist: a second desktop on the same syncd.
	sp := desktop.NewMain()
	sp.Config.DataDir = t.TempDir()
	sp.Config.SIPListen = "off"
	sp.Config.ServerURL = op.Embedded.URL()
	sp.Config.Username = "specialista"
	sp.Config.SetPassword(demo.Password)
	sp.Config.Title = "Sportello specialista"
	if err := sp.Run(ctx, a); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sp.Close() })
	w2 := sp.Desktop.Window
	w2.Show()
	apptest.WaitText(t, w2, 10*time.Second, "Luca Esposito (specialist)", "syncd: online", "Claim  [Ctrl+Shift+C]")
	before := queueCount(t, w2)

	// The call, answered; sipp hangs up after its pause.
	sipp, sippOut := sippCall(t, ctx, sipPort, demo.KnownCaller)
	apptest.WaitText(t, w1, 10*time.Second, "Ringing", "Maria Rossi")
	apptest.Press(w1, app.ShortcutAnswer)
	apptest.WaitText(t, w1, 10*time.Second, "In conversation · PCMU")
	apptest.WaitText(t, w1, 20*time.Second, "Call ended: record the wrap-up")

	// Escalate by keyboard: Alt+3, Right picks the first desk (Anagrafe,
	// desks come by name), Ctrl+N the hand-off note, Ctrl+S.
	handoff := fmt.Sprintf("E2E %d: cambio di residenza, manca il contratto d'affitto", time.Now().UnixNano())
	apptest.Press(w1, app.ShortcutOutcome(2))
	apptest.WaitText(t, w1, 10*time.Second, "Choose the desk (Left/Right arrows)")
	waitDesks(t, w1)
	apptest.Key(w1, fyne.KeyRight)
	apptest.WaitText(t, w1, 5*time.Second, "Anagrafe")
	apptest.Press(w1, app.ShortcutNote)
	apptest.TypeFocused(w1, handoff)
	apptest.Press(w1, app.ShortcutSave)
	apptest.WaitText(t, w1, 10*time.Second, "Saved on case", "Wrap-up: Escalated to a desk", handoff)

	// Pushed to the specialist's queue: the newest escalation comes last.
	apptest.WaitText(t, w2, 10*time.Second, handoff, fmt.Sprintf("Desk queue · %d cases", before+1))
	apptest.Press(w2, app.ShortcutKBPrev) // from the first case round to the last
	apptest.WaitText(t, w2, 5*time.Second, "▶ Informazioni · "+handoff[:20])
	apptest.Press(w2, app.ShortcutClaim)
	apptest.WaitText(t, w2, 10*time.Second, "Done: Taken by the desk", "taken by Luca Esposito")
	apptest.Press(w2, app.ShortcutQueue)
	apptest.TypeFocused(w2, "Il contratto arriva per email: pratica completata")
	apptest.Press(w2, app.ShortcutAnswerReady)
	apptest.WaitText(t, w2, 10*time.Second, "Done: Answer ready", "answer ready · taken by Luca Esposito")

	// syncd holds it, and the operator's desktop (Maria's card open) shows it.
	apptest.WaitText(t, w1, 10*time.Second, "Answer ready · Luca Esposito", "Il contratto arriva per email: pratica completata")
	q, err := sp.Client.Queue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var k *sportello.Case
	for _, c := range q {
		for _, e := range c.Events {
			if e.Note == handoff {
				k = c
			}
		}
	}
	if k == nil || k.Status != sportello.StatusAnswerReady || k.ClaimedBy != "Luca Esposito" || k.CitizenName != "Maria Rossi" {
		t.Fatalf("syncd's copy of the case: %+v", k)
	}
	if err := sipp.Wait(); err != nil {
		t.Fatalf("sipp: %v\n%s", err, sippOut)
	}
}

// queueCount waits for the queue's first read and returns its "Desk
// queue · N cases".
func queueCount(t *testing.T, w fyne.Window) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, line := range strings.Split(apptest.Text(w), "\n") {
			var n int
			if _, err := fmt.Sscanf(line, "Desk queue · %d cases", &n); err == nil {
				return n
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no queue count on screen:\n%s", apptest.Text(w))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitDesks waits until the wrap-up's desk choice has the focus and its
// options (read from syncd at sign-in): Right on an empty Select picks nothing.
func waitDesks(t *testing.T, w fyne.Window) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var options int
		focused := false
		app.WithUI(func() {
			if s, ok := w.Canvas().Focused().(*widget.Select); ok {
				focused, options = true, len(s.Options)
			}
		})
		if focused && options > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the desk choice has the focus %v and %d desks", focused, options)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
