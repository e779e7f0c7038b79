package desktop_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/cmd/sportello/internal/desktop"
	"github.com/sportello/sportello/demo"
)

// lockedBuffer is a process's output, read while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startKamailio runs deploy/kamailio/kamailio.cfg on a free port of
// 127.0.0.1 with users (name -> password) and -A defines, in the
// foreground, and stops it at cleanup. (softphone's tests have the full
// helper, with restarts; this is the minimum a desktop test needs.)
func startKamailio(t *testing.T, users map[string]string, defines ...string) string {
	t.Helper()
	bin, err := exec.LookPath("kamailio")
	if err != nil {
		if _, statErr := os.Stat("/usr/sbin/kamailio"); statErr == nil {
			bin = "/usr/sbin/kamailio"
		} else {
			bin = requireTool(t, "kamailio")
		}
	}
	dir := t.TempDir()
	cfg, err := os.ReadFile(filepath.Join(repoRoot(t), "deploy", "kamailio", "kamailio.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kamailio.cfg"), cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	var lines strings.Builder
	for user, pass := range users {
		fmt.Fprintf(&lines, "$sht(users=>%s) = %q;\n", user, pass)
	}
	if err := os.WriteFile(filepath.Join(dir, "users.cfg"), []byte(lines.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	port, err := desktop.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := []string{"-f", filepath.Join(dir, "kamailio.cfg"), "-DD", "-E", "-l", "udp:" + addr, "-Y", dir, "-m", "32", "-M", "4"}
	for _, d := range defines {
		args = append(args, "-A", d)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its children die with it
	if err := cmd.Start(); err != nil {
		t.Fatalf("start kamailio: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("kamailio output:\n%s", tail(out.String(), 40))
		}
	})
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-done:
			t.Fatalf("kamailio exited: %v\n%s", err, tail(out.String(), 40))
		default:
		}
		if optionsOK(addr, 200*time.Millisecond) {
			return addr
		}
	}
	t.Fatalf("kamailio not ready on %s\n%s", addr, tail(out.String(), 40))
	return ""
}

// optionsOK sends one OPTIONS to addr and reports a 200 within wait.
func optionsOK(addr string, wait time.Duration) bool {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return false
	}
	defer conn.Close()
	remote, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return false
	}
	local, id := conn.LocalAddr().String(), strconv.FormatInt(time.Now().UnixNano(), 36)
	msg := "OPTIONS sip:" + addr + " SIP/2.0\r\nVia: SIP/2.0/UDP " + local + ";branch=z9hG4bK-probe" + id +
		";rport\r\nFrom: <sip:probe@" + local + ">;tag=p1\r\nTo: <sip:" + addr + ">\r\nCall-ID: probe-" + id +
		"@sportello.test\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	if _, err := conn.WriteTo([]byte(msg), remote); err != nil {
		time.Sleep(wait)
		return false
	}
	buf := make([]byte, 4096)
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	n, _, err := conn.ReadFrom(buf)
	return err == nil && strings.HasPrefix(string(buf[:n]), "SIP/2.0 200")
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// sippRun is a sipp process the test waits for.
type sippRun struct {
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan error
}

// startSipp runs sipp with args (scenario from softphone/testdata/sipp) on
// 127.0.0.1, and kills it at cleanup if it is still running.
func startSipp(t *testing.T, ctx context.Context, scenario string, args ...string) *sippRun {
	t.Helper()
	bin := requireTool(t, "sipp")
	dir := t.TempDir()
	args = append([]string{"-sf", filepath.Join(repoRoot(t), "softphone", "testdata", "sipp", scenario),
		"-m", "1", "-nostdin", "-i", "127.0.0.1", "-mi", "127.0.0.1", "-timeout", "60s", "-timeout_error",
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log")}, args...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	r := &sippRun{cmd: cmd, out: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = r.out, r.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.done <- cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case err := <-r.done:
			r.done <- err
		default:
			_ = cmd.Process.Kill()
		}
	})
	return r
}

// wait fails the test unless sipp ends successfully (its scenario passed).
func (r *sippRun) wait(t *testing.T, timeout time.Duration) {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err
		if err != nil {
			t.Fatalf("sipp: %v\n%s", err, tail(r.out.String(), 30))
		}
	case <-time.After(timeout):
		t.Fatalf("sipp did not end in %s\n%s", timeout, tail(r.out.String(), 30))
	}
}

// waitListening waits until sipp holds its UDP port: a call sent before
// would be lost to an ICMP error.
func (r *sippRun) waitListening(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-r.done:
			t.Fatalf("sipp exited: %v\n%s", err, tail(r.out.String(), 20))
		default:
		}
		c, err := net.ListenPacket("udp", addr)
		if err != nil { // bound by sipp
			time.Sleep(100 * time.Millisecond)
			return
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("sipp not listening on %s", addr)
}

