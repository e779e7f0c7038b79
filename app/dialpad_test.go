package app_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
)

// phoneLog records what the desktop asked of the fake phone, from any
// goroutine.
type phoneLog struct {
	mu  sync.Mutex
	ops []string
}

func (l *phoneLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = append(l.ops, fmt.Sprintf(format, args...))
}

// wait fails the test unless the log reads want within the timeout.
func (l *phoneLog) wait(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		l.mu.Lock()
		got := slices.Clone(l.ops)
		l.mu.Unlock()
		if slices.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("phone was asked %q, want %q", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// controlRig is the operator rig with every call control of the fake phone
// logged.
func controlRig(t *testing.T) (*rig, *phoneLog) {
	t.Helper()
	r := newRig(t)
	l := &phoneLog{}
	r.phone.DialFn = func(target string) (string, error) { l.add("dial %s", target); return "out-1", nil }
	r.phone.HoldFn = func(id string) error { l.add("hold %s", id); return nil }
	r.phone.ResumeFn = func(id string) error { l.add("resume %s", id); return nil }
	r.phone.MuteFn = func(id string, on bool) error { l.add("mute %s %v", id, on); return nil }
	r.phone.SendDTMFFn = func(id, keys string) error { l.add("dtmf %s %s", id, keys); return nil }
	r.phone.HangupFn = func(id string) error { l.add("hangup %s", id); return nil }
	return r, l
}

func outbound(state sportello.CallState, number string) sportello.Call {
	c := sportello.Call{ID: "out-1", Direction: sportello.CallOutbound, Number: number, State: state, StartedAt: t0, Codec: "PCMU"}
	if state == sportello.CallActive {
		c.AnsweredAt = t0.Add(3 * time.Second)
	}
	return c
}

// TestCallControls_DialByKeyboardThenDTMF: Ctrl+Shift+D with nothing typed
// puts the cursor in the dial field; with a number it calls it. The call
// shows as dialing, then active; digits typed in the field then go out as
// DTMF, one key after the other, and stay visible.
func TestCallControls_DialByKeyboardThenDTMF(t *testing.T) {
	r, l := controlRig(t)
	apptest.WaitText(t, r.w, wait, "Dial  [Ctrl+Shift+D]", "Hold  [Ctrl+Shift+H]", "Mute  [Ctrl+Shift+M]")
	apptest.Press(r.w, app.ShortcutDial)
	apptest.TypeFocused(r.w, "02 9999 0000")
	apptest.Press(r.w, app.ShortcutDial)
	l.wait(t, "dial 02 9999 0000")

	r.phone.CallsCh <- outbound(sportello.CallDialing, "0299990000")
	apptest.WaitText(t, r.w, wait, "Calling...", "0299990000", "Unknown caller")
	if got := r.cits.reasons; len(got) != 1 || got[0] != "call out-1" {
		t.Fatalf("lookup reasons = %q, want the call id", got)
	}
	r.phone.CallsCh <- outbound(sportello.CallActive, "0299990000")
	apptest.WaitText(t, r.w, wait, "In conversation · PCMU")

	apptest.Press(r.w, app.ShortcutDial) // during a call: the field, for keys
	apptest.TypeFocused(r.w, "12#x")
	l.wait(t, "dial 02 9999 0000", "dtmf out-1 1", "dtmf out-1 2", "dtmf out-1 #")
	apptest.WaitText(t, r.w, wait, "12#")

	// The dial pad sends too.
	if !apptest.Tap(r.w, "9") {
		t.Fatal("no dial pad key 9")
	}
	l.wait(t, "dial 02 9999 0000", "dtmf out-1 1", "dtmf out-1 2", "dtmf out-1 #", "dtmf out-1 9")

	apptest.Press(r.w, app.ShortcutHangup)
	l.wait(t, "dial 02 9999 0000", "dtmf out-1 1", "dtmf out-1 2", "dtmf out-1 #", "dtmf out-1 9", "hangup out-1")
}

// TestCallControls_EnterDials: Enter in the dial field calls, as the
// button does.
func TestCallControls_EnterDials(t *testing.T) {
	r, l := controlRig(t)
	apptest.Press(r.w, app.ShortcutDial)
	apptest.TypeFocused(r.w, "sip:2000@127.0.0.1:5999")
	apptest.Enter(r.w)
	l.wait(t, "dial sip:2000@127.0.0.1:5999")
}

// TestCallControls_ClickToCallFromCard: the caller card has a call button
// per number of the citizen; clicking it, or Ctrl+Shift+P, calls it.
func TestCallControls_ClickToCallFromCard(t *testing.T) {
	r, l := controlRig(t)
	r.cits.cards["+390212345678"].Citizen.Phones = []string{"+390212345678", "+393471234567"}
	apptest.Press(r.w, app.ShortcutSearch)
	apptest.TypeFocused(r.w, "+390212345678")
	apptest.Enter(r.w)
	apptest.WaitText(t, r.w, wait, "Maria Rossi", "Dial +39 02 1234 5678  [Ctrl+Shift+P]", "Dial +39 347 1234 567")

	if !apptest.Tap(r.w, "Dial +39 347 1234 567") {
		t.Fatal("no call button for the second number")
	}
	l.wait(t, "dial +393471234567")
	// The phone said no: the operator reads why and can try again.
	r.phone.DialFn = func(target string) (string, error) {
		l.add("dial %s", target)
		return "", sportello.Errorf(sportello.EINVALID, "no registrar configured: dial a SIP URI")
	}
	apptest.Press(r.w, app.ShortcutCallCitizen)
	l.wait(t, "dial +393471234567", "dial +390212345678")
	apptest.WaitText(t, r.w, wait, "Check the data: no registrar configured")

	// Dialing the citizen keeps their card: no second lookup.
	r.phone.CallsCh <- outbound(sportello.CallDialing, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Calling...", "Maria Rossi")
	if n := len(r.cits.reasons); n != 1 {
		t.Fatalf("%d lookups, want the search's only", n)
	}
	// While a call is in hand, the card's buttons do nothing.
	apptest.Press(r.w, app.ShortcutCallCitizen)
	apptest.Tap(r.w, "Dial +39 347 1234 567")
	l.wait(t, "dial +393471234567", "dial +390212345678")

	// Nobody answers.
	ended := outbound(sportello.CallEnded, "+390212345678")
	ended.EndReason, ended.EndedAt = "busy", t0.Add(10*time.Second)
	r.phone.CallsCh <- ended
	apptest.WaitText(t, r.w, wait, "Not answered · busy")
	r.cases.mu.Lock()
	defer r.cases.mu.Unlock()
	if len(r.cases.got) != 0 {
		t.Fatalf("an unanswered outbound call recorded %+v", r.cases.got)
	}
}

// TestCallControls_HoldAndMute: Ctrl+Shift+H and Ctrl+Shift+M toggle hold
// and mute on the active call; the screen follows the phone's snapshots.
func TestCallControls_HoldAndMute(t *testing.T) {
	r, l := controlRig(t)
	// Nothing to hold without a call.
	apptest.Press(r.w, app.ShortcutHold)
	apptest.Press(r.w, app.ShortcutMute)

	in := call(sportello.CallActive, "+390212345678")
	in.Direction = sportello.CallInbound
	r.phone.CallsCh <- in
	apptest.WaitText(t, r.w, wait, "In conversation · PCMU")

	apptest.Press(r.w, app.ShortcutHold)
	l.wait(t, "hold call-1")
	in.OnHold = true
	r.phone.CallsCh <- in
	apptest.WaitText(t, r.w, wait, "In conversation · PCMU · 10:30:02 · On hold", "Resume  [Ctrl+Shift+H]")

	apptest.Press(r.w, app.ShortcutMute)
	l.wait(t, "hold call-1", "mute call-1 true")
	in.Muted = true
	r.phone.CallsCh <- in
	apptest.WaitText(t, r.w, wait, "On hold · Muted", "Unmute  [Ctrl+Shift+M]")

	apptest.Press(r.w, app.ShortcutHold)
	l.wait(t, "hold call-1", "mute call-1 true", "resume call-1")
	in.OnHold = false
	r.phone.CallsCh <- in
	apptest.WaitText(t, r.w, wait, "Hold  [Ctrl+Shift+H]")

	if !apptest.Tap(r.w, "Unmute") {
		t.Fatal("no unmute button")
	}
	l.wait(t, "hold call-1", "mute call-1 true", "resume call-1", "mute call-1 false")
	in.Muted = false
	r.phone.CallsCh <- in
	apptest.WaitText(t, r.w, wait, "Mute  [Ctrl+Shift+M]")
	if text := apptest.Text(r.w); strings.Contains(text, "On hold") || strings.Contains(text, "Muted") {
		t.Fatalf("still shows hold or mute:\n%s", text)
	}
}

// TestCallControls_HoldRefused: a refused hold says why and leaves the
// call as it was.
func TestCallControls_HoldRefused(t *testing.T) {
	r, l := controlRig(t)
	r.phone.HoldFn = func(id string) error {
		l.add("hold %s", id)
		return fmt.Errorf("hold %s: %w", id, sportello.ErrCallNotReady)
	}
	r.phone.CallsCh <- call(sportello.CallActive, "+390212345678")
	apptest.WaitText(t, r.w, wait, "In conversation")
	apptest.Press(r.w, app.ShortcutHold)
	l.wait(t, "hold call-1")
	apptest.WaitText(t, r.w, wait, "Someone else changed this first", "Hold  [Ctrl+Shift+H]")
}

// TestCallControls_ReceivedDTMF: keys the other party presses show on the
// call in hand, not on another.
func TestCallControls_ReceivedDTMF(t *testing.T) {
	r, _ := controlRig(t)
	r.phone.CallsCh <- call(sportello.CallActive, "+390212345678")
	apptest.WaitText(t, r.w, wait, "In conversation")
	r.phone.DTMFCh <- sportello.DTMF{CallID: "other", Key: "7"}
	r.phone.DTMFCh <- sportello.DTMF{CallID: "call-1", Key: "5"}
	r.phone.DTMFCh <- sportello.DTMF{CallID: "call-1", Key: "#"}
	apptest.WaitText(t, r.w, wait, "Keys from the other party: 5#")
}

// TestCallControls_Registration: the status bar says how the phone stands
// with its registrar.
func TestCallControls_Registration(t *testing.T) {
	r, _ := controlRig(t)
	apptest.WaitText(t, r.w, wait, "SIP: listening on udp 127.0.0.1:5060")
	aor := "sip:1001@127.0.0.1:5070"
	r.phone.SetRegistration(sportello.PhoneRegistration{State: sportello.RegistrationPending, AOR: aor})
	apptest.WaitText(t, r.w, wait, "SIP: registering as 1001@127.0.0.1:5070...")
	r.phone.SetRegistration(sportello.PhoneRegistration{State: sportello.RegistrationOK, AOR: aor, Code: 200,
		Expires: time.Date(2026, 11, 20, 11, 30, 0, 0, time.UTC)})
	apptest.WaitText(t, r.w, wait, "SIP: registered as 1001@127.0.0.1:5070 until 12:30") // Rome
	r.phone.SetRegistration(sportello.PhoneRegistration{State: sportello.RegistrationFailed, AOR: aor, Code: 403,
		Phrase: "Wrong Password", Reason: "registrar refused the credentials: Wrong Password (403)",
		RetryAt: time.Date(2026, 11, 20, 11, 31, 5, 0, time.UTC)})
	apptest.WaitText(t, r.w, wait, "SIP: registration failed: 403 Wrong Password · retrying at 12:31:05")
	r.phone.SetRegistration(sportello.PhoneRegistration{State: sportello.RegistrationFailed, AOR: aor,
		Reason: "registrar did not answer", RetryAt: time.Date(2026, 11, 20, 11, 32, 0, 0, time.UTC)})
	apptest.WaitText(t, r.w, wait, "SIP: registration failed: registrar did not answer · retrying at 12:32:00")
}

// TestCallControls_CallMenu: every control is in the Call menu with its
// shortcut, so the keys work while a text field has the focus.
func TestCallControls_CallMenu(t *testing.T) {
	r, _ := controlRig(t)
	var items []*fyne.MenuItem
	app.WithUI(func() { items = r.w.MainMenu().Items[0].Items })
	want := map[string]fyne.Shortcut{
		"Call the number": app.ShortcutDial, "Call the citizen": app.ShortcutCallCitizen,
		"Hold / resume": app.ShortcutHold, "Mute / unmute": app.ShortcutMute,
	}
	for _, it := range items {
		if sc, ok := want[it.Label]; ok {
			if it.Shortcut != sc {
				t.Errorf("menu item %q has shortcut %v", it.Label, it.Shortcut)
			}
			delete(want, it.Label)
		}
	}
	if len(want) != 0 {
		t.Fatalf("the Call menu lacks %v", want)
	}
}

// TestCallControls_NoDialDuringWrapUp: a new call waits for the wrap-up of
// the last one, so that its outcome is not lost.
func TestCallControls_NoDialDuringWrapUp(t *testing.T) {
	r, l := controlRig(t)
	r.phone.CallsCh <- call(sportello.CallActive, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallEnded, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Call ended: record the wrap-up")
	apptest.Press(r.w, app.ShortcutDial)
	apptest.TypeFocused(r.w, "0299990000")
	apptest.Press(r.w, app.ShortcutDial)
	apptest.WaitText(t, r.w, wait, "Save the wrap-up of the last call first.")
	l.wait(t)
}

// TestOperator_MissedCallOnHistory: an inbound call that ends while ringing
// (the caller gave up) is recorded as a missed call on the citizen's
// history, and so is a second call refused as busy; an internal extension
// is not.
func TestOperator_MissedCallOnHistory(t *testing.T) {
	r, _ := controlRig(t)
	ring := call(sportello.CallRinging, "+390212345678")
	ring.Direction = sportello.CallInbound
	r.phone.CallsCh <- ring
	apptest.WaitText(t, r.w, wait, "Ringing", "Maria Rossi")
	gone := ring
	gone.State, gone.EndedAt, gone.EndReason = sportello.CallEnded, t0.Add(20*time.Second), "cancelled"
	r.phone.CallsCh <- gone
	apptest.WaitText(t, r.w, wait, "Missed call · 10:30:20", "Informazioni · Missed call")

	// On a call, a second caller is refused as busy: also missed.
	active := call(sportello.CallActive, "+390212345678")
	active.ID, active.Direction = "call-2", sportello.CallInbound
	r.phone.CallsCh <- active
	apptest.WaitText(t, r.w, wait, "In conversation")
	second := sportello.Call{ID: "call-3", Direction: sportello.CallInbound, Number: "+390299999999", State: sportello.CallEnded,
		StartedAt: t0, EndedAt: t0.Add(time.Second), EndReason: "rejected"}
	r.phone.CallsCh <- second
	ext := sportello.Call{ID: "call-4", Direction: sportello.CallInbound, Number: "1001", State: sportello.CallEnded, StartedAt: t0, EndedAt: t0}
	r.phone.CallsCh <- ext

	deadline := time.Now().Add(wait)
	for {
		r.cases.mu.Lock()
		got := slices.Clone(r.cases.got)
		r.cases.mu.Unlock()
		if len(got) >= 2 {
			w := got[0]
			if w.Outcome != sportello.OutcomeMissed || w.CitizenID != "cit-1" || w.CallID != "call-1" || w.CallerNumber != "+390212345678" || !w.EndedAt.Equal(gone.EndedAt) {
				t.Fatalf("missed call recorded as %+v", w)
			}
			if w := got[1]; w.Outcome != sportello.OutcomeMissed || w.CallID != "call-3" || w.CitizenID != "" {
				t.Fatalf("busy call recorded as %+v", w)
			}
			time.Sleep(100 * time.Millisecond)
			r.cases.mu.Lock()
			n := len(r.cases.got)
			r.cases.mu.Unlock()
			if n != 2 {
				t.Fatalf("recorded %d missed calls, want 2 (not the extension's)", n)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("recorded %+v, want two missed calls", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOperator_MissedCallNotRecorded: when recording fails the operator
// reads why.
func TestOperator_MissedCallNotRecorded(t *testing.T) {
	r, _ := controlRig(t)
	r.cases.err = errors.New("disk full")
	missed := sportello.Call{ID: "call-1", Direction: sportello.CallInbound, Number: "+390212345678", State: sportello.CallEnded, StartedAt: t0, EndedAt: t0}
	r.phone.CallsCh <- missed
	apptest.WaitText(t, r.w, wait, "The missed call was not recorded: Something went wrong")
}
