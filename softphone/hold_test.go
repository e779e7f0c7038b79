package softphone_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// heardSince returns the samples recorded after the first n, and the new n.
func heardSince(rec *audio.Recorder, n int) ([]int16, int) {
	s := rec.Samples()
	if n > len(s) {
		n = len(s)
	}
	return s[n:], len(s)
}

// TestPhone_HoldThroughProxy takes a call routed by Kamailio, holds and
// resumes it: Kamailio's log shows both re-INVITEs came to it from the
// phone's own SIP socket (so they followed the Record-Route set), sipp
// checks their direction (sendonly, then sendrecv), and the phone plays
// nothing while held and hears sipp's echo again after.
func TestPhone_HoldThroughProxy(t *testing.T) {
	requireSipp(t)
	k := startKamailio(t, map[string]string{"1001": "s3cret"}, "TRACE_DIALOGS")
	rec, withAudio := toneAndRecorder()
	p := startPhone(t, withAudio, softphone.WithRegistrar(k.addr, "1001", "s3cret"))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	waitRegistration(ctx, t, p, softphone.RegistrationOK)

	sipp := startSippTo(ctx, t, k.addr, "uac_proxy_hold.xml", "-s", "1001", "-d", "1500",
		"-rtp_echo", "-mp", strconv.Itoa(freeMediaPort(t)))
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	if err := p.Hold(ring.ID); !errors.Is(err, sportello.ErrCallNotReady) {
		t.Fatalf("Hold while ringing error = %v, want ErrCallNotReady", err)
	}
	letRing()
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitCall(ctx, t, p, callerNumber, sportello.CallActive)
	time.Sleep(time.Second)

	if err := p.Hold(ring.ID); err != nil {
		t.Fatalf("Hold: %v", err)
	}
	if c, err := p.Controls(ring.ID); err != nil || !c.OnHold {
		t.Fatalf("Controls after Hold = %+v, %v", c, err)
	}
	waitSnapshot(ctx, t, p, ring.ID, "on hold", func(c sportello.Call) bool { return c.OnHold })
	time.Sleep(200 * time.Millisecond) // what was in flight
	_, n := heardSince(rec, 0)
	time.Sleep(time.Second)
	held, n := heardSince(rec, n)
	t.Logf("played %d samples in 1 s on hold", len(held))
	if len(held) > audio.FrameSamples {
		t.Fatalf("played %d samples on hold, want none", len(held))
	}

	if err := p.Resume(ring.ID); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if c, _ := p.Controls(ring.ID); c.OnHold {
		t.Fatalf("Controls after Resume = %+v", c)
	}
	waitSnapshot(ctx, t, p, ring.ID, "resumed", func(c sportello.Call) bool { return !c.OnHold && c.State == sportello.CallActive })
	time.Sleep(300 * time.Millisecond) // the echo of the silence sent on hold
	_, n = heardSince(rec, n)
	time.Sleep(500 * time.Millisecond)
	after, _ := heardSince(rec, n)
	if len(after) < audio.SampleRate/4 || audio.Goertzel(after, 1000) < 0.98 {
		t.Fatalf("after Resume heard %d samples, energy at 1000 Hz %.3f", len(after), audio.Goertzel(after, 1000))
	}
	ended := waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	if ended.EndReason != softphone.ReasonRemoteHangup {
		t.Fatalf("end reason = %q, want %q (BYE through the proxy)", ended.EndReason, softphone.ReasonRemoteHangup)
	}
	sipp.wait(ctx, t)

	want := "in-dialog INVITE from " + hostPort(t, p)
	if n := strings.Count(k.output(), want); n != 2 {
		t.Fatalf("Kamailio logged %d lines %q, want 2 (hold and resume)", n, want)
	}
}

