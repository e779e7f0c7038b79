package desktop_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/cmd/sportello/internal/desktop"
	"github.com/sportello/sportello/demo"
)

// TestEndToEnd_SupervisorAlertAndSettings: two whole desktops on the
// embedded syncd. The supervisor's opens on the board with the phone
// folded; the operator raises a hand and the alert it raises on the board
// plays on the supervisor's speaker (a file device: its WAV appears with
// the alert). Then Ctrl+, opens Settings: high contrast chosen and Enter
// saves it into the supervisor's config.json (the dialog closes), and
// the theme applies.
func TestEndToEnd_SupervisorAlertAndSettings(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a := testApp(t)
	op := desktop.NewMain()
	op.Config.DataDir = t.TempDir()
	op.Config.SIPListen = "off"
	if err := op.Run(ctx, a); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = op.Close() })
	w1 := op.Desktop.Window
	w1.Show()
	apptest.WaitText(t, w1, 10*time.Second, "Giulia Bianchi (operator)", "syncd: online", "Raise hand  [Ctrl+Shift+W]")

	sup := desktop.NewMain()
	sup.Config.DataDir = t.TempDir()
	sup.Config.SIPListen = "127.0.0.1:0"
	spk := filepath.Join(t.TempDir(), "speaker.wav")
	sup.Config.Sound = desktop.Sound{Microphone: "null", Speaker: "file:" + spk, RingDevice: "null"}
	sup.Config.ServerURL = op.Embedded.URL()
	sup.Config.Username = "supervisore"
	sup.Config.SetPassword(demo.Password)
	sup.Config.TextScale = 1
	if err := sup.Run(ctx, a); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sup.Close() })
	w2 := sup.Desktop.Window
	w2.Show()
	apptest.WaitText(t, w2, 10*time.Second, "(supervisor)", "Giulia Bianchi · available", "Phone panel  [Ctrl+Shift+F]")
	alert := filepath.Join(filepath.Dir(spk), "speaker-alert.wav")
	// An alert standing at sign-in (the demo day's) sounds too: let it
	// end (600 ms) before listening for the hand's.
	time.Sleep(time.Second)
	_ = os.Remove(alert)

	apptest.Press(w1, app.ShortcutRaiseHand)
	apptest.WaitText(t, w2, 10*time.Second, "ALERT: Giulia Bianchi asks for help")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if fi, err := os.Stat(alert); err == nil && fi.Size() > 44 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the raised hand's alert did not reach the supervisor's speaker")
		}
		time.Sleep(20 * time.Millisecond)
	}

	apptest.Press(w2, app.ShortcutSettings)
	apptest.WaitText(t, w2, 10*time.Second, "Text size (0.5 to 3)", "Normal")
	app.WithUI(func() { w2.Canvas().(interface{ FocusNext() }).FocusNext() }) // theme
	apptest.Key(w2, fyne.KeyRight)
	apptest.Enter(w2)
	var b []byte
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var err error
		if b, err = os.ReadFile(filepath.Join(sup.Config.DataDir, "config.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no config.json after Enter: %v\n%s", err, apptest.Text(w2))
		}
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil || doc["theme"] != "high-contrast" || doc["speaker"] != "file:"+spk {
		t.Fatalf("config.json after saving: %s (%v)", b, err)
	}
	var th fyne.Theme
	app.WithUI(func() { th = a.Settings().Theme() })
	if at, ok := th.(*app.Theme); !ok || !at.HighContrast {
		t.Fatalf("theme after saving: %#v", th)
	}
}
