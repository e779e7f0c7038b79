package softphone_test

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

	"github.com/sportello/sportello/softphone"
)

// kamailio is a Kamailio process running deploy/kamailio/kamailio.cfg on a
// free port of 127.0.0.1, in the foreground, with its own temp directory;
// the test stops it at cleanup.
type kamailio struct {
	t    *testing.T
	bin  string
	dir  string
	addr string // "127.0.0.1:port"
	args []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// requireKamailio returns the path of kamailio or skips the test (fails it
// when SPORTELLO_REQUIRE_REAL=1).
func requireKamailio(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("kamailio")
	if err != nil {
		for _, p := range []string{"/usr/sbin/kamailio", "/usr/local/sbin/kamailio"} {
			if _, statErr := os.Stat(p); statErr == nil {
				return p
			}
		}
		if os.Getenv("SPORTELLO_REQUIRE_REAL") == "1" {
			t.Fatalf("kamailio not found (install Debian's kamailio): %v", err)
		}
		t.Skip("kamailio not installed; set SPORTELLO_REQUIRE_REAL=1 to make this a failure")
	}
	return path
}

// startKamailio starts Kamailio with the given users (name -> password) and
// extra -A defines (e.g. "MAX_EXPIRES=6").
func startKamailio(t *testing.T, users map[string]string, defines ...string) *kamailio {
	t.Helper()
	k := &kamailio{t: t, bin: requireKamailio(t), dir: t.TempDir()}
	cfg, err := os.ReadFile(filepath.Join("..", "deploy", "kamailio", "kamailio.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(k.dir, "kamailio.cfg"), cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	var lines strings.Builder
	for user, pass := range users {
		fmt.Fprintf(&lines, "$sht(users=>%s) = %q;\n", user, pass)
	}
	if err := os.WriteFile(filepath.Join(k.dir, "users.cfg"), []byte(lines.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	k.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(freeUDPPort(t)))
	k.args = []string{
		"-f", filepath.Join(k.dir, "kamailio.cfg"), "-DD", "-E",
		"-l", "udp:" + k.addr, "-Y", k.dir, "-m", "32", "-M", "4",
	}
	for _, d := range defines {
		k.args = append(k.args, "-A", d)
	}
	k.start()
	t.Cleanup(func() {
		k.stop()
		if t.Failed() {
			t.Logf("kamailio log:\n%s", lastLines(k.output(), 60))
		}
	})
	return k
}

// freeUDPPort returns a port of 127.0.0.1 that was free a moment ago for
// UDP and for TCP both: baresip and Kamailio bind their SIP port on both
// transports, and a port free only for UDP may be some TCP connection's
// ephemeral end (a baresip failed so once in a fresh-clone CI run).
func freeUDPPort(t testing.TB) int {
	t.Helper()
	for range 50 {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := c.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		c.Close()
		if err == nil {
			l.Close()
			return port
		}
	}
	t.Fatal("no port of 127.0.0.1 free for both UDP and TCP in 50 tries")
	return 0
}

// start runs the process and waits until it answers OPTIONS.
func (k *kamailio) start() {
	k.t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.out == nil {
		k.out = &syncBuffer{}
	}
	cmd := exec.Command(k.bin, k.args...)
	cmd.Dir = k.dir
	cmd.Stdout, cmd.Stderr = k.out, k.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its children die with it
	if err := cmd.Start(); err != nil {
		k.t.Fatalf("start kamailio: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	k.cmd, k.done = cmd, done

	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			done <- err
			k.t.Fatalf("kamailio exited: %v\n%s", err, lastLines(k.out.String(), 40))
		default:
		}
		if optionsOK(k.addr, 200*time.Millisecond) {
			return
		}
	}
	k.t.Fatalf("kamailio not ready on %s\n%s", k.addr, lastLines(k.out.String(), 40))
}

// stop ends the process group: SIGTERM, then SIGKILL after 5 s.
func (k *kamailio) stop() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cmd == nil {
		return
	}
	pgid := k.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-k.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-k.done
	}
	k.cmd = nil
}

func (k *kamailio) output() string {
	if k.out == nil {
		return ""
	}
	return k.out.String()
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
	local := conn.LocalAddr().String()
	msg := "OPTIONS sip:" + addr + " SIP/2.0\r\nVia: SIP/2.0/UDP " + local + ";branch=z9hG4bK-probe" +
		strconv.FormatInt(time.Now().UnixNano(), 36) + ";rport\r\nFrom: <sip:probe@" + local +
		">;tag=p1\r\nTo: <sip:" + addr + ">\r\nCall-ID: probe-" + strconv.FormatInt(time.Now().UnixNano(), 36) +
		"@sportello.test\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	if _, err := conn.WriteTo([]byte(msg), remote); err != nil {
		time.Sleep(wait)
		return false
	}
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(wait))
	n, _, err := conn.ReadFrom(buf)
	return err == nil && strings.HasPrefix(string(buf[:n]), "SIP/2.0 200")
}

// waitRegistration returns the first registration snapshot in state.
func waitRegistration(ctx context.Context, t *testing.T, p *softphone.Phone, state softphone.RegistrationState) softphone.Registration {
	t.Helper()
	for {
		if r := p.Registration(); r.State == state {
			return r
		}
		select {
		case r, ok := <-p.Registrations():
			if !ok {
				t.Fatalf("registrations channel closed waiting for %q", state)
			}
			if r.State == state {
				return r
			}
			t.Logf("registration: %+v", r)
		case <-ctx.Done():
			t.Fatalf("registration not %q: %v (now %+v)", state, ctx.Err(), p.Registration())
		}
	}
}

// letRing waits a moment before answering a call that came through
// Kamailio: answered at once, the phone's 180 and 200 leave within a
// millisecond and Kamailio's two UDP workers may relay them out of order;
// sipp then takes the late 180 as unexpected and aborts the call. (A person
// never answers that fast; the phone itself handles either order.)
func letRing() { time.Sleep(300 * time.Millisecond) }
