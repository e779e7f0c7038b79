package softphone_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

const callerNumber = "+390212345678"

// testLogger logs at Warn (Debug with SOFTPHONE_DEBUG=1) into the test log,
// and drops lines written after the test ended by goroutines of the stack.
func testLogger(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(w.stop)
	level := slog.LevelWarn
	if os.Getenv("SOFTPHONE_DEBUG") == "1" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

type testWriter struct {
	mu      sync.Mutex
	t       *testing.T
	stopped bool
}

func (w *testWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.t.Log(strings.TrimRight(string(b), "\n"))
	}
	return len(b), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
}

// startPhone starts a phone on a free port of 127.0.0.1 and closes it at
// the end of the test.
func startPhone(t *testing.T, opts ...softphone.Option) *softphone.Phone {
	t.Helper()
	opts = append([]softphone.Option{softphone.WithListenAddr("127.0.0.1:0"), softphone.WithLogger(testLogger(t))}, opts...)
	p := softphone.New(opts...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

// hostPort returns the "host:port" part of Addr.
func hostPort(t *testing.T, p *softphone.Phone) string {
	t.Helper()
	network, addr, ok := strings.Cut(p.Addr(), " ")
	if !ok || network != "udp" {
		t.Fatalf("Addr() = %q, want \"udp host:port\"", p.Addr())
	}
	return addr
}

// requireSipp returns the path of sipp or skips the test (fails it when
// SPORTELLO_REQUIRE_REAL=1).
func requireSipp(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("sipp")
	if err != nil {
		if os.Getenv("SPORTELLO_REQUIRE_REAL") == "1" {
			t.Fatalf("sipp not found (install Debian's sip-tester): %v", err)
		}
		t.Skip("sipp not installed; set SPORTELLO_REQUIRE_REAL=1 to make this a failure")
	}
	return path
}

// freeMediaPort returns an even UDP port that is free along with port+2
// (sipp's -rtp_echo also binds the video port).
func freeMediaPort(t *testing.T) int {
	t.Helper()
	for range 50 {
		a, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := a.LocalAddr().(*net.UDPAddr).Port &^ 1
		a.Close()
		var conns []net.PacketConn
		ok := true
		for _, p := range []int{port, port + 1, port + 2, port + 3} {
			c, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
			if err != nil {
				ok = false
				break
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			c.Close()
		}
		if ok {
			return port
		}
	}
	t.Fatal("no free media port")
	return 0
}

// sippRun is a running sipp; done delivers its exit error once.
type sippRun struct {
	out  *bytes.Buffer
	done chan error
}

// startSipp runs the scenario against the phone; the process is killed when
// ctx ends and at the end of the test.
func startSipp(ctx context.Context, t *testing.T, p *softphone.Phone, scenario string, args ...string) *sippRun {
	t.Helper()
	return startSippTo(ctx, t, hostPort(t, p), scenario, args...)
}

// startSippTo runs the scenario against target ("host:port"; "" for a
// scenario that waits for calls).
func startSippTo(ctx context.Context, t *testing.T, target, scenario string, args ...string) *sippRun {
	t.Helper()
	return startSippIn(ctx, t, "", target, scenario, args...)
}

// startSippIn runs sipp in dir (a new temp dir when ""), where the scenario
// finds the files it names by relative path.
func startSippIn(ctx context.Context, t *testing.T, dir, target, scenario string, args ...string) *sippRun {
	t.Helper()
	bin := requireSipp(t)
	sf, err := filepath.Abs(filepath.Join("testdata", "sipp", scenario))
	if err != nil {
		t.Fatal(err)
	}
	full := []string{"-sf", sf}
	if !slices.Contains(args, "caller") { // sipp keeps the first -key caller
		full = append(full, "-key", "caller", callerNumber)
	}
	full = append(append(full, "-m", "1",
		"-i", "127.0.0.1", "-mi", "127.0.0.1", "-nostdin", "-timeout", "40s", "-timeout_error",
	), args...)
	if target != "" {
		full = append(full, target)
	}
	if keep := os.Getenv("SIPP_TRACE_DIR"); keep != "" {
		// Debugging: keep sipp's message trace (in dir when the scenario
		// needs its files).
		full = append([]string{"-trace_msg"}, full...)
		if dir == "" {
			dir = keep
		}
	}
	if dir == "" {
		dir = t.TempDir() // sipp may write logs in its working directory
	}
	cmd := exec.CommandContext(ctx, bin, full...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sipp: %v", err)
	}
	r := &sippRun{out: &out, done: make(chan error, 1)}
	go func() { r.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-r.done
		if t.Failed() {
			t.Logf("sipp %s output:\n%s", scenario, lastLines(out.String(), 40))
		}
	})
	return r
}

// wait waits for sipp to exit and fails the test unless it succeeded.
func (r *sippRun) wait(ctx context.Context, t *testing.T) {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("sipp failed: %v\n%s", err, lastLines(r.out.String(), 40))
		}
	case <-ctx.Done():
		t.Fatalf("sipp still running: %v", ctx.Err())
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitCall returns the next snapshot of a call from number in state.
func waitCall(ctx context.Context, t *testing.T, p *softphone.Phone, number string, state sportello.CallState) sportello.Call {
	t.Helper()
	for {
		select {
		case c, ok := <-p.Calls():
			if !ok {
				t.Fatalf("calls channel closed waiting for %s", state)
			}
			if c.Number == number && c.State == state {
				return c
			}
		case <-ctx.Done():
			t.Fatalf("no %s call from %s: %v", state, number, ctx.Err())
		}
	}
}

func TestPhone_RemoteHangup(t *testing.T) {
	requireSipp(t)
	heard := filepath.Join(t.TempDir(), "heard.wav")
	p := startPhone(t, softphone.WithAudio(func(callID string) (audio.Source, audio.Sink, error) {
		sink, err := audio.CreateWAV(heard)
		return audio.NewTone(1000, 0), sink, err
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sipp := startSipp(ctx, t, p, "uac.xml", "-d", "3000", "-rtp_echo", "-mp", strconv.Itoa(freeMediaPort(t)))

	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	if ring.Direction != sportello.CallInbound || ring.Name != "Citizen" || ring.StartedAt.IsZero() || ring.ID == "" {
		t.Fatalf("ringing snapshot = %+v", ring)
	}
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	active := waitCall(ctx, t, p, callerNumber, sportello.CallActive)
	if active.ID != ring.ID || active.Codec != "PCMU" || active.AnsweredAt.IsZero() {
		t.Fatalf("active snapshot = %+v", active)
	}
	if err := p.Answer(ring.ID); !errors.Is(err, sportello.ErrCallNotReady) {
		t.Fatalf("second Answer error = %v, want ErrCallNotReady", err)
	}

	ended := waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	if ended.EndReason != softphone.ReasonRemoteHangup || ended.EndedAt.IsZero() {
		t.Fatalf("ended snapshot = %+v, want reason %q", ended, softphone.ReasonRemoteHangup)
	}
	sipp.wait(ctx, t)
	if err := p.Hangup(ring.ID); !errors.Is(err, sportello.ErrNoSuchCall) {
		t.Fatalf("Hangup after end error = %v, want ErrNoSuchCall", err)
	}

	// sipp echoed our tone: hearing it back proves audio both ways.
	samples := readWAV(t, heard)
	if len(samples) < audio.SampleRate {
		t.Fatalf("heard %d samples, want at least 1 s of audio", len(samples))
	}
	at1000, at1500 := audio.Goertzel(samples, 1000), audio.Goertzel(samples, 1500)
	t.Logf("heard %.2f s; energy at 1000 Hz %.3f, at 1500 Hz %.3f", float64(len(samples))/audio.SampleRate, at1000, at1500)
	if at1000 < 0.5 || at1500 > 0.05 {
		t.Fatalf("echoed tone not heard: energy at 1000 Hz %.3f, at 1500 Hz %.3f", at1000, at1500)
	}
}

func readWAV(t *testing.T, path string) []int16 {
	t.Helper()
	src, err := audio.OpenWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var all []int16
	frame := make([]int16, audio.FrameSamples)
	for {
		if err := src.ReadPCM(frame); errors.Is(err, io.EOF) {
			return all
		} else if err != nil {
			t.Fatal(err)
		}
		all = append(all, frame...)
	}
}

func TestPhone_LocalHangup(t *testing.T) {
	requireSipp(t)
	rec := &audio.Recorder{}
	p := startPhone(t, softphone.WithAudio(func(string) (audio.Source, audio.Sink, error) {
		return audio.NewTone(1000, 0), rec, nil
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sipp := startSipp(ctx, t, p, "uac_local_hangup.xml", "-rtp_echo", "-mp", strconv.Itoa(freeMediaPort(t)))
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitCall(ctx, t, p, callerNumber, sportello.CallActive)
	time.Sleep(time.Second) // let some audio flow
	if err := p.Hangup(ring.ID); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	ended := waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	if ended.EndReason != softphone.ReasonLocalHangup {
		t.Fatalf("end reason = %q, want %q", ended.EndReason, softphone.ReasonLocalHangup)
	}
	sipp.wait(ctx, t)
	if r := audio.Goertzel(rec.Samples(), 1000); r < 0.5 {
		t.Fatalf("echoed tone energy at 1000 Hz = %.3f over %d samples", r, len(rec.Samples()))
	}
}

func TestPhone_Cancel(t *testing.T) {
	requireSipp(t)
	p := startPhone(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sipp := startSipp(ctx, t, p, "uac_cancel.xml", "-d", "500")
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	ended := waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	if ended.ID != ring.ID || ended.EndReason != softphone.ReasonCancelled {
		t.Fatalf("ended snapshot = %+v, want reason %q", ended, softphone.ReasonCancelled)
	}
	sipp.wait(ctx, t)
}

func TestPhone_Reject(t *testing.T) {
	requireSipp(t)
	p := startPhone(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	placeRejectedCall(ctx, t, p)
}

// placeRejectedCall has sipp call, checks that the phone rings and rejects
// the call with Hangup.
func placeRejectedCall(ctx context.Context, t *testing.T, p *softphone.Phone) {
	t.Helper()
	sipp := startSipp(ctx, t, p, "uac_reject.xml")
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	if err := p.Hangup(ring.ID); err != nil {
		t.Fatalf("Hangup while ringing: %v", err)
	}
	ended := waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	if ended.ID != ring.ID || ended.EndReason != softphone.ReasonRejected {
		t.Fatalf("ended snapshot = %+v, want reason %q", ended, softphone.ReasonRejected)
	}
	sipp.wait(ctx, t)
}

func TestPhone_Errors(t *testing.T) {
	p := startPhone(t)
	if !strings.HasPrefix(p.Addr(), "udp 127.0.0.1:") || strings.HasSuffix(p.Addr(), ":0") {
		t.Fatalf("Addr() = %q, want the bound port", p.Addr())
	}
	if err := p.Answer("nope"); !errors.Is(err, sportello.ErrNoSuchCall) {
		t.Fatalf("Answer(unknown) error = %v, want ErrNoSuchCall", err)
	}
	if err := p.Hangup("nope"); !errors.Is(err, sportello.ErrNoSuchCall) {
		t.Fatalf("Hangup(unknown) error = %v, want ErrNoSuchCall", err)
	}
	if err := p.Start(context.Background()); !errors.Is(err, softphone.ErrStarted) {
		t.Fatalf("second Start error = %v, want ErrStarted", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, ok := <-p.Calls(); ok {
		t.Fatal("Calls() still open after Close")
	}
	if err := p.Start(context.Background()); !errors.Is(err, softphone.ErrClosed) {
		t.Fatalf("Start after Close error = %v, want ErrClosed", err)
	}
}

// TestPhone_Malformed sends hand-written INVITEs that crash diago v0.42.1
// when unguarded, and checks each gets its error response and that the phone
// still answers OPTIONS.
func TestPhone_Malformed(t *testing.T) {
	p := startPhone(t)
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	remote, err := net.ResolveUDPAddr("udp", hostPort(t, p))
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		file string
		want int
	}{
		{"invite_c_two_fields.sip", 400},
		{"invite_no_from_to.sip", 400},
		{"invite_no_g711.sip", 488},
	} {
		t.Run(strings.TrimSuffix(tc.file, ".sip"), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			msg := sipMessage(string(raw), conn.LocalAddr().String(), remote.String())
			if got := exchange(t, conn, remote, msg); got != tc.want {
				t.Fatalf("status = %d, want %d", got, tc.want)
			}
		})
	}
	options := "OPTIONS sip:desk@${REMOTE} SIP/2.0\nVia: SIP/2.0/UDP ${LOCAL};branch=z9hG4bK-opt1;rport\n" +
		"From: <sip:probe@${LOCAL}>;tag=o1\nTo: <sip:desk@${REMOTE}>\nCall-ID: options@sportello.test\n" +
		"CSeq: 1 OPTIONS\nMax-Forwards: 70\nContent-Length: ${LENGTH}\n\n"
	if got := exchange(t, conn, remote, sipMessage(options, conn.LocalAddr().String(), remote.String())); got != 200 {
		t.Fatalf("OPTIONS after malformed INVITEs: status %d, want 200", got)
	}
}

// sipMessage fills the ${LOCAL}, ${REMOTE} and ${LENGTH} placeholders of a
// message template and turns its line ends into CRLF.
func sipMessage(tmpl, local, remote string) []byte {
	tmpl = strings.ReplaceAll(strings.ReplaceAll(tmpl, "\r\n", "\n"), "\n", "\r\n")
	head, body, _ := strings.Cut(tmpl, "\r\n\r\n")
	return []byte(os.Expand(head+"\r\n\r\n"+body, func(k string) string {
		switch k {
		case "LOCAL":
			return local
		case "REMOTE":
			return remote
		case "LENGTH":
			return strconv.Itoa(len(body))
		}
		return "${" + k + "}"
	}))
}

// exchange sends msg and returns the status of the first final response.
func exchange(t *testing.T, conn net.PacketConn, remote net.Addr, msg []byte) int {
	t.Helper()
	if _, err := conn.WriteTo(msg, remote); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65535)
	deadline := time.Now().Add(3 * time.Second)
	for {
		conn.SetReadDeadline(deadline)
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			t.Fatalf("no response: %v", err)
		}
		line, _, _ := strings.Cut(string(buf[:n]), "\r\n")
		var code int
		if _, err := fmt.Sscanf(line, "SIP/2.0 %d", &code); err != nil {
			continue // a request from the phone, or noise
		}
		if code >= 200 {
			t.Logf("response: %s", line)
			return code
		}
	}
}

// TestPhone_Torture sends every message of sipgo's RFC 4475 torture set to
// a running phone, then checks that a real call still rings.
func TestPhone_Torture(t *testing.T) {
	requireSipp(t)
	dir := tortureDir(t)
	p := startPhone(t)
	remote, err := net.ResolveUDPAddr("udp", hostPort(t, p))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialUDP("udp", nil, remote)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	files, err := filepath.Glob(filepath.Join(dir, "*", "*.dat"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no torture messages in %s: %v", dir, err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) > 65000 {
			raw = raw[:65000]
		}
		if _, err := conn.Write(raw); err != nil {
			t.Fatalf("send %s: %v", f, err)
		}
	}
	t.Logf("sent %d torture messages", len(files))
	time.Sleep(500 * time.Millisecond) // let the handlers run (and crash, if they would)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	placeRejectedCall(ctx, t, p)
}

// tortureDir finds sipgo's RFC 4475 torture messages in the module cache.
func tortureDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/emiago/sipgo").Output()
	if err != nil {
		t.Fatalf("locate sipgo: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "sip", "testdata", "torture")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("torture set: %v", err)
	}
	return dir
}