// TestPhone_Mute mutes an echoed call: what comes back turns to silence,
// then to the tone again once unmuted.
func TestPhone_Mute(t *testing.T) {
	requireSipp(t)
	rec, withAudio := toneAndRecorder()
	p := startPhone(t, withAudio)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sipp := startSipp(ctx, t, p, "uac.xml", "-d", "4000", "-rtp_echo", "-mp", strconv.Itoa(freeMediaPort(t)))
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	if err := p.Mute(ring.ID, true); !errors.Is(err, sportello.ErrCallNotReady) {
		t.Fatalf("Mute while ringing error = %v, want ErrCallNotReady", err)
	}
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitCall(ctx, t, p, callerNumber, sportello.CallActive)
	time.Sleep(800 * time.Millisecond)

	if err := p.Mute(ring.ID, true); err != nil {
		t.Fatalf("Mute: %v", err)
	}
	if c, _ := p.Controls(ring.ID); !c.Muted {
		t.Fatalf("Controls after Mute = %+v", c)
	}
	waitSnapshot(ctx, t, p, ring.ID, "muted", func(c sportello.Call) bool { return c.Muted })
	time.Sleep(300 * time.Millisecond) // the echo of what was sent before
	_, n := heardSince(rec, 0)
	time.Sleep(time.Second)
	muted, n := heardSince(rec, n)
	loudest := 0
	for _, v := range muted {
		loudest = max(loudest, int(v), -int(v))
	}
	t.Logf("muted: heard %d samples, loudest %d", len(muted), loudest)
	if len(muted) < audio.SampleRate/2 || loudest > 100 {
		t.Fatalf("muted: heard %d samples, loudest %d; want silence", len(muted), loudest)
	}

	if err := p.Mute(ring.ID, false); err != nil {
		t.Fatalf("unmute: %v", err)
	}
	waitSnapshot(ctx, t, p, ring.ID, "unmuted", func(c sportello.Call) bool { return !c.Muted && c.State == sportello.CallActive })
	time.Sleep(300 * time.Millisecond)
	_, n = heardSince(rec, n)
	time.Sleep(500 * time.Millisecond)
	after, _ := heardSince(rec, n)
	if r := audio.Goertzel(after, 1000); len(after) < audio.SampleRate/4 || r < 0.98 {
		t.Fatalf("unmuted: heard %d samples, energy at 1000 Hz %.3f", len(after), r)
	}
	waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	sipp.wait(ctx, t)
}

// TestPhone_DialHoldThroughProxy places a call through Kamailio, holds and
// resumes it and hangs up: every in-dialog request of the outbound call
// (two re-INVITEs, the BYE) reaches Kamailio from the phone's own socket.
func TestPhone_DialHoldThroughProxy(t *testing.T) {
	requireSipp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	sipp, gw := startSippUAS(ctx, t, "uas_hold.xml", "-key", "codec", "8", "-key", "codecname", "PCMA",
		"-rtp_echo", "-mp", strconv.Itoa(freeMediaPort(t)))
	k := startKamailio(t, map[string]string{"1001": "s3cret"}, `GATEWAY="sip:`+gw+`"`, "TRACE_DIALOGS")
	rec, withAudio := toneAndRecorder()
	p := startPhone(t, withAudio, softphone.WithRegistrar(k.addr, "1001", "s3cret"))
	waitRegistration(ctx, t, p, softphone.RegistrationOK)

	id, err := p.Dial("0299990000")
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if active := waitCallID(ctx, t, p, id, sportello.CallActive); active.Codec != "PCMA" {
		t.Fatalf("active snapshot = %+v, want codec PCMA", active)
	}
	time.Sleep(500 * time.Millisecond)
	if err := p.Hold(id); err != nil {
		t.Fatalf("Hold: %v", err)
	}
	waitSnapshot(ctx, t, p, id, "on hold", func(c sportello.Call) bool { return c.OnHold })
	time.Sleep(500 * time.Millisecond)
	if err := p.Resume(id); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	waitSnapshot(ctx, t, p, id, "resumed", func(c sportello.Call) bool { return !c.OnHold && c.State == sportello.CallActive })
	time.Sleep(300 * time.Millisecond)
	_, n := heardSince(rec, 0)
	time.Sleep(500 * time.Millisecond)
	if after, _ := heardSince(rec, n); audio.Goertzel(after, 1000) < 0.98 {
		t.Fatalf("after Resume heard %d samples, energy at 1000 Hz %.3f", len(after), audio.Goertzel(after, 1000))
	}
	if err := p.Hangup(id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	waitCallID(ctx, t, p, id, sportello.CallEnded)
	sipp.wait(ctx, t)

	from := " from " + hostPort(t, p)
	log := k.output()
	if n := strings.Count(log, "in-dialog INVITE"+from); n != 2 {
		t.Fatalf("Kamailio logged %d re-INVITEs%s, want 2", n, from)
	}
	if !strings.Contains(log, "in-dialog BYE"+from) {
		t.Fatalf("Kamailio did not route the BYE%s", from)
	}
}

// waitSnapshot returns the next snapshot of call id that passes ok: hold
// and mute reach the Calls channel like changes of state.
func waitSnapshot(ctx context.Context, t *testing.T, p *softphone.Phone, id, what string, ok func(sportello.Call) bool) sportello.Call {
	t.Helper()
	for {
		select {
		case c, open := <-p.Calls():
			if !open {
				t.Fatalf("calls channel closed waiting for a snapshot %s", what)
			}
			if c.ID == id && ok(c) {
				return c
			}
		case <-ctx.Done():
			t.Fatalf("no snapshot of call %s %s: %v", id, what, ctx.Err())
		}
	}
}
