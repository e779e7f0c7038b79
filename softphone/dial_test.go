package softphone_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// startSippUAS runs a scenario that waits for calls on a free port of
// 127.0.0.1 and returns it with its address.
func startSippUAS(ctx context.Context, t *testing.T, scenario string, args ...string) (*sippRun, string) {
	t.Helper()
	port := freeUDPPort(t)
	args = append([]string{"-p", strconv.Itoa(port)}, args...)
	return startSippTo(ctx, t, "", scenario, args...), net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// waitSippListening waits until something answers on addr's UDP port; sipp
// only reads its socket once started, so a dial sent earlier would be lost
// to an ICMP error.
func waitSippListening(t *testing.T, sipp *sippRun, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-sipp.done:
			sipp.done <- err
			t.Fatalf("sipp exited: %v\n%s", err, lastLines(sipp.out.String(), 20))
		default:
		}
		c, err := net.ListenPacket("udp", addr)
		if err != nil { // bound by sipp
			time.Sleep(100 * time.Millisecond) // and give it time to enter its loop
			return
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("sipp not listening on %s", addr)
}

// waitCallID returns the next snapshot of call id in state.
func waitCallID(ctx context.Context, t *testing.T, p *softphone.Phone, id string, state sportello.CallState) sportello.Call {
	t.Helper()
	for {
		select {
		case c, ok := <-p.Calls():
			if !ok {
				t.Fatalf("calls channel closed waiting for %s", state)
			}
			if c.ID == id && c.State == state {
				return c
			}
			if c.ID == id && c.State == sportello.CallEnded {
				t.Fatalf("call ended waiting for %s: %+v", state, c)
			}
		case <-ctx.Done():
			t.Fatalf("call %s not %s: %v", id, state, ctx.Err())
		}
	}
}

// dialAndTalk dials target, checks the call rings, is answered with
// codec, carries the phone's tone back from sipp's echo, and hangs up.
func dialAndTalk(ctx context.Context, t *testing.T, p *softphone.Phone, rec *audio.Recorder, target, codec string) {
	t.Helper()
	id, err := p.Dial(target)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	ring := waitCallID(ctx, t, p, id, sportello.CallDialing)
	if ring.Direction != sportello.CallOutbound || ring.StartedAt.IsZero() {
		t.Fatalf("ringing snapshot = %+v", ring)
	}
	active := waitCallID(ctx, t, p, id, sportello.CallActive)
	if active.Codec != codec || active.AnsweredAt.IsZero() {
		t.Fatalf("active snapshot = %+v, want codec %s", active, codec)
	}
	time.Sleep(1500 * time.Millisecond) // let audio flow
	if err := p.Hangup(id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	ended := waitCallID(ctx, t, p, id, sportello.CallEnded)
	if ended.EndReason != softphone.ReasonLocalHangup {
		t.Fatalf("ended snapshot = %+v, want reason %q", ended, softphone.ReasonLocalHangup)
	}
	samples := rec.Samples()
	at1000, at1500 := audio.Goertzel(samples, 1000), audio.Goertzel(samples, 1500)
	t.Logf("heard %.2f s; energy at 1000 Hz %.3f, at 1500 Hz %.3f", float64(len(samples))/audio.SampleRate, at1000, at1500)
	if len(samples) < audio.SampleRate/2 || at1000 < 0.98 || at1500 > 0.05 {
		t.Fatalf("echoed tone not heard: %d samples, energy at 1000 Hz %.3f, at 1500 Hz %.3f", len(samples), at1000, at1500)
	}
}

func toneAndRecorder() (*audio.Recorder, softphone.Option) {
	rec := &audio.Recorder{}
	return rec, softphone.WithAudio(func(string) (audio.Source, audio.Sink, error) { return audio.NewTone(1000, 0), rec, nil })
}

// TestPhone_Dial calls a sipp UAS directly by SIP URI; sipp echoes the
// phone's tone back.
func TestPhone_Dial(t *testing.T) {
	requireSipp(t)
	rec, withAudio := toneAndRecorder()
	p := startPhone(t, withAudio)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sipp, addr := startSippUAS(ctx, t, "uas.xml", "-key", "codec", "0", "-key", "codecname", "PCMU",
		"-rtp_echo", "-mp", strconv.Itoa(freeMediaPort(t)))
	waitSippListening(t, sipp, addr)
	dialAndTalk(ctx, t, p, rec, "sip:2000@"+addr, "PCMU")
	sipp.wait(ctx, t)
}

// TestPhone_DialThroughProxy registers with Kamailio and dials a number:
// Kamailio challenges the call (407), then routes it to its gateway, a sipp
// UAS; ACK and BYE follow the Record-Route set.
func TestPhone_DialThroughProxy(t *testing.T) {
	requireSipp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	sipp, gw := startSippUAS(ctx, t, "uas.xml", "-key", "codec", "0", "-key", "codecname", "PCMU",
		"-rtp_echo", "-mp", strconv.Itoa(freeMediaPort(t)))
	k := startKamailio(t, map[string]string{"1001": "s3cret"}, `GATEWAY="sip:`+gw+`"`)
	rec, withAudio := toneAndRecorder()
	p := startPhone(t, withAudio, softphone.WithRegistrar(k.addr, "1001", "s3cret"))
	waitRegistration(ctx, t, p, softphone.RegistrationOK)

	dialAndTalk(ctx, t, p, rec, "+39 02 9999-0000", "PCMU")
	sipp.wait(ctx, t)
}

// TestPhone_DialCancel gives up on a ringing outbound call, directly and
// through Kamailio: the phone sends CANCEL and the call ends cancelled.
func TestPhone_DialCancel(t *testing.T) {
	requireSipp(t)
	for _, viaProxy := range []bool{false, true} {
		name := "Direct"
		if viaProxy {
			name = "ThroughProxy"
		}
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			sipp, addr := startSippUAS(ctx, t, "uas_ring.xml")
			target := "sip:2000@" + addr
			var opts []softphone.Option
			if viaProxy {
				k := startKamailio(t, map[string]string{"1001": "s3cret"}, `GATEWAY="sip:`+addr+`"`)
				opts = append(opts, softphone.WithRegistrar(k.addr, "1001", "s3cret"))
				target = "2000"
			}
			p := startPhone(t, opts...)
			if viaProxy {
				waitRegistration(ctx, t, p, softphone.RegistrationOK)
			}
			waitSippListening(t, sipp, addr)
			id, err := p.Dial(target)
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			waitCallID(ctx, t, p, id, sportello.CallDialing)
			time.Sleep(700 * time.Millisecond) // sipp sends 180 at once
			if err := p.Hangup(id); err != nil {
				t.Fatalf("Hangup while ringing: %v", err)
			}
			ended := waitCallID(ctx, t, p, id, sportello.CallEnded)
			if ended.EndReason != softphone.ReasonCancelled {
				t.Fatalf("ended snapshot = %+v, want reason %q", ended, softphone.ReasonCancelled)
			}
			sipp.wait(ctx, t)
		})
	}
}

func TestPhone_DialErrors(t *testing.T) {
	p := startPhone(t)
	for _, tc := range []struct {
		target string
		want   error
	}{
		{"2000", softphone.ErrNoRegistrar},
		{"call me", softphone.ErrBadTarget},
		{"", softphone.ErrBadTarget},
		{"sip:", softphone.ErrBadTarget},
	} {
		if _, err := p.Dial(tc.target); !errors.Is(err, tc.want) {
			t.Errorf("Dial(%q) error = %v, want %v", tc.target, err, tc.want)
		}
	}
	idle := softphone.New()
	if _, err := idle.Dial("sip:2000@127.0.0.1:5999"); !errors.Is(err, softphone.ErrNotStarted) {
		t.Errorf("Dial before Start error = %v, want ErrNotStarted", err)
	}
}
