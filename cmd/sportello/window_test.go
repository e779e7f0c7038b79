package main_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/client"
)

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

func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// start runs a command that the test stops at its end.
func start(t *testing.T, ctx context.Context, env []string, name string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd, &out
}

// waitFor polls f until it returns true or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestWindow_RingingScreenshot runs the real desktop binary in a real window
// under Xvfb, calls it with sipp, takes the screenshot of the ringing call
// with the caller's history (build/screenshots/operator-ringing.png), then
// answers with the keyboard through xdotool and lets sipp finish the call.
func TestWindow_RingingScreenshot(t *testing.T) {
	xvfb := requireTool(t, "Xvfb")
	xdotool := requireTool(t, "xdotool")
	importCmd := requireTool(t, "import")
	sipp := requireTool(t, "sipp")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "sportello")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	display := fmt.Sprintf(":%d", 90+os.Getpid()%100)
	start(t, ctx, nil, xvfb, display, "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	env := []string{"DISPLAY=" + display, "LANG=en_US.UTF-8", "LANGUAGE=", "LC_ALL="}
	waitFor(t, 10*time.Second, "Xvfb", func() bool {
		return exec.Command(xdotool, "getdisplaygeometry").Run() == nil ||
			exec.Command("env", "DISPLAY="+display, xdotool, "getdisplaygeometry").Run() == nil
	})

	sipPort := freeUDPPort(t)
	app, appOut := start(t, ctx, env, bin, "-data", t.TempDir(), "-sip", fmt.Sprintf("127.0.0.1:%d", sipPort), "-lang", "it")
	var win string
	waitFor(t, 60*time.Second, "the Sportello window", func() bool {
		if app.ProcessState != nil {
			t.Fatalf("sportello exited: %s", appOut)
		}
		out, err := exec.Command("env", "DISPLAY="+display, xdotool, "search", "--name", "Sportello").Output()
		if err != nil {
			return false
		}
		win = strings.Fields(string(out))[0]
		return true
	})
	title := func() string {
		out, _ := exec.Command("env", "DISPLAY="+display, xdotool, "getwindowname", win).Output()
		return strings.TrimSpace(string(out))
	}
	_ = exec.Command("env", "DISPLAY="+display, xdotool, "windowsize", win, "1280", "800").Run()
	_ = exec.Command("env", "DISPLAY="+display, xdotool, "windowmove", win, "0", "0").Run()

	sippDir := t.TempDir()
	call, callOut := start(t, ctx, nil, sipp,
		"-sf", filepath.Join(root, "softphone", "testdata", "sipp", "uac.xml"),
		"-key", "caller", "+390212345678", "-m", "1", "-d", "3000", "-rtp_echo", "-nostdin", "-mi", "127.0.0.1", "-timeout", "90s", "-timeout_error",
		"-i", "127.0.0.1", "-p", fmt.Sprint(freeUDPPort(t)), "-mp", fmt.Sprint(freeUDPPort(t)),
		"-trace_err", "-error_file", filepath.Join(sippDir, "errors.log"),
		fmt.Sprintf("127.0.0.1:%d", sipPort))
	waitFor(t, 20*time.Second, "the window to ring", func() bool {
		return strings.Contains(title(), "Chiamata in arrivo")
	})
	time.Sleep(2 * time.Second) // the caller card is fetched while it rings; let it paint

	shot := filepath.Join(root, "build", "screenshots", "operator-ringing.png")
	if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("env", "DISPLAY="+display, importCmd, "-window", "root", shot).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	// A painted window has many colours; a blank or black screen has one.
	colours := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|bl>>8] = true
		}
	}
	if len(colours) < 20 {
		t.Fatalf("screenshot has only %d colours: the window did not paint", len(colours))
	}
	t.Logf("screenshot %s: %dx%d, %d colours", shot, b.Dx(), b.Dy(), len(colours))

	// Answer with the keyboard in the real window; sipp then hangs up by itself.
	_ = exec.Command("env", "DISPLAY="+display, xdotool, "windowactivate", "--sync", win).Run()
	_ = exec.Command("env", "DISPLAY="+display, xdotool, "windowfocus", "--sync", win).Run()
	if out, err := exec.Command("env", "DISPLAY="+display, xdotool, "key", "--window", win, "ctrl+Return").CombinedOutput(); err != nil {
		t.Fatalf("xdotool key: %v\n%s", err, out)
	}
	done := make(chan error, 1)
	go func() { done <- call.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("sipp: %v\n%s\n--- sportello:\n%s", err, callOut, appOut)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the call did not complete after answering by keyboard\n%s", callOut)
	}
}

