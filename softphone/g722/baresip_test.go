package g722_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello/softphone/g722"
)

// The interop check: baresip (whose g722 module is an independent
// implementation) and this package talk G.722 over RTP. The test is a
// minimal SIP user agent over UDP that calls baresip offering G.722 only;
// baresip answers by itself, plays a 16 kHz WAV of bothTones (600 Hz and,
// to prove wideband, 6 kHz) into the call and records what it decodes
// (sndfile). The test decodes baresip's RTP with Decoder and finds both
// tones; it sends 1 kHz and 5 kHz coded with Encoder and finds them in
// baresip's recording.

// Tones each side sends: the 6 kHz and 5 kHz ones cannot cross G.711.
var (
	baresipTones = []float64{600, 6000}
	testTones    = []float64{1000, 5000}
)

// syncBuffer collects a process's output for the failure log.
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

// writeWAV16k writes mono 16-bit PCM at 16 kHz.
func writeWAV16k(t *testing.T, path string, pcm []int16) {
	t.Helper()
	var h bytes.Buffer
	le := binary.LittleEndian
	h.WriteString("RIFF")
	_ = binary.Write(&h, le, uint32(36+2*len(pcm)))
	h.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(16000), uint32(32000), uint16(2), uint16(16)} {
		_ = binary.Write(&h, le, v)
	}
	h.WriteString("data")
	_ = binary.Write(&h, le, uint32(2*len(pcm)))
	_ = binary.Write(&h, le, pcm)
	if err := os.WriteFile(path, h.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// readWAV returns the samples and rate of a 16-bit mono WAV (libsndfile
// may put other chunks before "data").
func readWAV(t *testing.T, path string) ([]int16, int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := bytes.Index(data, []byte("fmt "))
	i := bytes.Index(data, []byte("data"))
	if f < 0 || i < 0 || len(data) < i+8 {
		t.Fatalf("%s is not a WAV", path)
	}
	rate := int(binary.LittleEndian.Uint32(data[f+12:]))
	pcm := data[i+8:]
	samples := make([]int16, len(pcm)/2)
	for k := range samples {
		samples[k] = int16(binary.LittleEndian.Uint16(pcm[2*k:]))
	}
	return samples, rate
}

// mix returns n samples at 16 kHz of the sum of tones, each at amp.
func mix(n int, tones []float64, amp float64, offset int) []int16 {
	s := make([]int16, n)
	for i := range s {
		var v float64
		for _, f := range tones {
			v += amp * math.Sin(2*math.Pi*f*float64(i+offset)/g722.SampleRate)
		}
		s[i] = int16(v)
	}
	return s
}

// checkTones fails unless each of tones holds at least a fifth of the
// energy of 16 kHz samples, past their first quarter; it returns the share
// of each.
func checkTones(t *testing.T, who string, samples []int16, tones []float64) {
	t.Helper()
	rest := samples[len(samples)/4:]
	if len(rest) < g722.SampleRate/2 {
		t.Fatalf("%s: only %d samples", who, len(samples))
	}
	var energy float64
	for _, v := range rest {
		energy += float64(v) * float64(v)
	}
	energy /= float64(len(rest)) * 32768 * 32768 / 2 // a full-scale sine is 1
	for _, f := range tones {
		share := goertzel(rest, f) / energy
		t.Logf("%s: %.0f Hz holds %.0f%% of the energy", who, f, 100*share)
		if share < 0.2 {
			t.Errorf("%s: %.0f Hz holds %.1f%% of the energy, want the other side's tone", who, f, 100*share)
		}
	}
	// A tone neither side sent must be absent.
	if share := goertzel(rest, 3100) / energy; share > 0.02 {
		t.Errorf("%s: 3100 Hz holds %.1f%% of the energy", who, 100*share)
	}
}

func TestBaresip_G722(t *testing.T) {
	bin, err := exec.LookPath("baresip")
	if err != nil {
		if os.Getenv("SPORTELLO_REQUIRE_REAL") == "1" {
			t.Fatalf("baresip not found (install Debian's baresip): %v", err)
		}
		t.Skip("baresip not installed; set SPORTELLO_REQUIRE_REAL=1 to make this a failure")
	}
	if _, err := os.Stat("/usr/lib/baresip/modules/g722.so"); err != nil {
		t.Fatalf("baresip's g722 module: %v", err)
	}
	dir := t.TempDir()
	tone := filepath.Join(dir, "tone.wav")
	writeWAV16k(t, tone, mix(30*g722.SampleRate, baresipTones, 6000, 0))

	sipConn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sipConn.Close()
	rtpConn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rtpConn.Close()
	bsip := freeSIPAddr(t)

	config := strings.Join([]string{
		"poll_method epoll",
		"sip_listen " + bsip,
		"net_interface 127.0.0.1",
		"audio_player alsa,null",
		"audio_source aufile," + tone,
		"audio_alert alsa,null",
		"module_path /usr/lib/baresip/modules",
		"module g722.so",
		"module aufile.so",
		"module alsa.so",
		"module sndfile.so",
		"module_app account.so",
		"module_app menu.so", // answers by itself (answermode=auto)
		"snd_path " + dir,
		"",
	}, "\n")
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	account := "<sip:bob@127.0.0.1>;regint=0;answermode=auto;audio_codecs=G722\n"
	if err := os.WriteFile(filepath.Join(dir, "accounts"), []byte(account), 0o600); err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	cmd := exec.Command(bin, "-f", dir)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start baresip: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("baresip output:\n%s", out.String())
		}
	}()

	ua := &sipUA{t: t, conn: sipConn, callID: fmt.Sprintf("g722-%d", rand.Uint64()), tag: "t1"}
	ua.peer, err = net.ResolveUDPAddr("udp", bsip)
	if err != nil {
		t.Fatal(err)
	}
	rtpPort := rtpConn.LocalAddr().(*net.UDPAddr).Port
	sdp := fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\na=ptime:20\r\na=sendrecv\r\n", rtpPort)
	// baresip may take a moment to listen: retransmit the INVITE as SIP
	// over UDP would (timer A), until a response comes.
	answer := ""
	for attempt := 0; answer == ""; attempt++ {
		if attempt == 40 {
			t.Fatalf("baresip never answered the INVITE")
		}
		ua.send("INVITE", 1, sdp)
		answer = ua.await(1, "INVITE", 250*time.Millisecond, true)
	}
	if !strings.HasPrefix(answer, "SIP/2.0 2") {
		answer = ua.await(1, "INVITE", 10*time.Second, false)
	}
	if answer == "" {
		t.Fatalf("baresip never answered the INVITE")
	}
	if !strings.Contains(answer, "G722/8000") {
		t.Fatalf("baresip's answer has no G.722:\n%s", answer)
	}
	m := regexp.MustCompile(`m=audio (\d+) RTP/AVP 9\b`).FindStringSubmatch(answer)
	if m == nil {
		t.Fatalf("baresip's answer does not put G.722 first:\n%s", answer)
	}
	ua.toTag = regexp.MustCompile(`(?im)^(?:To|t):.*;tag=([^;\s]+)`).FindStringSubmatch(answer)[1]
	ua.send("ACK", 1, "")
	bport, _ := strconv.Atoi(m[1])
	brtp := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: bport}

	// Send our tones and take baresip's for three seconds.
	const seconds = 3
	var heard []int16
	var payloads int
	done := make(chan struct{})
	go func() {
		defer close(done)
		dec := g722.NewDecoder()
		buf := make([]byte, 1500)
		_ = rtpConn.SetReadDeadline(time.Now().Add(seconds*time.Second + time.Second))
		for {
			n, _, err := rtpConn.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 || buf[1]&0x7f != g722.PayloadType {
				continue
			}
			payloads++
			heard = dec.Decode(heard, buf[12:n])
		}
	}()
	enc := g722.NewEncoder()
	pkt := make([]byte, 12, 12+160)
	pkt[0], pkt[1] = 0x80, g722.PayloadType
	binary.BigEndian.PutUint32(pkt[8:], 0x6722)
	tick := time.NewTicker(20 * time.Millisecond)
	for i := range seconds * 50 {
		binary.BigEndian.PutUint16(pkt[2:], uint16(i))
		binary.BigEndian.PutUint32(pkt[4:], uint32(i*160)) // 8000 Hz clock: 160 per 20 ms
		frame := mix(320, testTones, 6000, i*320)
		p := enc.Encode(pkt[:12], frame)
		if len(p) != 12+160 {
			t.Fatalf("packet of %d octets", len(p))
		}
		if _, err := rtpConn.WriteTo(p, brtp); err != nil {
			t.Fatal(err)
		}
		<-tick.C
	}
	tick.Stop()
	ua.send("BYE", 2, "")
	if ua.await(2, "BYE", 2*time.Second, false) == "" {
		t.Errorf("no 200 to BYE")
	}
	<-done
	t.Logf("received %d G.722 packets from baresip", payloads)
	checkTones(t, "test UA (Decoder)", heard, baresipTones)

	// sndfile closes its dump when the call ends.
	var dump string
	for range 50 {
		matches, _ := filepath.Glob(filepath.Join(dir, "dump-*-dec.wav"))
		if len(matches) == 1 {
			if st, err := os.Stat(matches[0]); err == nil && st.Size() > 44 {
				dump = matches[0]
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if dump == "" {
		t.Fatal("baresip recorded nothing it decoded")
	}
	time.Sleep(200 * time.Millisecond)
	got, rate := readWAV(t, dump)
	if rate != g722.SampleRate {
		t.Fatalf("baresip decoded at %d Hz, want 16000 (G.722)", rate)
	}
	checkTones(t, "baresip (Encoder)", got, testTones)
}

// freeSIPAddr returns 127.0.0.1:port with port free for UDP and TCP and
// port+1 free for TCP (baresip listens for SIP over TLS there).
func freeSIPAddr(t *testing.T) string {
	t.Helper()
	for range 50 {
		probe, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := probe.LocalAddr().(*net.UDPAddr).Port
		free := true
		for _, p := range []int{port, port + 1} {
			l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
			if err != nil {
				free = false
				break
			}
			l.Close()
		}
		probe.Close()
		if free {
			return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		}
	}
	t.Fatal("no free port pair for baresip")
	return ""
}

// sipUA is just enough of a SIP user agent client over UDP for one call.
type sipUA struct {
	t      *testing.T
	conn   net.PacketConn
	peer   *net.UDPAddr
	callID string
	tag    string
	toTag  string
}

// send sends a request; ACK reuses the INVITE's CSeq number.
func (u *sipUA) send(method string, cseq int, sdp string) {
	u.t.Helper()
	local := u.conn.LocalAddr().String()
	to := "<sip:bob@" + u.peer.String() + ">"
	if u.toTag != "" {
		to += ";tag=" + u.toTag
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s sip:bob@%s SIP/2.0\r\n", method, u.peer)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bK%s%d%s;rport\r\n", local, u.callID, cseq, method)
	fmt.Fprintf(&b, "Max-Forwards: 70\r\nFrom: <sip:test@%s>;tag=%s\r\nTo: %s\r\n", local, u.tag, to)
	fmt.Fprintf(&b, "Call-ID: %s\r\nCSeq: %d %s\r\nContact: <sip:test@%s>\r\n", u.callID, cseq, method, local)
	if sdp != "" {
		fmt.Fprintf(&b, "Content-Type: application/sdp\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(sdp), sdp)
	if _, err := u.conn.WriteTo([]byte(b.String()), u.peer); err != nil {
		u.t.Fatal(err)
	}
}

// await returns the first 2xx response (or any, when provisional) to
// CSeq cseq method within wait, or "" (it fails the test on a final error
// response).
func (u *sipUA) await(cseq int, method string, wait time.Duration, provisional bool) string {
	u.t.Helper()
	buf := make([]byte, 8192)
	deadline := time.Now().Add(wait)
	for {
		_ = u.conn.SetReadDeadline(deadline)
		n, _, err := u.conn.ReadFrom(buf)
		if err != nil {
			return ""
		}
		msg := string(buf[:n])
		if !strings.HasPrefix(msg, "SIP/2.0 ") || !regexp.MustCompile(fmt.Sprintf(`(?im)^CSeq:\s*%d %s`, cseq, method)).MatchString(msg) {
			continue
		}
		code, _ := strconv.Atoi(msg[8:11])
		switch {
		case code >= 200 && code < 300:
			return msg
		case code >= 300:
			u.t.Fatalf("baresip answered %s with %s", method, strings.SplitN(msg, "\r\n", 2)[0])
		case provisional:
			return msg
		}
	}
}
