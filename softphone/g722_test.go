package softphone_test

import (
	"context"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// TestPhone_G722 has two phones that both enable G.722 call each other:
// the call runs on G.722 (both snapshots say so) and each hears the
// other's tone through the 8/16 kHz conversion, the jitter buffer and the
// codec's state.
func TestPhone_G722(t *testing.T) {
	recA, recB := &audio.Recorder{}, &audio.Recorder{}
	a := startPhone(t, withToneAndSink(700, recA), softphone.WithCodecs("G722", "PCMU", "PCMA"))
	b := startPhone(t, withToneAndSink(1300, recB), softphone.WithCodecs("G722", "PCMA"))
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
	if active := waitCallID(ctx, t, a, id, sportello.CallActive); active.Codec != "G722" {
		t.Fatalf("caller's active snapshot = %+v, want codec G722", active)
	}
	if active := nextCall(ctx, t, b.Calls(), sportello.CallActive); active.Codec != "G722" {
		t.Fatalf("callee's active snapshot = %+v, want codec G722", active)
	}
	time.Sleep(1500 * time.Millisecond)
	if r := audio.Goertzel(recA.Samples(), 1300); r < 0.98 {
		t.Fatalf("caller heard the callee's 1300 Hz at %.3f over G.722", r)
	}
	if r := audio.Goertzel(recB.Samples(), 700); r < 0.98 {
		t.Fatalf("callee heard the caller's 700 Hz at %.3f over G.722", r)
	}
	if err := a.Hangup(id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	waitCallID(ctx, t, b, id, sportello.CallEnded)
}

// TestPhone_G722NotEnabled: a phone with the default codecs answers a
// G.722-first offer with G.711.
func TestPhone_G722NotEnabled(t *testing.T) {
	recA, recB := &audio.Recorder{}, &audio.Recorder{}
	a := startPhone(t, withToneAndSink(700, recA), softphone.WithCodecs("G722", "PCMA"))
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
	if r := audio.Goertzel(recB.Samples(), 700); r < 0.98 {
		t.Fatalf("callee heard the caller's 700 Hz at %.3f", r)
	}
	if err := a.Hangup(id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	waitCallID(ctx, t, b, id, sportello.CallEnded)
}
