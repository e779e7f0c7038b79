package softphone_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
)

const secondCaller = "+390287654321"

// TestPhone_CallWaiting: two sipp citizens. The first is in conversation
// when the second calls: the second rings with its number shown and the
// first stays in conversation; answering the second holds the first
// (its scenario checks a=sendonly); swapping holds the second and resumes
// the first (a=sendrecv); when the first hangs up the second is resumed
// and hangs up in turn. Both scenarios are uac_held.xml.
func TestPhone_CallWaiting(t *testing.T) {
	requireSipp(t)
	p := startPhone(t)
	w := watchCalls(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	first := startSipp(ctx, t, p, "uac_held.xml", "-d", "1000")
	a := w.number(ctx, t, callerNumber, sportello.CallRinging)
	if err := p.Answer(a.ID); err != nil {
		t.Fatalf("Answer first: %v", err)
	}
	w.state(ctx, t, a.ID, sportello.CallActive)

	second := startSipp(ctx, t, p, "uac_held.xml", "-key", "caller", secondCaller, "-d", "1000")
	b := w.number(ctx, t, secondCaller, sportello.CallRinging)
	if b.ID == a.ID || b.Direction != sportello.CallInbound {
		t.Fatalf("waiting call = %+v", b)
	}
	if c, err := p.Controls(a.ID); err != nil || c.OnHold {
		t.Fatalf("first call while the second rings: %+v, %v", c, err)
	}
	if err := p.Answer(b.ID); err != nil {
		t.Fatalf("Answer second: %v", err)
	}
	w.held(ctx, t, a.ID, true)
	w.state(ctx, t, b.ID, sportello.CallActive)

	// Swap: back to the first.
	if err := p.Hold(b.ID); err != nil {
		t.Fatalf("Hold second: %v", err)
	}
	if err := p.Resume(a.ID); err != nil {
		t.Fatalf("Resume first: %v", err)
	}
	w.held(ctx, t, a.ID, false)
	w.held(ctx, t, b.ID, true)
	if ended := w.state(ctx, t, a.ID, sportello.CallEnded); ended.EndReason != softphone.ReasonRemoteHangup {
		t.Errorf("first call ended %q", ended.EndReason)
	}
	first.wait(ctx, t)

	if err := p.Resume(b.ID); err != nil {
		t.Fatalf("Resume second: %v", err)
	}
	if ended := w.state(ctx, t, b.ID, sportello.CallEnded); ended.EndReason != softphone.ReasonRemoteHangup {
		t.Errorf("second call ended %q", ended.EndReason)
	}
	second.wait(ctx, t)
}

// TestPhone_CallWaitingReject: the operator refuses the waiting call
// (486 Busy Here, which uac_reject.xml expects); the call in conversation
// is not held and goes on until its citizen hangs up.
func TestPhone_CallWaitingReject(t *testing.T) {
	requireSipp(t)
	p := startPhone(t)
	w := watchCalls(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	first := startSipp(ctx, t, p, "uac.xml", "-d", "2500")
	a := w.number(ctx, t, callerNumber, sportello.CallRinging)
	if err := p.Answer(a.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	w.state(ctx, t, a.ID, sportello.CallActive)

	second := startSipp(ctx, t, p, "uac_reject.xml", "-key", "caller", secondCaller)
	b := w.number(ctx, t, secondCaller, sportello.CallRinging)
	if err := p.Hangup(b.ID); err != nil {
		t.Fatalf("Hangup waiting call: %v", err)
	}
	if ended := w.state(ctx, t, b.ID, sportello.CallEnded); !ended.Missed() || ended.EndReason != softphone.ReasonRejected {
		t.Errorf("rejected waiting call = %+v", ended)
	}
	second.wait(ctx, t)
	if c, err := p.Controls(a.ID); err != nil || c.OnHold {
		t.Fatalf("first call after rejecting the second: %+v, %v", c, err)
	}
	if ended := w.state(ctx, t, a.ID, sportello.CallEnded); ended.EndReason != softphone.ReasonRemoteHangup {
		t.Errorf("first call ended %q", ended.EndReason)
	}
	first.wait(ctx, t)
}

// TestPhone_CallWaitingDecline: the operator declines the waiting call
// with Reject, and the citizen's phone gets 603 Decline (uac_decline.xml
// fails on any other answer, 486 included); the call in conversation goes
// on, and Reject of that answered call is refused.
func TestPhone_CallWaitingDecline(t *testing.T) {
	requireSipp(t)
	p := startPhone(t)
	w := watchCalls(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	first := startSipp(ctx, t, p, "uac.xml", "-d", "2500")
	a := w.number(ctx, t, callerNumber, sportello.CallRinging)
	if err := p.Answer(a.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	w.state(ctx, t, a.ID, sportello.CallActive)

	second := startSipp(ctx, t, p, "uac_decline.xml", "-key", "caller", secondCaller)
	b := w.number(ctx, t, secondCaller, sportello.CallRinging)
	if err := p.Reject(b.ID); err != nil {
		t.Fatalf("Reject waiting call: %v", err)
	}
	if ended := w.state(ctx, t, b.ID, sportello.CallEnded); !ended.Missed() || ended.EndReason != softphone.ReasonRejected {
		t.Errorf("declined waiting call = %+v", ended)
	}
	second.wait(ctx, t)
	if err := p.Reject(a.ID); !errors.Is(err, sportello.ErrCallNotReady) {
		t.Errorf("Reject of the call in conversation: %v, want ErrCallNotReady", err)
	}
	if c, err := p.Controls(a.ID); err != nil || c.OnHold {
		t.Fatalf("first call after declining the second: %+v, %v", c, err)
	}
	if ended := w.state(ctx, t, a.ID, sportello.CallEnded); ended.EndReason != softphone.ReasonRemoteHangup {
		t.Errorf("first call ended %q", ended.EndReason)
	}
	first.wait(ctx, t)
	if err := p.Reject(b.ID); !errors.Is(err, sportello.ErrNoSuchCall) {
		t.Errorf("Reject of an ended call: %v, want ErrNoSuchCall", err)
	}
}
