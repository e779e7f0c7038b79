package softphone_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// baresipTone is the tone baresip sends (from a WAV through its aufile
// source); the phone sends phoneTone. Each side must hear the other's.
const (
	baresipTone = 440.0
	phoneTone   = 1000.0
)

// requireBaresip returns baresip's path or skips the test (fails it when
// SPORTELLO_REQUIRE_REAL=1).
func requireBaresip(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("baresip")
	if err != nil {
		if os.Getenv("SPORTELLO_REQUIRE_REAL") == "1" {
			t.Fatalf("baresip not found (install Debian's baresip): %v", err)
		}
		t.Skip("baresip not installed; set SPORTELLO_REQUIRE_REAL=1 to make this a failure")
	}
	return path
}

// baresip is a running baresip: headless, one account without a
// registrar, controlled through its ctrl_tcp module (JSON in netstrings).
type baresip struct {
	t      *testing.T
	dir    string
	sip    string // "127.0.0.1:port"
	out    *syncBuffer
	ctrl   net.Conn
	mu     sync.Mutex
	events []baresipEvent
	added  chan struct{}
	resp   chan baresipMessage
}

// baresipMessage is a response or an event from ctrl_tcp.
type baresipMessage struct {
	Response bool   `json:"response"`
	OK       bool   `json:"ok"`
	Data     string `json:"data"`
	Event    bool   `json:"event"`
	Type     string `json:"type"`
	Param    string `json:"param"`
	PeerURI  string `json:"peeruri"`
	ID       string `json:"id"`
}

type baresipEvent = baresipMessage

// startBaresip starts baresip on a free port of 127.0.0.1 in a temp config
// dir: it plays a baresipTone WAV as its microphone (aufile), throws its
// speaker away (ALSA's null device), records what it hears and sends
// (sndfile) and answers only when told.
func startBaresip(t *testing.T) *baresip {
	t.Helper()
	return startBaresipCodecs(t, "PCMU,PCMA")
}

// startBaresipCodecs is startBaresip with the account's audio codecs in
// baresip's names ("G722/16000/1,PCMU"); its g722 module is always loaded,
// its opus module when the codecs name opus (then baresip resamples its
// 8 kHz mono tone to Opus's 48 kHz stereo itself).
func startBaresipCodecs(t *testing.T, codecs string) *baresip {
	t.Helper()
	bin := requireBaresip(t)
	dir := t.TempDir()
	tone := filepath.Join(dir, "tone.wav")
	wav, err := audio.CreateWAV(tone)
	if err != nil {
		t.Fatal(err)
	}
	src := audio.NewTone(baresipTone, 0)
	frame := make([]int16, audio.FrameSamples)
	for range 60 * 50 { // a minute of tone: aufile stops at the end
		if err := src.ReadPCM(frame); err != nil {
			t.Fatal(err)
		}
		if err := wav.WritePCM(frame); err != nil {
			t.Fatal(err)
		}
	}
	if err := wav.Close(); err != nil {
		t.Fatal(err)
	}
	// The ports are found free, then given to baresip: another process may
	// take one meanwhile, and baresip then exits at once. Try again with
	// new ports, up to three times.
	var b *baresip
attempts:
	for attempt := 1; ; attempt++ {
		sipPort := freeUDPPort(t)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctrlAddr := l.Addr().String()
		l.Close()
		b = &baresip{t: t, dir: dir, sip: net.JoinHostPort("127.0.0.1", strconv.Itoa(sipPort)), out: &syncBuffer{},
			added: make(chan struct{}, 1), resp: make(chan baresipMessage, 16)}
		config := strings.Join([]string{
			"poll_method epoll",
			"sip_listen " + b.sip,
			"net_interface 127.0.0.1",
			"audio_player alsa,null",
			"audio_source aufile," + tone,
			"audio_alert alsa,null",
			"module_path /usr/lib/baresip/modules",
			"module g711.so",
			"module g722.so",
			"module aufile.so",
			"module alsa.so",
			"module sndfile.so",
			"module_app account.so",
			"module_app menu.so",
			"module_app ctrl_tcp.so",
			"ctrl_tcp_listen " + ctrlAddr,
			"snd_path " + dir,
			"",
		}, "\n")
		if strings.Contains(strings.ToLower(codecs), "opus") {
			config += "module opus.so\nausrc_srate 8000\nausrc_channels 1\n"
		}
		if err := os.WriteFile(filepath.Join(dir, "config"), []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
		account := "<sip:bob@127.0.0.1>;regint=0;answermode=manual;audio_codecs=" + codecs + "\n"
		if err := os.WriteFile(filepath.Join(dir, "accounts"), []byte(account), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "-f", dir, "-s") // -s: SIP trace, for the tests to read
		cmd.Dir = dir
		cmd.Stdout, cmd.Stderr = b.out, b.out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start baresip: %v", err)
		}
		exited := make(chan struct{}) // closed when baresip has exited
		var waitErr error
		go func() { waitErr = cmd.Wait(); close(exited) }()
		b := b
		t.Cleanup(func() {
			if b.ctrl != nil {
				b.ctrl.Close()
			}
			_ = cmd.Process.Kill()
			<-exited
			if t.Failed() {
				t.Logf("baresip output:\n%s", lastLines(b.out.String(), 60))
			}
		})
		deadline := time.Now().Add(10 * time.Second)
		for b.ctrl == nil {
			c, err := net.Dial("tcp", ctrlAddr)
			switch {
			case err == nil:
				b.ctrl = c
			case time.Now().After(deadline):
				t.Fatalf("baresip's ctrl_tcp not listening on %s: %v\n%s", ctrlAddr, err, b.out.String())
			default:
				select {
				case <-exited:
					if attempt < 3 {
						t.Logf("baresip exited at start (%v), trying new ports:\n%s", waitErr, lastLines(b.out.String(), 10))
						continue attempts
					}
					t.Fatalf("baresip exited: %v\n%s", waitErr, b.out.String())
				case <-time.After(50 * time.Millisecond):
				}
			}
		}
		break
	}
	go b.read(bufio.NewReader(b.ctrl))
	return b
}

