package main_test

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/client"
)

// TestWindow_SupervisorBoardUnderLoad runs syncd as a process on a small
// generated city, "loadgen board" with 50 agents taking calls against it,
// and the real desktop signed in as the supervisor in a window under Xvfb.
// Once syncd's board has agents on calls and wrap-ups recorded, it takes
// build/screenshots/supervisor.png, checks the window painted, and takes a
// second screenshot a few seconds later: the board must have repainted
// (live pushes, no refresh button). The board is the supervisor's main
// screen: the Supervisione tab first and selected at the window's left
// edge (the phone folded into a strip above), not in the tab strip's
// overflow.
func TestWindow_SupervisorBoardUnderLoad(t *testing.T) {
	xvfb := requireTool(t, "Xvfb")
	xdotool := requireTool(t, "xdotool")
	importCmd := requireTool(t, "import")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	root, _ := filepath.Abs("../..")
	dir := t.TempDir()
	bins := map[string]string{}
	for name, pkg := range map[string]string{"sportello": ".", "syncd": "../syncd", "loadgen": "../loadgen"} {
		bins[name] = filepath.Join(dir, name)
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", bins[name], pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}

	// The city: the demo's, a few hundred citizens, and the users of 60
	// desktops (50 operators among them: loadgen's BoardDesktops(50) is 58).
	db := filepath.Join(dir, "syncd.db")
	if out, err := exec.CommandContext(ctx, bins["loadgen"], "data", "--db", db, "--citizens", "300", "--events", "1000", "--desktops", "60").CombinedOutput(); err != nil {
		t.Fatalf("loadgen data: %v\n%s", err, out)
	}
	addr := freeTCPAddr(t)
	url := "http://" + addr
	syncd, syncdOut := start(t, ctx, nil, bins["syncd"], "serve", "--db", db, "--listen", addr)
	sup := client.New(url, nil)
	waitFor(t, 30*time.Second, "syncd", func() bool {
		if syncd.ProcessState != nil {
			t.Fatalf("syncd exited: %s", syncdOut)
		}
		lctx, lcancel := context.WithTimeout(ctx, 5*time.Second)
		defer lcancel()
		_, err := sup.Login(lctx, "supervisore", demo.Password)
		return err == nil
	})

	// 50 agents take calls for the rest of the test: a call cycle of
	// about 13 s, 8 of them on the phone.
	lg, lgOut := start(t, ctx, nil, bins["loadgen"], "board", "--url", url, "--agents", "50", "--boards", "0",
		"--citizens", "300", "--ring", "1s", "--talk", "8s", "--wrap", "2s", "--idle", "2s", "--warmup", "0s", "--duration", "5m")

	display := fmt.Sprintf(":%d", 290+os.Getpid()%100)
	start(t, ctx, nil, xvfb, display, "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	x := func(args ...string) (string, error) {
		out, err := exec.Command("env", append([]string{"DISPLAY=" + display, xdotool}, args...)...).Output()
		return strings.TrimSpace(string(out)), err
	}
	waitFor(t, 10*time.Second, "Xvfb", func() bool { _, err := x("getdisplaygeometry"); return err == nil })
	env := []string{"DISPLAY=" + display, "LANG=en_US.UTF-8", "LANGUAGE=", "LC_ALL=", "SPORTELLO_PASSWORD=" + demo.Password}
	app, appOut := start(t, ctx, env, bins["sportello"], "-data", t.TempDir(), "-sip", "off", "-lang", "it", "-server", url, "-user", "supervisore")
	var win string
	waitFor(t, 60*time.Second, "the supervisor signed in", func() bool {
		if app.ProcessState != nil {
			t.Fatalf("sportello exited: %s", appOut)
		}
		if !strings.Contains(appOut.String(), `msg="signed in"`) {
			return false
		}
		out, err := x("search", "--name", "Sportello")
		if err != nil || out == "" {
			return false
		}
		win = strings.Fields(out)[0]
		return true
	})
	_, _ = x("windowsize", win, "1280", "800")
	_, _ = x("windowmove", win, "0", "0")
	time.Sleep(time.Second)
	if g, err := x("getwindowgeometry", win); err == nil {
		t.Logf("window signed in: %s", strings.ReplaceAll(g, "\n", " "))
	}

	// syncd's board has agents on calls and calls handled today.
	var b *sportello.Board
	waitFor(t, 3*time.Minute, "agents on calls and wrap-ups on the board", func() bool {
		if lg.ProcessState != nil {
			t.Fatalf("loadgen exited: %s", lgOut)
		}
		bctx, bcancel := context.WithTimeout(ctx, 5*time.Second)
		defer bcancel()
		var err error
		b, err = sup.Board(bctx)
		if err != nil {
			t.Logf("board: %v", err)
			return false
		}
		return b.CallsInProgress >= 5 && b.FCR.WrapUps >= 10
	})
	_, _ = x("windowsize", win, "1280", "800")
	time.Sleep(time.Second)
	if g, err := x("getwindowgeometry", win); err == nil {
		t.Logf("window under load: %s", strings.ReplaceAll(g, "\n", " "))
	}
	t.Logf("board: %d agents, %d calls in progress, %d/%d resolved at first contact", len(b.Agents), b.CallsInProgress, b.FCR.Resolved, b.FCR.WrapUps)
	time.Sleep(2 * time.Second) // pushed to the desktop within the debounce; let it paint

	shot := filepath.Join(root, "build", "screenshots", "supervisor.png")
	if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
		t.Fatal(err)
	}
	first := screenshot(t, display, importCmd, shot)
	colours := map[uint32]bool{}
	bounds := first.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 4 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 4 {
			r, g, bl, _ := first.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|bl>>8] = true
		}
	}
	if len(colours) < 20 {
		t.Fatalf("screenshot has only %d colours: the window did not paint", len(colours))
	}
	if w := selectedTabAtLeft(first); w < 60 {
		t.Fatalf("no selected tab at the window's left edge (%d pixels of its underline): the board is not the main screen", w)
	}
	// Text fills the board: the agents' lines, one under the other (an
	// empty or unread board has about 30 such rows; a full one 140-200,
	// depending on how many alerts and FCR lines the run had).
	if rows := textRows(first); rows < 100 {
		t.Fatalf("only %d pixel rows hold text: the board shows too little", rows)
	}

	// Agents change state every few seconds: the board repaints by itself.
	time.Sleep(4 * time.Second)
	second := screenshot(t, display, importCmd, filepath.Join(dir, "later.png"))
	changed := 0
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			if first.At(x, y) != second.At(x, y) {
				changed++
			}
		}
	}
	if changed < 500 {
		t.Fatalf("only %d pixels changed in 4 s under load: the board does not follow the agents", changed)
	}
	t.Logf("screenshot %s: %dx%d, %d colours, %d text rows; %d pixels changed 4 s later", shot, bounds.Dx(), bounds.Dy(), len(colours), textRows(first), changed)
	// The board's long lines wrap: the window still fits the screen.
	geom, _ := x("getwindowgeometry", win)
	var w, h int
	if _, after, ok := strings.Cut(geom, "Geometry: "); !ok {
		t.Fatalf("xdotool getwindowgeometry: %q", geom)
	} else if _, err := fmt.Sscanf(after, "%dx%d", &w, &h); err != nil || w > 1280 || h > 800 {
		t.Fatalf("the window is %dx%d (%v), wider or taller than the 1280x800 screen", w, h, err)
	}
	if strings.Contains(appOut.String(), "level=ERROR") {
		t.Errorf("the desktop logged errors:\n%s", appOut)
	}
}

