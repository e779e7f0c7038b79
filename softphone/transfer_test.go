package softphone_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
)

// TestPhone_Transfer transfers a sipp caller blind: sipp checks the REFER
// names sip:2000@ in Refer-To, accepts it with 202 and reports the
// target's answer with NOTIFY sipfrag (100, then 200); Transfer returns
// nil, the phone hangs up by itself (sipp expects its BYE) and the call
// ends "transferred".
func TestPhone_Transfer(t *testing.T) {
	requireSipp(t)
	p := startPhone(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sipp := startSipp(ctx, t, p, "uac_refer.xml")
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	if err := p.Transfer(ring.ID, "sip:2000@127.0.0.1:5999"); !errors.Is(err, sportello.ErrCallNotReady) {
		t.Fatalf("Transfer while ringing error = %v, want ErrCallNotReady", err)
	}
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitCall(ctx, t, p, callerNumber, sportello.CallActive)
	if err := p.Transfer(ring.ID, "2000"); !errors.Is(err, softphone.ErrNoRegistrar) {
		t.Fatalf("Transfer to a number without a registrar error = %v, want ErrNoRegistrar", err)
	}
	if err := p.Transfer(ring.ID, "sip:2000@127.0.0.1:5999"); err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	ended := waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	if ended.EndReason != softphone.ReasonTransferred {
		t.Fatalf("end reason = %q, want %q", ended.EndReason, softphone.ReasonTransferred)
	}
	sipp.wait(ctx, t)
	if err := p.Transfer(ring.ID, "sip:2000@127.0.0.1:5999"); !errors.Is(err, sportello.ErrNoSuchCall) {
		t.Fatalf("Transfer of an ended call error = %v, want ErrNoSuchCall", err)
	}
}

// TestPhone_TransferFails transfers a sipp caller to a busy target: the
// NOTIFY's sipfrag says 486, Transfer returns ErrTransferFailed with the
// reason, the call stays active with the operator, and it ends when the
// citizen hangs up.
func TestPhone_TransferFails(t *testing.T) {
	requireSipp(t)
	p := startPhone(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sipp := startSipp(ctx, t, p, "uac_refer_fail.xml", "-d", "1500")
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitCall(ctx, t, p, callerNumber, sportello.CallActive)
	err := p.Transfer(ring.ID, "sip:2000@127.0.0.1:5999")
	if !errors.Is(err, sportello.ErrTransferFailed) || !strings.Contains(err.Error(), "486 Busy Here") {
		t.Fatalf("Transfer error = %v, want ErrTransferFailed with 486 Busy Here", err)
	}
	if c, err := p.Controls(ring.ID); err != nil {
		t.Fatalf("call gone after a failed transfer: %v", err)
	} else if c.OnHold {
		t.Fatalf("controls after a failed transfer = %+v", c)
	}
	ended := waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	if ended.EndReason != softphone.ReasonRemoteHangup {
		t.Fatalf("end reason = %q, want %q", ended.EndReason, softphone.ReasonRemoteHangup)
	}
	sipp.wait(ctx, t)
}

// TestPhone_TransferRefused: the other party answers the REFER with 603;
// Transfer says so and the call stays until the caller hangs up.
func TestPhone_TransferRefused(t *testing.T) {
	requireSipp(t)
	p := startPhone(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sipp := startSipp(ctx, t, p, "uac_refer_refused.xml", "-d", "1500")
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitCall(ctx, t, p, callerNumber, sportello.CallActive)
	err := p.Transfer(ring.ID, "sip:2000@127.0.0.1:5999")
	if !errors.Is(err, sportello.ErrTransferFailed) || !strings.Contains(err.Error(), "REFER refused with 603") {
		t.Fatalf("Transfer error = %v, want ErrTransferFailed with REFER refused with 603", err)
	}
	if _, err := p.Controls(ring.ID); err != nil {
		t.Fatalf("call gone after a refused REFER: %v", err)
	}
	ended := waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	if ended.EndReason != softphone.ReasonRemoteHangup {
		t.Fatalf("end reason = %q, want %q", ended.EndReason, softphone.ReasonRemoteHangup)
	}
	sipp.wait(ctx, t)
}

// TestPhone_TransferNumberViaRegistrar transfers to a bare number with the
// phone registered to Kamailio: Refer-To is the number at the registrar's
// domain (sipp checks sip:2000@), and the transfer completes.
func TestPhone_TransferNumberViaRegistrar(t *testing.T) {
	requireSipp(t)
	k := startKamailio(t, map[string]string{"1001": "s3cret"})
	p := startPhone(t, softphone.WithRegistrar(k.addr, "1001", "s3cret"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	waitRegistration(ctx, t, p, softphone.RegistrationOK)

	sipp := startSipp(ctx, t, p, "uac_refer.xml")
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitCall(ctx, t, p, callerNumber, sportello.CallActive)
	if err := p.Transfer(ring.ID, "20-00"); err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	ended := waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	if ended.EndReason != softphone.ReasonTransferred {
		t.Fatalf("end reason = %q, want %q", ended.EndReason, softphone.ReasonTransferred)
	}
	sipp.wait(ctx, t)
}