// registeredDesktop runs the embedded default desktop with its phone
// registered to the Kamailio at registrar as 1001.
func registeredDesktop(t *testing.T, ctx context.Context, registrar, password string) *desktop.Main {
	t.Helper()
	a := test.NewTempApp(t)
	if err := desktop.SetupLanguage("en"); err != nil {
		t.Fatal(err)
	}
	sipPort, err := desktop.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	m := desktop.NewMain()
	if err := m.ParseFlags([]string{"-data", t.TempDir(), "-sip", fmt.Sprintf("127.0.0.1:%d", sipPort),
		"-registrar", "sip:" + registrar, "-sip-user", "1001"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	m.Config.SetSIPPassword(password)
	if err := m.Run(ctx, a); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	m.Desktop.Window.Show()
	return m
}

// TestEndToEnd_ClickToCallHoldThroughKamailio: the desktop registers with
// a real Kamailio (the status bar says as whom and until when); the
// operator finds a citizen, clicks the call button of her number on the
// card, and the call goes through Kamailio to a sipp gateway that answers;
// Ctrl+Shift+H holds and resumes it (sipp checks the re-INVITEs' sendonly
// then sendrecv), Ctrl+Shift+M mutes, and the operator hangs up into the
// wrap-up.
func TestEndToEnd_ClickToCallHoldThroughKamailio(t *testing.T) {
	requireTool(t, "sipp")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	gwPort, err := desktop.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	mediaPort, err := desktop.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	gw := fmt.Sprintf("127.0.0.1:%d", gwPort)
	sipp := startSipp(t, ctx, "uas_hold.xml", "-p", strconv.Itoa(gwPort), "-mp", strconv.Itoa(mediaPort), "-rtp_echo",
		"-key", "codec", "0", "-key", "codecname", "PCMU")
	sipp.waitListening(t, gw)
	registrar := startKamailio(t, map[string]string{"1001": "s3cret"}, `GATEWAY="sip:`+gw+`"`)

	m := registeredDesktop(t, ctx, registrar, "s3cret")
	w := m.Desktop.Window
	apptest.WaitText(t, w, 10*time.Second, "SIP: registered as 1001@"+registrar+" until", "Giulia Bianchi (operator)")
	if reg := m.Phone.Registration(); reg.State != sportello.RegistrationOK || time.Until(reg.Expires) < time.Minute {
		t.Fatalf("registration = %+v", reg)
	}

	apptest.Press(w, app.ShortcutSearch)
	apptest.TypeFocused(w, demo.KnownCaller)
	apptest.Enter(w)
	apptest.WaitText(t, w, 10*time.Second, "Maria Rossi", "Dial +39 02 1234 5678")
	if !apptest.Tap(w, "Dial +39 02 1234 5678") {
		t.Fatal("no call button on the card")
	}
	apptest.WaitText(t, w, 10*time.Second, "In conversation · PCMU")

	apptest.Press(w, app.ShortcutHold)
	apptest.WaitText(t, w, 10*time.Second, "· On hold", "Resume  [Ctrl+Shift+H]")
	apptest.Press(w, app.ShortcutHold)
	apptest.WaitText(t, w, 10*time.Second, "Hold  [Ctrl+Shift+H]")
	if strings.Contains(apptest.Text(w), "On hold") {
		t.Fatal("still on hold after resume")
	}
	apptest.Press(w, app.ShortcutMute)
	apptest.WaitText(t, w, 10*time.Second, "· Muted", "Unmute  [Ctrl+Shift+M]")

	apptest.Press(w, app.ShortcutHangup)
	apptest.WaitText(t, w, 10*time.Second, "Call ended: record the wrap-up")
	sipp.wait(t, 20*time.Second)
}

// TestEndToEnd_RegistrationRefused: a wrong SIP password is said in the
// status bar with Kamailio's own words and the time of the next attempt.
func TestEndToEnd_RegistrationRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	registrar := startKamailio(t, map[string]string{"1001": "s3cret"})
	m := registeredDesktop(t, ctx, registrar, "wrong")
	apptest.WaitText(t, m.Desktop.Window, 10*time.Second, "SIP: registration failed: 403 Wrong Password · retrying at")
}

// TestEndToEnd_MissedCallOnHistory: a citizen gives up while the desktop
// rings (sipp sends CANCEL); the call is recorded as missed on her history
// in syncd, and the card shows it.
func TestEndToEnd_MissedCallOnHistory(t *testing.T) {
	requireTool(t, "sipp")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a := testApp(t)
	m, w, sipPort := embeddedOperator(t, ctx, a)

	own, err := desktop.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	sipp := startSipp(t, ctx, "uac_cancel.xml", "-key", "caller", demo.KnownCaller, "-d", "1500",
		"-p", strconv.Itoa(own), fmt.Sprintf("127.0.0.1:%d", sipPort))
	apptest.WaitText(t, w, 10*time.Second, "Ringing", "Maria Rossi")
	apptest.WaitText(t, w, 10*time.Second, "Missed call · ", "Chiamata persa · Missed call")
	sipp.wait(t, 20*time.Second)

	// syncd has it: a fresh lookup shows it too.
	card, err := m.Client.LookupCaller(ctx, demo.KnownCaller, "test: missed call")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range card.Cases {
		for _, e := range k.Events {
			if e.Kind == sportello.EventWrapUp && e.Outcome == sportello.OutcomeMissed {
				if k.Pending || k.Category != "Chiamata persa" || k.Status != sportello.StatusOpen || e.Author != "Giulia Bianchi" {
					t.Fatalf("missed call case = %+v, event %+v", k, e)
				}
				return
			}
		}
	}
	t.Fatalf("syncd has no missed call for %s", demo.KnownCaller)
}

// TestEndToEnd_SIPPasswordNotFromConfigFile: a SIP password written in
// config.json is ignored (only SPORTELLO_SIP_PASSWORD gives one): the
// registrar's challenge finds none.
func TestEndToEnd_SIPPasswordNotFromConfigFile(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t.Setenv("SPORTELLO_SIP_PASSWORD", "")
	registrar := startKamailio(t, map[string]string{"1001": "s3cret"})
	a := test.NewTempApp(t)
	if err := desktop.SetupLanguage("en"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := fmt.Sprintf(`{"registrar": "sip:%s", "sip_user": "1001", "sip_password": "s3cret", "password": "s3cret"}`, registrar)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	m := desktop.NewMain()
	if err := m.ParseFlags([]string{"-data", dir, "-sip", "127.0.0.1:0"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(ctx, a); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	m.Desktop.Window.Show()
	apptest.WaitText(t, m.Desktop.Window, 10*time.Second, "SIP: registration failed: 401 Unauthorized")
}
