package desktop_test

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/cmd/sportello/internal/desktop"
	"github.com/sportello/sportello/demo"
)

// TestEndToEnd_RaiseHand: two whole desktops on the embedded syncd. The
// operator raises a hand (Ctrl+Shift+W) with a break reason chosen; the
// supervisor's board shows it, in red among the alerts; the supervisor
// answers (Ctrl+Shift+Y) and the operator's desktop says who is coming.
func TestEndToEnd_RaiseHand(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a := test.NewTempApp(t)
	if err := desktop.SetupLanguage("en"); err != nil {
		t.Fatal(err)
	}
	op := desktop.NewMain()
	op.Config.DataDir = t.TempDir()
	op.Config.SIPListen = "off"
	if err := op.Run(ctx, a); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = op.Close() })
	w1 := op.Desktop.Window
	w1.Show()
	apptest.WaitText(t, w1, 10*time.Second, "Giulia Bianchi (operator)", "syncd: online", "State: available", "Raise hand  [Ctrl+Shift+W]")

	sup := desktop.NewMain()
	sup.Config.DataDir = t.TempDir()
	sup.Config.SIPListen = "off"
	sup.Config.ServerURL = op.Embedded.URL()
	sup.Config.Username = "supervisore"
	sup.Config.SetPassword(demo.Password)
	sup.Config.Title = "Sportello supervisione"
	if err := sup.Run(ctx, a); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sup.Close() })
	w2 := sup.Desktop.Window
	w2.Show()
	apptest.WaitText(t, w2, 10*time.Second, "(supervisor)", "Giulia Bianchi · available", "No hand raised")

	apptest.Press(w1, app.ShortcutBreak)
	apptest.WaitText(t, w2, 10*time.Second, "Giulia Bianchi · on a break (pausa)")
	apptest.Press(w1, app.ShortcutRaiseHand)
	apptest.WaitText(t, w1, 10*time.Second, "Hand raised: waiting for a supervisor")
	apptest.WaitText(t, w2, 10*time.Second, "✋ Giulia Bianchi", "ALERT: Giulia Bianchi asks for help", "I am coming  [Ctrl+Shift+Y]")
	apptest.Press(w2, app.ShortcutAnswerHand)
	apptest.WaitText(t, w1, 10*time.Second, "is coming")
	apptest.WaitText(t, w2, 10*time.Second, "is coming")
	apptest.Press(w1, app.ShortcutRaiseHand)
	apptest.WaitText(t, w2, 10*time.Second, "No hand raised")
}
