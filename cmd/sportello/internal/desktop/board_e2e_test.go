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

// TestEndToEnd_BoardFollowsTheOperator: two whole desktops on the
// embedded syncd. The operator's desktop reports its state; the
// supervisor's opens on the Supervisione tab and shows the operator
// available, on a break after Ctrl+P, and offline once the operator's
// desktop closes (its WebSocket with it).
func TestEndToEnd_BoardFollowsTheOperator(t *testing.T) {
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
	apptest.WaitText(t, w1, 10*time.Second, "Giulia Bianchi (operator)", "syncd: online", "State: available")

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
	apptest.WaitText(t, w2, 10*time.Second, "(supervisor)", "Calls in progress", "Giulia Bianchi · available")

	apptest.Press(w1, app.ShortcutBreak)
	apptest.WaitText(t, w2, 10*time.Second, "Giulia Bianchi · on a break")
	apptest.Press(w1, app.ShortcutBreak)
	apptest.WaitText(t, w2, 10*time.Second, "Giulia Bianchi · available")

	// The operator's desktop goes away: syncd marks her offline. (The
	// embedded syncd lives in the operator's Main: close only the UI and
	// the client.)
	op.Desktop.Close()
	if err := op.Client.Close(); err != nil {
		t.Fatal(err)
	}
	apptest.WaitText(t, w2, 10*time.Second, "Giulia Bianchi · offline")
}