// read takes ctrl_tcp's netstrings ("len:json,") until the connection
// closes.
func (b *baresip) read(r *bufio.Reader) {
	for {
		head, err := r.ReadString(':')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(head[:len(head)-1])
		if err != nil {
			return
		}
		body := make([]byte, n+1)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		var m baresipMessage
		if err := json.Unmarshal(body[:n], &m); err != nil {
			continue
		}
		switch {
		case m.Response:
			b.resp <- m
		case m.Event:
			b.mu.Lock()
			b.events = append(b.events, m)
			b.mu.Unlock()
			select {
			case b.added <- struct{}{}:
			default:
			}
		}
	}
}

// do runs a command ("dial", "accept", "hold", ...) and returns its output.
func (b *baresip) do(ctx context.Context, command, params string) string {
	b.t.Helper()
	msg, _ := json.Marshal(map[string]string{"command": command, "params": params, "token": command})
	if _, err := fmt.Fprintf(b.ctrl, "%d:%s,", len(msg), msg); err != nil {
		b.t.Fatalf("baresip %s: %v", command, err)
	}
	select {
	case m := <-b.resp:
		if !m.OK {
			b.t.Fatalf("baresip %s %s: %s", command, params, m.Data)
		}
		return m.Data
	case <-ctx.Done():
		b.t.Fatalf("baresip %s: no response: %v", command, ctx.Err())
	}
	return ""
}

// event waits for an event of type typ (and param, when not "") at or
// after index from; it returns the index after it.
func (b *baresip) event(ctx context.Context, from int, typ, param string) (baresipEvent, int) {
	b.t.Helper()
	for {
		b.mu.Lock()
		for i := from; i < len(b.events); i++ {
			if e := b.events[i]; e.Type == typ && (param == "" || e.Param == param) {
				b.mu.Unlock()
				return e, i + 1
			}
		}
		b.mu.Unlock()
		select {
		case <-b.added:
		case <-ctx.Done():
			b.mu.Lock()
			defer b.mu.Unlock()
			b.t.Fatalf("baresip: no %s %s event: %v; events %+v", typ, param, ctx.Err(), b.events)
		}
	}
}

