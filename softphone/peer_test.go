package softphone_test

import (
	"context"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// withToneAndSink makes every call send a tone of freq and record what it
// hears into rec.
func withToneAndSink(freq float64, rec *audio.Recorder) softphone.Option {
	return softphone.WithAudio(func(string) (audio.Source, audio.Sink, error) { return audio.NewTone(freq, 0), rec, nil })
}

// nextCall returns the next snapshot in state from any call.
func nextCall(ctx context.Context, t *testing.T, calls <-chan sportello.Call, state sportello.CallState) sportello.Call {
	t.Helper()
	for {
		select {
		case c := <-calls:
			if c.State == state {
				return c
			}
		case <-ctx.Done():
			t.Fatalf("no %s call: %v", state, ctx.Err())
		}
	}
}

// TestPhone_PhoneToPhone has one phone call another directly: the callee
// rings and answers, each hears the other's tone, keys go both ways as
// RFC 4733 events, each side holds and resumes the call (the other side
// takes the re-INVITEs), and the caller hangs up.
func TestPhone_PhoneToPhone(t *testing.T) {
	recA := &audio.Recorder{}
	a := startPhone(t, withToneAndSink(700, recA))
	recB := &audio.Recorder{}
	b := startPhone(t, withToneAndSink(1300, recB))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	id, err := a.Dial("sip:desk@" + hostPort(t, b))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	ring := nextCall(ctx, t, b.Calls(), sportello.CallRinging)
	if ring.ID != id || ring.Direction != sportello.CallInbound {
		t.Fatalf("callee's ringing snapshot = %+v, want call %s inbound", ring, id)
	}
	if err := b.Answer(id); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitCallID(ctx, t, a, id, sportello.CallActive)
	time.Sleep(time.Second)
	if r := audio.Goertzel(recA.Samples(), 1300); r < 0.98 {
		t.Fatalf("caller heard the callee's 1300 Hz at %.3f", r)
	}
	if r := audio.Goertzel(recB.Samples(), 700); r < 0.98 {
		t.Fatalf("callee heard the caller's 700 Hz at %.3f", r)
	}

	if err := a.SendDTMF(id, "12"); err != nil {
		t.Fatalf("caller SendDTMF: %v", err)
	}
	waitDTMF(ctx, t, b, id, "12")
	if err := b.SendDTMF(id, "#"); err != nil {
		t.Fatalf("callee SendDTMF: %v", err)
	}
	waitDTMF(ctx, t, a, id, "#")

	for _, p := range []*softphone.Phone{a, b} { // each side holds once
		if err := p.Hold(id); err != nil {
			t.Fatalf("Hold: %v", err)
		}
		if err := p.Resume(id); err != nil {
			t.Fatalf("Resume: %v", err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	_, n := heardSince(recB, 0)
	time.Sleep(500 * time.Millisecond)
	if after, _ := heardSince(recB, n); len(after) < audio.SampleRate/4 || audio.Goertzel(after, 700) < 0.98 {
		t.Fatalf("after hold and resume the callee heard %d samples, 700 Hz at %.3f", len(after), audio.Goertzel(after, 700))
	}

	if err := a.Hangup(id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	if ended := waitCallID(ctx, t, b, id, sportello.CallEnded); ended.EndReason != "remote hangup" {
		t.Fatalf("callee's end = %+v", ended)
	}
	waitCallID(ctx, t, a, id, sportello.CallEnded)
}
