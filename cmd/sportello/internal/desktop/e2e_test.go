package desktop_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/cmd/sportello/internal/desktop"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/client"
)

// requireTool finds a program the test needs; `make test` installs them, so
// there (SPORTELLO_REQUIRE_REAL=1) a missing one fails the test.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("SPORTELLO_REQUIRE_REAL") != "" {
			t.Fatalf("%s is not installed: run `make test`, which installs it", name)
		}
		t.Skipf("%s is not installed (make test installs it)", name)
	}
	return p
}

// repoRoot is the module's root directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// sippCall places one call to the softphone with sipp, as the README does.
func sippCall(t *testing.T, ctx context.Context, sipPort int, caller string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	sipp := requireTool(t, "sipp")
	own, err := desktop.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	media, err := desktop.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.CommandContext(ctx, sipp,
		"-sf", filepath.Join(repoRoot(t), "softphone", "testdata", "sipp", "uac.xml"),
		"-key", "caller", caller, "-m", "1", "-d", "3000", "-rtp_echo", "-nostdin", "-mi", "127.0.0.1", "-timeout", "90s", "-timeout_error",
		"-i", "127.0.0.1", "-p", fmt.Sprint(own), "-mp", fmt.Sprint(media),
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log"),
		fmt.Sprintf("127.0.0.1:%d", sipPort))
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd, &out
}

// TestEndToEnd_CallPopsHistoryAndWrapUpReachesOthers is the walking
// skeleton's path: a real sipp call rings the operator's desktop, which
// shows the caller's card and history (from syncd) while ringing; the
// operator answers and, after the caller hangs up, records the wrap-up by
// keyboard; syncd stores it and pushes it to a second client and to a
// second desktop that shows the same citizen.
func TestEndToEnd_CallPopsHistoryAndWrapUpReachesOthers(t *testing.T) {
	requireTool(t, "sipp")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a := testApp(t)
	m1, w1, sipPort := embeddedOperator(t, ctx, a)
	apptest.WaitText(t, w1, 10*time.Second, fmt.Sprintf("SIP: listening on udp 127.0.0.1:%d", sipPort), "syncd: online", "Giulia Bianchi (operator)")
	url := m1.Embedded.URL()

	// Desktop 2: another operator on the same syncd, with Maria's card open.
	m2 := desktop.NewMain()
	m2.Config.DataDir = t.TempDir()
	m2.Config.SIPListen = "off"
	m2.Config.ServerURL = url
	m2.Config.Username = "operatore2"
	m2.Config.SetPassword(demo.Password)
	m2.Config.Title = "Sportello 2"
	if err := m2.Run(ctx, a); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m2.Close() })
	w2 := m2.Desktop.Window
	w2.Show()
	apptest.WaitText(t, w2, 10*time.Second, "Marco Ferri (operator)", "syncd: online")
	apptest.Press(w2, app.ShortcutSearch)
	apptest.TypeFocused(w2, demo.KnownCaller)
	apptest.Enter(w2)
	apptest.WaitText(t, w2, 10*time.Second, "Maria Rossi")

	// The knowledge base was copied at sign-in: search it as the operator types.
	apptest.Press(w1, app.ShortcutKB)
	apptest.TypeFocused(w1, "carta identita")
	apptest.WaitText(t, w1, 10*time.Second, "Carta d'identità elettronica (CIE)", "What to bring")

	// A plain sync client listening for pushed changes.
	c3 := client.New(url, nil)
	if _, err := c3.Login(ctx, "supervisore", demo.Password); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var pushed []sportello.Change
	cancelSub := c3.Subscribe(func(sportello.SyncState) {}, func(ch sportello.Change) {
		mu.Lock()
		pushed = append(pushed, ch)
		mu.Unlock()
	})
	defer cancelSub()
	if err := c3.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer c3.Close()

	// The call. Everything below the ringing assertions happens before answer.
	sipp, sippOut := sippCall(t, ctx, sipPort, demo.KnownCaller)
	apptest.WaitText(t, w1, 10*time.Second, "Ringing", "+39 02 1234 5678", "Maria Rossi", "Open cases", "Wrap-up: Resolved at first contact")
	var title string
	app.WithUI(func() { title = w1.Title() })
	if !strings.Contains(title, "Incoming call") {
		t.Fatalf("title %q does not announce the call", title)
	}
	if strings.Contains(apptest.Text(w1), "In conversation") {
		t.Fatal("the call was answered before the operator answered")
	}

	apptest.Press(w1, app.ShortcutAnswer)
	apptest.WaitText(t, w1, 10*time.Second, "In conversation · PCMU")
	// sipp hangs up after its pause.
	apptest.WaitText(t, w1, 20*time.Second, "Call ended: record the wrap-up")

	note := fmt.Sprintf("E2E %d: orari dell'anagrafe comunicati", time.Now().UnixNano())
	apptest.Press(w1, app.ShortcutOutcome(0))
	apptest.Press(w1, app.ShortcutNote)
	apptest.TypeFocused(w1, note)
	apptest.Press(w1, app.ShortcutSave)
	apptest.WaitText(t, w1, 10*time.Second, "Saved on case", note)

	// The second desktop shows it at once, from the push.
	apptest.WaitText(t, w2, 5*time.Second, note)

	// And the plain client got it as a case event from syncd.
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		var found *sportello.Change
		for i := range pushed {
			if e := pushed[i].Event; e != nil && e.Kind == sportello.EventWrapUp && e.Note == note {
				found = &pushed[i]
			}
		}
		mu.Unlock()
		if found != nil {
			if found.Event.Outcome != sportello.OutcomeResolvedFirstContact || found.Seq == 0 {
				t.Fatalf("pushed wrap-up = %+v", found)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the wrap-up was not pushed to the second client; got %d changes", len(pushed))
		}
		time.Sleep(20 * time.Millisecond)
	}

	if err := sipp.Wait(); err != nil {
		t.Fatalf("sipp: %v\n%s", err, sippOut)
	}
}

// TestEndToEnd_UnknownCaller: a number no citizen has pops "unknown caller".
func TestEndToEnd_UnknownCaller(t *testing.T) {
	requireTool(t, "sipp")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, w, sipPort := embeddedOperator(t, ctx, testApp(t))
	sippCall(t, ctx, sipPort, "+390299999999")
	apptest.WaitText(t, w, 10*time.Second, "Ringing", "Unknown caller +39 02 9999 9999", "No open cases")
	apptest.Press(w, app.ShortcutHangup)
	apptest.WaitText(t, w, 10*time.Second, "Missed call")
}

// testApp is Fyne's headless test app with the UI in English.
func testApp(t *testing.T) fyne.App {
	t.Helper()
	a := test.NewTempApp(t)
	if err := desktop.SetupLanguage("en"); err != nil {
		t.Fatal(err)
	}
	return a
}

// embeddedOperator starts the embedded default, as `make run` does, with
// the softphone on a free SIP port, and waits until the demo operator is
// signed in and online.
func embeddedOperator(t *testing.T, ctx context.Context, a fyne.App) (*desktop.Main, fyne.Window, int) {
	t.Helper()
	sipPort, err := desktop.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	m := desktop.NewMain()
	m.Config.DataDir = t.TempDir()
	m.Config.SIPListen = fmt.Sprintf("127.0.0.1:%d", sipPort)
	if err := m.Run(ctx, a); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	w := m.Desktop.Window
	w.Show()
	apptest.WaitText(t, w, 10*time.Second, "Giulia Bianchi (operator)", "syncd: online")
	return m, w, sipPort
}