// sipTrace waits until baresip's SIP trace shows every one of want, in
// order, after the last re-INVITE it traced.
func (b *baresip) sipTrace(ctx context.Context, want ...string) {
	b.t.Helper()
	for {
		out := b.out.String()
		if i := strings.LastIndex(out, "INVITE sip:"); i >= 0 {
			rest, ok := out[i:], true
			for _, w := range want {
				j := strings.Index(rest, w)
				if j < 0 {
					ok = false
					break
				}
				rest = rest[j+len(w):]
			}
			if ok {
				return
			}
		}
		select {
		case <-ctx.Done():
			b.t.Fatalf("baresip's SIP trace never showed %q", want)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// heard returns what baresip decoded from the call (sndfile's dump), once
// the call ended and the file is complete.
func (b *baresip) heard() []int16 {
	b.t.Helper()
	matches, _ := filepath.Glob(filepath.Join(b.dir, "dump-*-dec.wav"))
	if len(matches) != 1 {
		b.t.Fatalf("baresip's recordings of what it heard: %v", matches)
	}
	data, err := os.ReadFile(matches[0])
	if err != nil {
		b.t.Fatal(err)
	}
	// libsndfile may write more chunks than "fmt " before "data".
	i := bytes.Index(data, []byte("data"))
	if i < 0 || len(data) < i+8 {
		b.t.Fatalf("no data chunk in %s", matches[0])
	}
	pcm := data[i+8:]
	samples := make([]int16, len(pcm)/2)
	for k := range samples {
		samples[k] = int16(uint16(pcm[2*k]) | uint16(pcm[2*k+1])<<8)
	}
	return samples
}

// checkTone fails unless samples (at least half a second) carry freq: a
// tone detector, Goertzel over 50 ms blocks (a whole number of cycles of
// both tones), past the first quarter (the start of a call or of a resume
// carries silence while the jitter buffer fills). A block counts when
// freq holds 80% of its energy; 90% of the blocks must. Blocks rather
// than one window: a lost or late packet shifts the tone's phase, which
// a single long window would read as a weaker tone.
func checkTone(t *testing.T, who string, samples []int16, freq float64) {
	t.Helper()
	const block = audio.SampleRate / 20
	rest := samples[len(samples)/4:]
	blocks, hits := 0, 0
	for len(rest) >= block {
		blocks++
		if audio.Goertzel(rest[:block], freq) >= 0.8 {
			hits++
		}
		rest = rest[block:]
	}
	t.Logf("%s heard %.2f s: %.0f Hz in %d of %d blocks of 50 ms", who, float64(len(samples))/audio.SampleRate, freq, hits, blocks)
	if len(samples) < audio.SampleRate/2 || hits*10 < blocks*9 {
		t.Fatalf("%s heard %d samples, %.0f Hz in %d of %d blocks: want the other side's tone", who, len(samples), freq, hits, blocks)
	}
}

// TestBaresip_PhoneCalls: the phone calls baresip, which answers when
// told: each hears the other's tone; the phone's keys reach baresip as
// RFC 4733 events (baresip reports each digit); the phone holds and
// resumes the call (baresip answers the re-INVITEs) and baresip's tone
// comes back after the resume; the phone hangs up.
func TestBaresip_PhoneCalls(t *testing.T) {
	b := startBaresip(t)
	rec := &audio.Recorder{}
	p := startPhone(t, withToneAndSink(phoneTone, rec))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	id, err := p.Dial("sip:bob@" + b.sip)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	_, n := b.event(ctx, 0, "CALL_INCOMING", "")
	b.do(ctx, "accept", "")
	if c := waitCallID(ctx, t, p, id, sportello.CallActive); c.Codec != "PCMU" {
		t.Fatalf("active call = %+v, want PCMU", c)
	}
	_, n = b.event(ctx, n, "CALL_ESTABLISHED", "")
	time.Sleep(1500 * time.Millisecond)
	checkTone(t, "the phone", rec.Samples(), baresipTone)

	if err := p.SendDTMF(id, "4#"); err != nil {
		t.Fatalf("SendDTMF: %v", err)
	}
	_, n = b.event(ctx, n, "CALL_DTMF_START", "4")
	b.event(ctx, n, "CALL_DTMF_START", "#")

	if err := p.Hold(id); err != nil {
		t.Fatalf("Hold: %v", err)
	}
	b.sipTrace(ctx, "a=sendonly", "a=recvonly") // the phone's re-INVITE, baresip's answer
	if err := p.Resume(id); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	_, from := heardSince(rec, 0)
	time.Sleep(time.Second)
	after, _ := heardSince(rec, from)
	checkTone(t, "the phone after resume", after, baresipTone)

	if err := p.Hangup(id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	b.event(ctx, n, "CALL_CLOSED", "")
	time.Sleep(200 * time.Millisecond) // sndfile closes its files on the call's end
	checkTone(t, "baresip", b.heard(), phoneTone)
}

// TestBaresip_Calls: baresip calls the phone: it rings with baresip's
// user, the operator answers, each hears the other; baresip sends a key
// (RFC 4733) that arrives on DTMF and never as audio; baresip holds and
// resumes (the phone answers its re-INVITEs) and its tone comes back;
// baresip hangs up.
func TestBaresip_Calls(t *testing.T) {
	b := startBaresip(t)
	rec := &audio.Recorder{}
	p := startPhone(t, withToneAndSink(phoneTone, rec))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	b.do(ctx, "dial", "sip:desk@"+hostPort(t, p))
	ring := nextCall(ctx, t, p.Calls(), sportello.CallRinging)
	if ring.Direction != sportello.CallInbound {
		t.Fatalf("ringing = %+v", ring)
	}
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	_, n := b.event(ctx, 0, "CALL_ESTABLISHED", "")
	time.Sleep(1500 * time.Millisecond)
	checkTone(t, "the phone", rec.Samples(), baresipTone)

	b.do(ctx, "sndcode", "7")
	waitDTMF(ctx, t, p, ring.ID, "7")

	b.do(ctx, "hold", "")
	b.sipTrace(ctx, "a=sendonly", "SIP/2.0 200 OK") // baresip's re-INVITE, the phone's answer
	b.do(ctx, "resume", "")
	time.Sleep(500 * time.Millisecond)
	_, from := heardSince(rec, 0)
	time.Sleep(time.Second)
	after, _ := heardSince(rec, from)
	checkTone(t, "the phone after baresip's resume", after, baresipTone)
	if _, err := p.Controls(ring.ID); err != nil {
		t.Fatalf("call gone after baresip's hold: %v", err)
	}

	b.do(ctx, "hangup", "")
	if ended := waitCallID(ctx, t, p, ring.ID, sportello.CallEnded); ended.EndReason != softphone.ReasonRemoteHangup {
		t.Fatalf("ended = %+v", ended)
	}
	b.event(ctx, n, "CALL_CLOSED", "")
	time.Sleep(200 * time.Millisecond)
	checkTone(t, "baresip", b.heard(), phoneTone)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("timed out")
	}
}
