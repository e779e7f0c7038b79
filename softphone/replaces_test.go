package softphone_test

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// freeTCPPort returns a TCP port of 127.0.0.1 free a moment ago (sipp's
// twin socket in -3pcc mode).
func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitTCPBound waits until something holds addr's TCP port (a listener,
// probed without connecting to it).
func waitTCPBound(t *testing.T, sipp *sippRun, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-sipp.done:
			sipp.done <- err
			t.Fatalf("sipp exited: %v\n%s", err, lastLines(sipp.out.String(), 20))
		default:
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			return
		}
		l.Close()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s", addr)
}

// TestPhone_ReplacesAttendedTransferToPhone: operator A's phone holds a
// call from a citizen (sipp), consults operator B's phone, and completes
// the transfer. The citizen's sipp passes the REFER's Replaces to its twin
// (sipp -3pcc), which INVITEs B with it: B matches the consultation it
// holds, answers the new INVITE at once (it never rings), ends the
// consultation with a BYE ("transferred") and is left talking to the
// citizen: the citizen's sipp echoes B's 1300 Hz tone back and B hears it.
func TestPhone_ReplacesAttendedTransferToPhone(t *testing.T) {
	requireSipp(t)
	a := startPhone(t)
	recB := &audio.Recorder{}
	b := startPhone(t, withToneAndSink(1300, recB))
	wa, wb := watchCalls(t, a), watchCalls(t, b)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	dir := t.TempDir()

	twin := "127.0.0.1:" + strconv.Itoa(freeTCPPort(t))
	target := startSippIn(ctx, t, dir, hostPort(t, b), "uac_replaces_target.xml", "-3pcc", twin,
		"-rtp_echo", "-mp", strconv.Itoa(freeMediaPort(t)))
	waitTCPBound(t, target, twin)
	citizen := startSippIn(ctx, t, dir, hostPort(t, a), "uac_replaces_citizen.xml", "-3pcc", twin,
		"-trace_logs", "-log_file", filepath.Join(dir, "refer.log"))

	ring := wa.number(ctx, t, callerNumber, sportello.CallRinging)
	if err := a.Answer(ring.ID); err != nil {
		t.Fatalf("A Answer: %v", err)
	}
	wa.state(ctx, t, ring.ID, sportello.CallActive)
	consultID, err := a.Consult(ring.ID, "sip:desk@"+hostPort(t, b))
	if err != nil {
		t.Fatalf("A Consult: %v", err)
	}
	wb.state(ctx, t, consultID, sportello.CallRinging)
	if err := b.Answer(consultID); err != nil {
		t.Fatalf("B Answer the consultation: %v", err)
	}
	wa.state(ctx, t, consultID, sportello.CallActive)
	wa.held(ctx, t, ring.ID, true)

	if err := a.CompleteTransfer(ring.ID, consultID); err != nil {
		t.Fatalf("A CompleteTransfer: %v", err)
	}
	if ended := wa.state(ctx, t, ring.ID, sportello.CallEnded); ended.EndReason != softphone.ReasonTransferred {
		t.Errorf("A's call with the citizen ended %q, want %q", ended.EndReason, softphone.ReasonTransferred)
	}
	// B ends the replaced consultation with its BYE (RFC 3891), usually
	// before the citizen's NOTIFY 200 reaches A.
	if ended := wa.state(ctx, t, consultID, sportello.CallEnded); ended.EndReason != softphone.ReasonRemoteHangup && ended.EndReason != softphone.ReasonTransferred {
		t.Errorf("A's consultation ended %q, want B's BYE or the transfer", ended.EndReason)
	}

	// B: the citizen's call took the consultation's place.
	took, _ := wb.wait(ctx, t, "replacing the consultation", 0, func(c sportello.Call) bool {
		return c.Replaces == consultID && c.State == sportello.CallActive
	})
	if took.Number != callerNumber || took.Direction != sportello.CallInbound || took.ID == consultID {
		t.Errorf("B's new call = %+v, want the citizen %s inbound", took, callerNumber)
	}
	if ended := wb.state(ctx, t, consultID, sportello.CallEnded); ended.EndReason != softphone.ReasonTransferred {
		t.Errorf("B's consultation ended %q, want %q", ended.EndReason, softphone.ReasonTransferred)
	}
	wb.mu.Lock()
	for _, c := range wb.seen {
		if c.ID == took.ID && c.State == sportello.CallRinging {
			t.Errorf("B rang for the call that replaces the consultation: %+v", c)
		}
	}
	wb.mu.Unlock()

	_, n := heardSince(recB, 0)
	time.Sleep(time.Second)
	heard, _ := heardSince(recB, n)
	if len(heard) < audio.SampleRate/2 {
		t.Fatalf("B heard %d samples in a second on the citizen's call", len(heard))
	}
	r := audio.Goertzel(heard, 1300)
	t.Logf("B heard %d samples on the citizen's call, its 1300 Hz echoed at %.3f", len(heard), r)
	if r < 0.9 {
		t.Fatalf("B heard its 1300 Hz echoed by the citizen at %.3f", r)
	}

	if err := b.Hangup(took.ID); err != nil {
		t.Fatalf("B Hangup: %v", err)
	}
	if ended := wb.state(ctx, t, took.ID, sportello.CallEnded); ended.EndReason != softphone.ReasonLocalHangup {
		t.Errorf("B's call with the citizen ended %q", ended.EndReason)
	}
	citizen.wait(ctx, t)
	target.wait(ctx, t)
	checkReplacesCallID(t, dir, consultID)
}

// checkReplacesCallID checks that the REFER the citizen got named the
// consultation.
func checkReplacesCallID(t *testing.T, dir, consultID string) {
	t.Helper()
	refer := referLogRE.FindStringSubmatch(sippLog(t, filepath.Join(dir, "refer.log")))
	if refer == nil || refer[2] != consultID {
		t.Fatalf("REFER's Replaces %q, want call-id %s", refer, consultID)
	}
}

// TestPhone_ReplacesMatchesNothing: an INVITE whose Replaces names no
// dialog of the phone gets 481 (sipp fails on anything else) and never
// rings; the phone then takes a plain call as before.
func TestPhone_ReplacesMatchesNothing(t *testing.T) {
	requireSipp(t)
	p := startPhone(t)
	w := watchCalls(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	for _, replaces := range []string{
		"gone-1234@127.0.0.1;to-tag=abc;from-tag=def",
		"gone-1234@127.0.0.1;to-tag=abc;from-tag=def;early-only",
	} {
		sipp := startSipp(ctx, t, p, "uac_replaces_nomatch.xml", "-key", "replaces", replaces)
		sipp.wait(ctx, t)
	}
	w.mu.Lock()
	if len(w.seen) != 0 {
		t.Errorf("the phone published %+v for INVITEs that replace nothing", w.seen)
	}
	w.mu.Unlock()

	sipp := startSipp(ctx, t, p, "uac.xml", "-d", "500")
	ring := w.number(ctx, t, callerNumber, sportello.CallRinging)
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	sipp.wait(ctx, t)
	w.state(ctx, t, ring.ID, sportello.CallEnded)
}
