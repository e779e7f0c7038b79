package softphone_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
)

// callWatch keeps every snapshot of a phone's calls, so a test following
// two calls at once loses none to the other's waits.
type callWatch struct {
	mu    sync.Mutex
	seen  []sportello.Call
	added chan struct{}
}

// watchCalls reads p's Calls channel until the end of the test.
func watchCalls(t *testing.T, p *softphone.Phone) *callWatch {
	w := &callWatch{added: make(chan struct{}, 1)}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case c, ok := <-p.Calls():
				if !ok {
					return
				}
				w.mu.Lock()
				w.seen = append(w.seen, c)
				w.mu.Unlock()
				select {
				case w.added <- struct{}{}:
				default:
				}
			case <-stop:
				return
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return w
}

// wait returns the first snapshot at or after index from that passes ok,
// with the index after it.
func (w *callWatch) wait(ctx context.Context, t *testing.T, what string, from int, ok func(sportello.Call) bool) (sportello.Call, int) {
	t.Helper()
	for {
		w.mu.Lock()
		for i := from; i < len(w.seen); i++ {
			if ok(w.seen[i]) {
				c := w.seen[i]
				w.mu.Unlock()
				return c, i + 1
			}
		}
		w.mu.Unlock()
		select {
		case <-w.added:
		case <-ctx.Done():
			w.mu.Lock()
			defer w.mu.Unlock()
			t.Fatalf("no snapshot %s: %v; seen %+v", what, ctx.Err(), w.seen)
		}
	}
}

// state waits for call id in state (any snapshot since the start).
func (w *callWatch) state(ctx context.Context, t *testing.T, id string, state sportello.CallState) sportello.Call {
	t.Helper()
	c, _ := w.wait(ctx, t, "of "+id+" "+string(state), 0, func(c sportello.Call) bool { return c.ID == id && c.State == state })
	return c
}

// number waits for a call from number in state.
func (w *callWatch) number(ctx context.Context, t *testing.T, number string, state sportello.CallState) sportello.Call {
	t.Helper()
	c, _ := w.wait(ctx, t, "from "+number+" "+string(state), 0, func(c sportello.Call) bool { return c.Number == number && c.State == state })
	return c
}

