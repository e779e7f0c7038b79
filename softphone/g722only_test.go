package softphone_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// TestBaresip_G722OnlyAnswer: baresip calls offering G.722 alone (no
// PCMU or PCMA in its offer); the phone, with G.722 among its codecs,
// rings, answers with G.722 and each side hears the other's tone.
func TestBaresip_G722OnlyAnswer(t *testing.T) {
	b := startBaresipCodecs(t, "G722/16000/1")
	wideTone(t, b)
	rec := &audio.Recorder{}
	p := startPhone(t, withToneAndSink(phoneTone, rec), softphone.WithCodecs("PCMU", "PCMA", "G722"))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	b.do(ctx, "dial", "sip:desk@"+hostPort(t, p))
	ring := nextCall(ctx, t, p.Calls(), sportello.CallRinging)
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	if c := waitCallID(ctx, t, p, ring.ID, sportello.CallActive); c.Codec != "G722" {
		t.Fatalf("active call = %+v, want G722", c)
	}
	_, n := b.event(ctx, 0, "CALL_ESTABLISHED", "")
	time.Sleep(1500 * time.Millisecond)
	checkTone(t, "the phone", rec.Samples(), baresipTone)
	b.do(ctx, "hangup", "")
	waitCallID(ctx, t, p, ring.ID, sportello.CallEnded)
	b.event(ctx, n, "CALL_CLOSED", "")
	time.Sleep(200 * time.Millisecond) // sndfile closes its files on the call's end
	checkTone(t, "baresip", baresipHeard16k(t, b), phoneTone)
}

// TestBaresip_G722OnlyRefused: the same G.722-only offer to a phone
// without G.722 (the default PCMU, PCMA) is answered 488 Not Acceptable
// Here and never rings.
func TestBaresip_G722OnlyRefused(t *testing.T) {
	b := startBaresipCodecs(t, "G722/16000/1")
	p := startPhone(t, withToneAndSink(phoneTone, &audio.Recorder{}))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	b.do(ctx, "dial", "sip:desk@"+hostPort(t, p))
	e, _ := b.event(ctx, 0, "CALL_CLOSED", "")
	if !strings.Contains(e.Param, "488") {
		t.Fatalf("baresip's call closed with %q, want 488 Not Acceptable Here", e.Param)
	}
	b.sipTrace(ctx, "SIP/2.0 488 Not Acceptable Here")
	select {
	case c := <-p.Calls():
		t.Fatalf("the phone showed a call for a refused offer: %+v", c)
	case <-time.After(200 * time.Millisecond):
	}
}

// checkDTMFAndHold calls baresip (speaking baresipCodecs) from a phone
// with phoneCodecs, checks that the call runs on codec, that keys go both
// ways as RFC 4733 events, and that the phone holds and resumes the call
// with baresip's tone back after the resume.
func checkDTMFAndHold(t *testing.T, baresipCodecs string, phoneCodecs []string, codec string) {
	t.Helper()
	b := startBaresipCodecs(t, baresipCodecs)
	if strings.HasPrefix(baresipCodecs, "G722") {
		wideTone(t, b) // baresip's aufile plays only at G.722's 16 kHz
	}
	rec := &audio.Recorder{}
	p := startPhone(t, withToneAndSink(phoneTone, rec), softphone.WithCodecs(phoneCodecs...))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	id, err := p.Dial("sip:bob@" + b.sip)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	_, n := b.event(ctx, 0, "CALL_INCOMING", "")
	b.do(ctx, "accept", "")
	if c := waitCallID(ctx, t, p, id, sportello.CallActive); c.Codec != codec {
		t.Fatalf("active call = %+v, want %s", c, codec)
	}
	_, n = b.event(ctx, n, "CALL_ESTABLISHED", "")
	time.Sleep(time.Second)
	if err := p.SendDTMF(id, "4#"); err != nil {
		t.Fatalf("SendDTMF: %v", err)
	}
	_, n = b.event(ctx, n, "CALL_DTMF_START", "4")
	b.event(ctx, n, "CALL_DTMF_START", "#")
	b.do(ctx, "sndcode", "7")
	waitDTMF(ctx, t, p, id, "7")

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
}

// TestBaresip_G722DTMFAndHold: on a G.722 call with baresip, keys go both
// ways and hold and resume bring baresip's tone back.
func TestBaresip_G722DTMFAndHold(t *testing.T) {
	checkDTMFAndHold(t, "G722/16000/1", []string{"G722", "PCMU"}, "G722")
}
