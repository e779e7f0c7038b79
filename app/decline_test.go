package app_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
)

// TestOperator_DeclineRingingCall: Decline (Alt+D) is offered, with its
// shortcut on the button and in the Call menu, only while a call rings;
// it asks the phone to reject that call (603), and the ended call goes on
// the caller's history as missed. An answered call cannot be declined.
func TestOperator_DeclineRingingCall(t *testing.T) {
	r, l := controlRig(t)
	r.phone.RejectFn = func(id string) error { l.add("reject %s", id); return nil }
	if got := menuShortcut(t, r.w, "Decline"); got != app.ShortcutDecline {
		t.Errorf("menu Decline shortcut = %v", got)
	}
	apptest.WaitText(t, r.w, wait, "Decline  [Alt+D]")

	// No call: Alt+D does nothing.
	apptest.Press(r.w, app.ShortcutDecline)
	time.Sleep(50 * time.Millisecond)
	l.wait(t)

	ring := call(sportello.CallRinging, "+390212345678")
	ring.Direction = sportello.CallInbound
	r.phone.CallsCh <- ring
	apptest.WaitText(t, r.w, wait, "Ringing", "Maria Rossi")
	apptest.Press(r.w, app.ShortcutDecline)
	l.wait(t, "reject call-1")
	apptest.WaitText(t, r.w, wait, "Call declined: +39 02 1234 5678")

	gone := ring
	gone.State, gone.EndedAt, gone.EndReason = sportello.CallEnded, t0.Add(4*time.Second), "rejected"
	r.phone.CallsCh <- gone
	apptest.WaitText(t, r.w, wait, "Missed call · 10:30:04")
	deadline := time.Now().Add(wait)
	for {
		r.cases.mu.Lock()
		got := slices.Clone(r.cases.got)
		r.cases.mu.Unlock()
		if len(got) == 1 {
			if w := got[0]; w.Outcome != sportello.OutcomeMissed || w.CallID != "call-1" || w.CitizenID != "cit-1" || !w.EndedAt.Equal(gone.EndedAt) {
				t.Fatalf("declined call recorded as %+v", w)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("recorded %+v, want the declined call as missed", got)
		}
		time.Sleep(10 * time.Millisecond)
	}

	// An answered call: Decline is off, and the key does nothing.
	active := call(sportello.CallActive, "+390212345678")
	active.ID, active.Direction = "call-2", sportello.CallInbound
	r.phone.CallsCh <- active
	apptest.WaitText(t, r.w, wait, "In conversation")
	apptest.Press(r.w, app.ShortcutDecline)
	time.Sleep(50 * time.Millisecond)
	l.wait(t, "reject call-1")
	if apptest.Tap(r.w, "Decline  [Alt+D]") {
		time.Sleep(50 * time.Millisecond)
	}
	l.wait(t, "reject call-1")
}

// TestOperator_DeclineError: when the phone cannot reject the call (it
// was answered elsewhere, or ended), the operator reads why.
func TestOperator_DeclineError(t *testing.T) {
	r, _ := controlRig(t)
	r.phone.RejectFn = func(id string) error {
		return errors.Join(sportello.ErrCallNotReady, errors.New("reject "+id))
	}
	ring := call(sportello.CallRinging, "0299990000")
	ring.Direction = sportello.CallInbound
	r.phone.CallsCh <- ring
	apptest.WaitText(t, r.w, wait, "Ringing")
	apptest.Tap(r.w, "Decline  [Alt+D]")
	apptest.WaitText(t, r.w, wait, "Someone else changed this first")
}

// TestOperator_RegisterAgain: Register again (Alt+S) shows next to the SIP
// state only while the registration failed; pressed, it asks the phone to
// register now, and it goes away when the phone reports it is registering.
func TestOperator_RegisterAgain(t *testing.T) {
	r, l := controlRig(t)
	r.phone.ReregisterFn = func() error { l.add("reregister"); return nil }
	if got := menuShortcut(t, r.w, "Register again"); got != app.ShortcutRegisterAgain {
		t.Errorf("menu Register again shortcut = %v", got)
	}
	aor := "sip:1001@127.0.0.1:5070"
	r.phone.SetRegistration(sportello.PhoneRegistration{State: sportello.RegistrationOK, AOR: aor, Code: 200,
		Expires: time.Date(2026, 11, 20, 11, 30, 0, 0, time.UTC)})
	apptest.WaitText(t, r.w, wait, "SIP: registered as 1001@127.0.0.1:5070")
	if text := apptest.Text(r.w); strings.Contains(text, "Register again") {
		t.Fatalf("Register again shown while registered:\n%s", text)
	}
	apptest.Press(r.w, app.ShortcutRegisterAgain)
	time.Sleep(50 * time.Millisecond)
	l.wait(t) // registered: nothing to do

	r.phone.SetRegistration(sportello.PhoneRegistration{State: sportello.RegistrationFailed, AOR: aor,
		Reason: "registrar did not answer", RetryAt: time.Date(2026, 11, 20, 11, 32, 0, 0, time.UTC)})
	apptest.WaitText(t, r.w, wait, "Register again  [Alt+S]", "SIP: registration failed: registrar did not answer")
	apptest.Press(r.w, app.ShortcutRegisterAgain)
	l.wait(t, "reregister")
	apptest.WaitText(t, r.w, wait, "Registering again...")
	r.phone.SetRegistration(sportello.PhoneRegistration{State: sportello.RegistrationPending, AOR: aor})
	apptest.WaitText(t, r.w, wait, "SIP: registering as 1001@127.0.0.1:5070...")
	if text := apptest.Text(r.w); strings.Contains(text, "Register again  [") {
		t.Fatalf("Register again still shown while registering:\n%s", text)
	}

	// Failed again: the button is back and can be tapped.
	r.phone.SetRegistration(sportello.PhoneRegistration{State: sportello.RegistrationFailed, AOR: aor, Code: 403, Phrase: "Forbidden"})
	apptest.WaitText(t, r.w, wait, "Register again  [Alt+S]", "403 Forbidden")
	if !apptest.Tap(r.w, "Register again  [Alt+S]") {
		t.Fatal("no Register again button")
	}
	l.wait(t, "reregister", "reregister")
}

// TestOperator_DeclineTooltips: both buttons name their shortcut in their
// tooltip.
func TestOperator_DeclineTooltips(t *testing.T) {
	r, _ := controlRig(t)
	r.phone.SetRegistration(sportello.PhoneRegistration{State: sportello.RegistrationFailed, AOR: "sip:1001@127.0.0.1", Reason: "registrar did not answer"})
	apptest.WaitText(t, r.w, wait, "Register again  [Alt+S]")
	tips := tooltips(r.w)
	for _, want := range []string{"Decline (Alt+D)", "Register again (Alt+S)"} {
		if !slices.Contains(tips, want) {
			t.Errorf("no tooltip %q in %q", want, tips)
		}
	}
}

// TestOperator_ReplacingCall: a colleague consulted this desktop and then
// handed over the citizen (attended transfer: the citizen's call replaces
// the consultation). The citizen's call becomes the call in hand with the
// citizen's card; the consultation ends without a wrap-up, and the wrap-up
// after the citizen's call is the citizen's.
func TestOperator_ReplacingCall(t *testing.T) {
	r, _ := controlRig(t)
	consult := sportello.Call{ID: "consult-1", Direction: sportello.CallInbound, Number: "1001", Name: "Luca", State: sportello.CallRinging, StartedAt: t0}
	r.phone.CallsCh <- consult
	apptest.WaitText(t, r.w, wait, "Ringing")
	consult.State, consult.AnsweredAt, consult.Codec = sportello.CallActive, t0.Add(time.Second), "PCMU"
	r.phone.CallsCh <- consult
	apptest.WaitText(t, r.w, wait, "In conversation")

	citizen := sportello.Call{ID: "call-9", Direction: sportello.CallInbound, Number: "+390212345678", State: sportello.CallActive,
		StartedAt: t0.Add(time.Minute), AnsweredAt: t0.Add(time.Minute), Codec: "PCMU", Replaces: "consult-1"}
	r.phone.CallsCh <- citizen
	ended := consult
	ended.State, ended.EndedAt, ended.EndReason = sportello.CallEnded, t0.Add(61*time.Second), "transferred"
	r.phone.CallsCh <- ended
	apptest.WaitText(t, r.w, wait, "Call transferred to you: +39 02 1234 5678", "Maria Rossi", "In conversation · PCMU · 10:31:00")
	time.Sleep(100 * time.Millisecond)
	if text := apptest.Text(r.w); strings.Contains(text, "record the wrap-up") {
		t.Fatalf("the consultation opened a wrap-up:\n%s", text)
	}

	citizen.State, citizen.EndedAt = sportello.CallEnded, t0.Add(3*time.Minute)
	r.phone.CallsCh <- citizen
	apptest.WaitText(t, r.w, wait, "Call ended: record the wrap-up")
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on case")
	r.cases.mu.Lock()
	defer r.cases.mu.Unlock()
	if len(r.cases.got) != 1 || r.cases.got[0].CallID != "call-9" || r.cases.got[0].CitizenID != "cit-1" {
		t.Errorf("wrap-ups = %+v, want the citizen's call for Maria Rossi", r.cases.got)
	}
}
