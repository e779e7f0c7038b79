//go:build opus

package softphone_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// baresipHeardOpus returns what baresip decoded, brought to the devices'
// 8 kHz mono: it checks that baresip's recording is at Opus's 48 kHz (so
// the call really ran on Opus), keeps the first channel and every sixth
// sample (the phone sends nothing above 4 kHz, so little aliases).
func baresipHeardOpus(t *testing.T, b *baresip) []int16 {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(b.dir, "dump-*-dec.wav"))
	if len(matches) != 1 {
		t.Fatalf("baresip's recordings of what it heard: %v", matches)
	}
	data, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("fmt "))
	if i < 0 || len(data) < i+24 {
		t.Fatalf("no fmt chunk in %s", matches[0])
	}
	channels := int(binary.LittleEndian.Uint16(data[i+10:]))
	if rate := binary.LittleEndian.Uint32(data[i+12:]); rate != 48000 || channels < 1 {
		t.Fatalf("baresip decoded %d channels at %d Hz, want 48000 Hz (Opus)", channels, rate)
	}
	all := b.heard()
	narrow := make([]int16, 0, len(all)/channels/6+1)
	for k := 0; k < len(all); k += 6 * channels {
		narrow = append(narrow, all[k])
	}
	return narrow
}

// TestPhone_Opus has two phones that both enable Opus call each other:
// the offer carries "a=rtpmap:111 opus/48000/2", the call runs on Opus
// (both snapshots say so) and each hears the other's tone through
// libopus, the 48 kHz RTP clock and the jitter buffer.
func TestPhone_Opus(t *testing.T) {
	recA, recB := &audio.Recorder{}, &audio.Recorder{}
	a := startPhone(t, withToneAndSink(700, recA), softphone.WithCodecs("opus", "PCMU"))
	b := startPhone(t, withToneAndSink(1300, recB), softphone.WithCodecs("opus"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	id, err := a.Dial("sip:desk@" + hostPort(t, b))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	nextCall(ctx, t, b.Calls(), sportello.CallRinging)
	if err := b.Answer(id); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	if active := waitCallID(ctx, t, a, id, sportello.CallActive); active.Codec != "OPUS" {
		t.Fatalf("caller's active snapshot = %+v, want codec OPUS", active)
	}
	if active := nextCall(ctx, t, b.Calls(), sportello.CallActive); active.Codec != "OPUS" {
		t.Fatalf("callee's active snapshot = %+v, want codec OPUS", active)
	}
	time.Sleep(1500 * time.Millisecond)
	checkTone(t, "the caller", recA.Samples(), 1300)
	checkTone(t, "the callee", recB.Samples(), 700)
	if err := a.Hangup(id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	waitCallID(ctx, t, b, id, sportello.CallEnded)
}

// TestPhone_OpusNotEnabled: a phone with the default codecs answers an
// Opus-first offer with G.711, and refuses an Opus-only offer (488)
// without ringing.
func TestPhone_OpusNotEnabled(t *testing.T) {
	recB := &audio.Recorder{}
	a := startPhone(t, withToneAndSink(700, &audio.Recorder{}), softphone.WithCodecs("opus", "PCMA"))
	b := startPhone(t, withToneAndSink(1300, recB))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	id, err := a.Dial("sip:desk@" + hostPort(t, b))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	nextCall(ctx, t, b.Calls(), sportello.CallRinging)
	if err := b.Answer(id); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	if active := waitCallID(ctx, t, a, id, sportello.CallActive); active.Codec != "PCMA" {
		t.Fatalf("caller's active snapshot = %+v, want codec PCMA", active)
	}
	time.Sleep(time.Second)
	checkTone(t, "the callee", recB.Samples(), 700)
	if err := a.Hangup(id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	waitCallID(ctx, t, b, id, sportello.CallEnded)

	only := startPhone(t, withToneAndSink(700, &audio.Recorder{}), softphone.WithCodecs("opus"))
	id, err = only.Dial("sip:desk@" + hostPort(t, b))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if ended := waitCallID(ctx, t, only, id, sportello.CallEnded); ended.EndReason != softphone.ReasonFailed || !ended.AnsweredAt.IsZero() {
		t.Fatalf("an Opus-only offer to a phone without Opus: %+v, want failed unanswered (488)", ended)
	}
	select {
	case c := <-b.Calls():
		t.Fatalf("the phone without Opus showed the refused call: %+v", c)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestBaresip_OpusDial: the phone, with Opus enabled, calls baresip that
// speaks Opus through its own opus module (libopus too, but its own RTP
// and SDP): the call runs on Opus and each side hears the other's tone.
func TestBaresip_OpusDial(t *testing.T) {
	b := startBaresipCodecs(t, "opus/48000/2,PCMU")
	rec := &audio.Recorder{}
	p := startPhone(t, withToneAndSink(phoneTone, rec), softphone.WithCodecs("opus", "PCMU", "PCMA"))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	id, err := p.Dial("sip:bob@" + b.sip)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	_, n := b.event(ctx, 0, "CALL_INCOMING", "")
	b.sipTrace(ctx, "m=audio", "a=rtpmap:111 opus/48000/2") // RFC 7587, in the phone's offer
	b.do(ctx, "accept", "")
	if c := waitCallID(ctx, t, p, id, sportello.CallActive); c.Codec != "OPUS" {
		t.Fatalf("active call = %+v, want OPUS", c)
	}
	_, n = b.event(ctx, n, "CALL_ESTABLISHED", "")
	time.Sleep(1500 * time.Millisecond)
	checkTone(t, "the phone", rec.Samples(), baresipTone)
	if err := p.Hangup(id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	b.event(ctx, n, "CALL_CLOSED", "")
	time.Sleep(200 * time.Millisecond) // sndfile closes its files on the call's end
	checkTone(t, "baresip", baresipHeardOpus(t, b), phoneTone)
}

// TestBaresip_OpusAnswer: baresip calls offering Opus alone, on its own
// payload type (96); the phone, with Opus enabled, answers with Opus on
// that type and each side hears the other.
func TestBaresip_OpusAnswer(t *testing.T) {
	b := startBaresipCodecs(t, "opus/48000/2")
	rec := &audio.Recorder{}
	p := startPhone(t, withToneAndSink(phoneTone, rec), softphone.WithCodecs("PCMU", "opus"))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	b.do(ctx, "dial", "sip:desk@"+hostPort(t, p))
	ring := nextCall(ctx, t, p.Calls(), sportello.CallRinging)
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	if c := waitCallID(ctx, t, p, ring.ID, sportello.CallActive); c.Codec != "OPUS" {
		t.Fatalf("active call = %+v, want OPUS", c)
	}
	_, n := b.event(ctx, 0, "CALL_ESTABLISHED", "")
	b.sipTrace(ctx, "SIP/2.0 200 OK", "a=rtpmap:96 opus/48000/2") // baresip's payload type, not the phone's 111
	time.Sleep(1500 * time.Millisecond)
	checkTone(t, "the phone", rec.Samples(), baresipTone)
	b.do(ctx, "hangup", "")
	waitCallID(ctx, t, p, ring.ID, sportello.CallEnded)
	b.event(ctx, n, "CALL_CLOSED", "")
	time.Sleep(200 * time.Millisecond)
	checkTone(t, "baresip", baresipHeardOpus(t, b), phoneTone)
}

// TestBaresip_OpusDTMFAndHold: on an Opus call with baresip (48 kHz RTP
// clock, telephone-event at 8000), keys go both ways and hold and resume
// bring baresip's tone back.
func TestBaresip_OpusDTMFAndHold(t *testing.T) {
	checkDTMFAndHold(t, "opus/48000/2,PCMU", []string{"opus", "PCMU"}, "OPUS")
}