// held waits for the latest word on whether id is on hold to be on.
func (w *callWatch) held(ctx context.Context, t *testing.T, id string, on bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		w.mu.Lock()
		var last *sportello.Call
		for i := range w.seen {
			if w.seen[i].ID == id {
				last = &w.seen[i]
			}
		}
		got := last != nil && last.OnHold == on && last.State == sportello.CallActive
		w.mu.Unlock()
		if got {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("call %s: on hold not %v (last %+v)", id, on, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sippLog reads the <log> lines a sipp scenario wrote with -trace_logs.
func sippLog(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("sipp log: %v", err)
	}
	return string(b)
}

// consultAnswered answers a sipp citizen with the phone and consults a sipp
// desk that answers: it returns the two call ids and the desk's sipp.
func consultAnswered(ctx context.Context, t *testing.T, p *softphone.Phone, w *callWatch, target func(addr string) string, logDir string) (callID, consultID string, desk *sippRun) {
	t.Helper()
	ring := w.number(ctx, t, callerNumber, sportello.CallRinging)
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	w.state(ctx, t, ring.ID, sportello.CallActive)
	desk, addr := startSippUAS(ctx, t, "uas_consult.xml", "-key", "totag", "consult-tag-7",
		"-trace_logs", "-log_file", filepath.Join(logDir, "consult.log"))
	waitSippListening(t, desk, addr)
	consultID, err := p.Consult(ring.ID, target(addr))
	if err != nil {
		t.Fatalf("Consult: %v", err)
	}
	dialing := w.state(ctx, t, consultID, sportello.CallDialing)
	if dialing.ConsultOf != ring.ID || dialing.Direction != sportello.CallOutbound {
		t.Fatalf("consultation snapshot = %+v, want ConsultOf %s", dialing, ring.ID)
	}
	w.held(ctx, t, ring.ID, true)
	w.state(ctx, t, consultID, sportello.CallActive)
	return ring.ID, consultID, desk
}

var (
	referLogRE   = regexp.MustCompile(`refer-to target=(\S+) call-id=(\S+) to-tag=(\S+) from-tag=(\S+)`)
	consultLogRE = regexp.MustCompile(`consult call-id=(\S+) from-tag=(\S+) to-tag=(\S+)`)
)

// checkReplaces compares the Replaces the citizen's sipp received with the
// consultation dialog as the desk's sipp saw it.
func checkReplaces(t *testing.T, dir, consultID, wantTarget string) {
	t.Helper()
	refer := referLogRE.FindStringSubmatch(sippLog(t, filepath.Join(dir, "refer.log")))
	consult := consultLogRE.FindStringSubmatch(sippLog(t, filepath.Join(dir, "consult.log")))
	if refer == nil || consult == nil {
		t.Fatalf("sipp logs: refer %q, consult %q", refer, consult)
	}
	t.Logf("Refer-To %s ?Replaces call-id %s to-tag %s from-tag %s", refer[1], refer[2], refer[3], refer[4])
	if refer[2] != consultID || consult[1] != consultID {
		t.Errorf("Replaces call-id %q, consultation Call-ID %q, want %q", refer[2], consult[1], consultID)
	}
	if refer[3] != "consult-tag-7" || consult[3] != "consult-tag-7" {
		t.Errorf("Replaces to-tag %q, want the desk's tag consult-tag-7", refer[3])
	}
	if refer[4] != consult[2] || refer[4] == "" {
		t.Errorf("Replaces from-tag %q, want the phone's tag in the consultation %q", refer[4], consult[2])
	}
	if !strings.HasPrefix(refer[1], wantTarget) {
		t.Errorf("Refer-To target %q, want %s...", refer[1], wantTarget)
	}
}

// TestPhone_AttendedTransfer: a sipp citizen calls, the operator consults
// a sipp desk (the citizen is held: its scenario checks a=sendonly), then
// completes: the REFER's Refer-To carries Replaces with exactly the
// consultation's Call-ID, the desk's tag as to-tag and the phone's as
// from-tag; the citizen's NOTIFY 200 makes the phone hang up both calls,
// both ending "transferred".
func TestPhone_AttendedTransfer(t *testing.T) {
	requireSipp(t)
	p := startPhone(t)
	w := watchCalls(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	dir := t.TempDir()

	citizen := startSippIn(ctx, t, dir, hostPort(t, p), "uac_attended.xml", "-trace_logs", "-log_file", filepath.Join(dir, "refer.log"))
	callID, consultID, desk := consultAnswered(ctx, t, p, w, func(addr string) string { return "sip:2000@" + addr }, dir)
	if _, err := p.Consult(callID, "sip:2001@127.0.0.1:5999"); !errors.Is(err, sportello.ErrCallNotReady) {
		t.Fatalf("second Consult error = %v, want ErrCallNotReady", err)
	}
	if err := p.CompleteTransfer(consultID, callID); !errors.Is(err, sportello.ErrNoSuchCall) {
		t.Fatalf("CompleteTransfer with the ids swapped error = %v, want ErrNoSuchCall", err)
	}
	if err := p.CompleteTransfer(callID, consultID); err != nil {
		t.Fatalf("CompleteTransfer: %v", err)
	}
	for _, id := range []string{callID, consultID} {
		if ended := w.state(ctx, t, id, sportello.CallEnded); ended.EndReason != softphone.ReasonTransferred {
			t.Errorf("call %s ended %q, want %q", id, ended.EndReason, softphone.ReasonTransferred)
		}
	}
	citizen.wait(ctx, t)
	desk.wait(ctx, t)
	checkReplaces(t, dir, consultID, "sip:2000@127.0.0.1:")
}

// TestPhone_AttendedTransferFails: the target does not take the call
// (NOTIFY sipfrag 486): CompleteTransfer returns ErrTransferFailed with
// the reason, the phone hangs up the consultation (the desk's sipp expects
// its BYE) and resumes the citizen (its scenario expects a=sendrecv), who
// then hangs up.
func TestPhone_AttendedTransferFails(t *testing.T) {
	requireSipp(t)
	p := startPhone(t)
	w := watchCalls(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	dir := t.TempDir()

	citizen := startSippIn(ctx, t, dir, hostPort(t, p), "uac_attended_fail.xml", "-d", "1500",
		"-trace_logs", "-log_file", filepath.Join(dir, "refer.log"))
	callID, consultID, desk := consultAnswered(ctx, t, p, w, func(addr string) string { return "sip:2000@" + addr }, dir)
	err := p.CompleteTransfer(callID, consultID)
	if !errors.Is(err, sportello.ErrTransferFailed) || !strings.Contains(err.Error(), "486 Busy Here") {
		t.Fatalf("CompleteTransfer error = %v, want ErrTransferFailed with 486 Busy Here", err)
	}
	if ended := w.state(ctx, t, consultID, sportello.CallEnded); ended.EndReason != softphone.ReasonLocalHangup {
		t.Errorf("consultation ended %q, want %q", ended.EndReason, softphone.ReasonLocalHangup)
	}
	w.held(ctx, t, callID, false)
	if ended := w.state(ctx, t, callID, sportello.CallEnded); ended.EndReason != softphone.ReasonRemoteHangup {
		t.Errorf("call ended %q, want %q", ended.EndReason, softphone.ReasonRemoteHangup)
	}
	citizen.wait(ctx, t)
	desk.wait(ctx, t)
	checkReplaces(t, dir, consultID, "sip:2000@127.0.0.1:")
}

// TestPhone_ConsultCancel: the operator consults, then cancels: the
// consultation ends, the citizen is resumed (a=sendrecv) and still the
// operator's; CompleteTransfer afterwards has no consultation to complete.
func TestPhone_ConsultCancel(t *testing.T) {
	requireSipp(t)
	p := startPhone(t)
	w := watchCalls(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	dir := t.TempDir()

	citizen := startSippIn(ctx, t, dir, hostPort(t, p), "uac_held.xml", "-d", "2000")
	callID, consultID, desk := consultAnswered(ctx, t, p, w, func(addr string) string { return "sip:2000@" + addr }, dir)
	if err := p.CancelTransfer(callID, consultID); err != nil {
		t.Fatalf("CancelTransfer: %v", err)
	}
	w.state(ctx, t, consultID, sportello.CallEnded)
	w.held(ctx, t, callID, false)
	if err := p.CompleteTransfer(callID, consultID); !errors.Is(err, sportello.ErrNoSuchCall) {
		t.Fatalf("CompleteTransfer after cancel error = %v, want ErrNoSuchCall", err)
	}
	if ended := w.state(ctx, t, callID, sportello.CallEnded); ended.EndReason != softphone.ReasonRemoteHangup {
		t.Errorf("call ended %q, want %q", ended.EndReason, softphone.ReasonRemoteHangup)
	}
	citizen.wait(ctx, t)
	desk.wait(ctx, t)
}

// TestPhone_ConsultNotAnswered: the consultation fails (nobody listens at
// the target): the citizen is taken off hold by itself.
func TestPhone_ConsultNotAnswered(t *testing.T) {
	requireSipp(t)
	p := startPhone(t)
	w := watchCalls(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	citizen := startSipp(ctx, t, p, "uac_held.xml", "-d", "1000")
	ring := w.number(ctx, t, callerNumber, sportello.CallRinging)
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	w.state(ctx, t, ring.ID, sportello.CallActive)
	if _, err := p.Consult(ring.ID, "not a number"); !errors.Is(err, softphone.ErrBadTarget) {
		t.Fatalf("Consult of a bad target error = %v, want ErrBadTarget", err)
	}
	// A desk that refuses at once: sipp's UAS answering 486.
	desk, addr := startSippUAS(ctx, t, "uas_busy.xml")
	waitSippListening(t, desk, addr)
	consultID, err := p.Consult(ring.ID, "sip:2000@"+addr)
	if err != nil {
		t.Fatalf("Consult: %v", err)
	}
	if ended := w.state(ctx, t, consultID, sportello.CallEnded); ended.EndReason != softphone.ReasonBusy {
		t.Errorf("consultation ended %q, want %q", ended.EndReason, softphone.ReasonBusy)
	}
	w.held(ctx, t, ring.ID, false)
	w.state(ctx, t, ring.ID, sportello.CallEnded)
	citizen.wait(ctx, t)
	desk.wait(ctx, t)
}

// TestPhone_AttendedTransferViaRegistrar: the phone is registered to
// Kamailio and consults a bare number: the consultation goes through the
// proxy (407 answered, Record-Route kept) to its gateway, the desk's sipp,
// and the Refer-To names the number at the registrar with Replaces naming
// the consultation dialog as the desk saw it through the proxy.
func TestPhone_AttendedTransferViaRegistrar(t *testing.T) {
	requireSipp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	dir := t.TempDir()
	desk, gw := startSippUAS(ctx, t, "uas_consult.xml", "-key", "totag", "consult-tag-7",
		"-trace_logs", "-log_file", filepath.Join(dir, "consult.log"))
	waitSippListening(t, desk, gw)
	k := startKamailio(t, map[string]string{"1001": "s3cret"}, `GATEWAY="sip:`+gw+`"`)
	p := startPhone(t, softphone.WithRegistrar(k.addr, "1001", "s3cret"))
	w := watchCalls(t, p)
	waitRegistration(ctx, t, p, softphone.RegistrationOK)

	citizen := startSippIn(ctx, t, dir, hostPort(t, p), "uac_attended.xml", "-trace_logs", "-log_file", filepath.Join(dir, "refer.log"))
	ring := w.number(ctx, t, callerNumber, sportello.CallRinging)
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	w.state(ctx, t, ring.ID, sportello.CallActive)
	consultID, err := p.Consult(ring.ID, "20 00")
	if err != nil {
		t.Fatalf("Consult: %v", err)
	}
	if c := w.state(ctx, t, consultID, sportello.CallActive); c.ConsultOf != ring.ID || c.Number != "2000" {
		t.Fatalf("consultation = %+v", c)
	}
	w.held(ctx, t, ring.ID, true)
	if err := p.CompleteTransfer(ring.ID, consultID); err != nil {
		t.Fatalf("CompleteTransfer: %v", err)
	}
	for _, id := range []string{ring.ID, consultID} {
		if ended := w.state(ctx, t, id, sportello.CallEnded); ended.EndReason != softphone.ReasonTransferred {
			t.Errorf("call %s ended %q, want %q", id, ended.EndReason, softphone.ReasonTransferred)
		}
	}
	citizen.wait(ctx, t)
	desk.wait(ctx, t)
	checkReplaces(t, dir, consultID, "sip:2000@"+k.addr)
}