// TestWindow_SpecialistQueue runs the desktop as a specialist in a real
// window, screenshots the desk queue (build/screenshots/specialist-queue.png),
// claims the first case with Ctrl+Shift+C and checks on syncd that the
// claim is recorded.
func TestWindow_SpecialistQueue(t *testing.T) {
	xvfb := requireTool(t, "Xvfb")
	xdotool := requireTool(t, "xdotool")
	importCmd := requireTool(t, "import")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	root, _ := filepath.Abs("../..")
	bin := filepath.Join(t.TempDir(), "sportello")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	display := fmt.Sprintf(":%d", 190+os.Getpid()%100)
	start(t, ctx, nil, xvfb, display, "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	x := func(args ...string) (string, error) {
		out, err := exec.Command("env", append([]string{"DISPLAY=" + display, xdotool}, args...)...).Output()
		return strings.TrimSpace(string(out)), err
	}
	waitFor(t, 10*time.Second, "Xvfb", func() bool { _, err := x("getdisplaygeometry"); return err == nil })

	env := []string{"DISPLAY=" + display, "LANG=en_US.UTF-8", "LANGUAGE=", "LC_ALL=", "SPORTELLO_PASSWORD=demo"}
	app, appOut := start(t, ctx, env, bin, "-data", t.TempDir(), "-sip", "off", "-lang", "it", "-user", "specialista")
	var win, url string
	waitFor(t, 60*time.Second, "the specialist signed in", func() bool {
		if app.ProcessState != nil {
			t.Fatalf("sportello exited: %s", appOut)
		}
		for _, line := range strings.Split(appOut.String(), "\n") {
			if strings.Contains(line, `msg="signed in"`) && strings.Contains(line, "agent=specialista") {
				if _, after, ok := strings.Cut(line, "server="); ok {
					url = strings.Fields(after)[0]
				}
			}
		}
		out, err := x("search", "--name", "Sportello")
		if err != nil || url == "" {
			return false
		}
		win = strings.Fields(out)[0]
		return true
	})
	_, _ = x("windowsize", win, "1280", "800")
	_, _ = x("windowmove", win, "0", "0")
	time.Sleep(time.Second)
	if _, err := x("key", "--window", win, "ctrl+d"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	shot := filepath.Join(root, "build", "screenshots", "specialist-queue.png")
	_ = os.MkdirAll(filepath.Dir(shot), 0o755)
	if out, err := exec.Command("env", "DISPLAY="+display, importCmd, "-window", "root", shot).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}

	// Claim the first case of the queue. The demo city is made for the
	// day the test runs, and on some days that case waits with the
	// specialist already: release it first (Ctrl+Shift+L), then claim it.
	first := queue(t, url)
	if len(first) == 0 {
		t.Fatal("the desk queue is empty")
	}
	claimedBy := func(name string) func() bool {
		return func() bool {
			q := queue(t, url)
			return len(q) > 0 && q[0].ID == first[0].ID && q[0].ClaimedBy == name
		}
	}
	switch first[0].ClaimedBy {
	case "":
	case "Luca Esposito":
		if _, err := x("key", "--window", win, "ctrl+shift+l"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 10*time.Second, "the release on syncd", claimedBy(""))
	default:
		t.Fatalf("queue before the claim: %+v", first)
	}
	if _, err := x("key", "--window", win, "ctrl+shift+c"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the claim on syncd", claimedBy("Luca Esposito"))
}

// queue returns the desk queue as a supervisor of the syncd at url sees it.
func queue(t *testing.T, url string) []sportello.Case {
	t.Helper()
	c := client.New(url, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Login(ctx, "supervisore", "demo"); err != nil {
		t.Fatal(err)
	}
	q, err := c.Queue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]sportello.Case, len(q))
	for i, k := range q {
		out[i] = *k
	}
	return out
}