// freeTCPAddr returns a local TCP address nobody listens on.
func freeTCPAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// screenshot takes the whole X display into path and decodes it.
func screenshot(t *testing.T, display, importCmd, path string) image.Image {
	t.Helper()
	if out, err := exec.Command("env", "DISPLAY="+display, importCmd, "-window", "root", path).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s is not a PNG: %v", path, err)
	}
	return img
}

// selectedTabAtLeft returns the width of the longest run of the theme's
// primary blue (the selected tab's underline) in the window's left fifth
// and top 200 pixels: the Supervisione tab, first and selected. With the
// phone panel on the left, that corner holds only the call's grey
// controls.
func selectedTabAtLeft(img image.Image) int {
	b := img.Bounds()
	best := 0
	for y := b.Min.Y; y < b.Min.Y+200; y++ {
		run := 0
		for x := b.Min.X; x < b.Min.X+b.Dx()/5; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 < 80 && g>>8 > 80 && g>>8 < 150 && bl>>8 > 200 {
				run++
				best = max(best, run)
			} else {
				run = 0
			}
		}
	}
	return best
}

// textRows counts the pixel rows of the board's side of the window (the
// right 60%, below the tabs, above the status bar) with at least a few
// pixels far from the background's colour, taken at the region's top left:
// rows of text, whatever the theme.
func textRows(img image.Image) int {
	b := img.Bounds()
	x0, y0, y1 := b.Min.X+b.Dx()*2/5, b.Min.Y+80, b.Max.Y-60
	lum := func(x, y int) int {
		r, g, bl, _ := img.At(x, y).RGBA()
		return int(r>>8) + int(g>>8) + int(bl>>8)
	}
	bg := lum(x0+8, y0)
	rows := 0
	for y := y0; y < y1; y++ {
		far := 0
		for x := x0; x < b.Max.X; x++ {
			if d := lum(x, y) - bg; d > 300 || d < -300 {
				far++
			}
		}
		if far >= 3 {
			rows++
		}
	}
	return rows
}
