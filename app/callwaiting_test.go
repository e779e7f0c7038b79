package app_test

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
)

// menuShortcut finds the main menu item labelled label and returns its
// shortcut.
func menuShortcut(t *testing.T, w fyne.Window, label string) fyne.Shortcut {
	t.Helper()
	var sc fyne.Shortcut
	found := false
	app.WithUI(func() {
		for _, m := range w.MainMenu().Items {
			for _, it := range m.Items {
				if it.Label == label {
					sc, found = it.Shortcut, true
				}
			}
		}
	})
	if !found {
		t.Fatalf("no menu item %q", label)
	}
	return sc
}

// TestOperator_CallWaiting: on a call, a second call is offered with its
// caller shown (and the first stays in hand); Ctrl+Shift+Enter answers it
// (the phone holds the first), Ctrl+Shift+S swaps which one is on hold;
// when the first ends, the second becomes the call in hand and the
// first's wrap-up is saved for its caller. A third call while two are up is refused as busy, and a second
// waiting call is refused with Ctrl+Shift+E.
func TestOperator_CallWaiting(t *testing.T) {
	r := newRig(t)
	log := &phoneLog{}
	r.phone.AnswerFn = func(id string) error { log.add("answer %s", id); return nil }
	r.phone.HangupFn = func(id string) error { log.add("hangup %s", id); return nil }
	r.phone.HoldFn = func(id string) error { log.add("hold %s", id); return nil }
	r.phone.ResumeFn = func(id string) error { log.add("resume %s", id); return nil }

	for label, sc := range map[string]fyne.Shortcut{
		"Answer and hold the call": app.ShortcutAnswerWaiting, "Busy": app.ShortcutRejectWaiting, "Swap calls": app.ShortcutSwapCalls,
	} {
		if got := menuShortcut(t, r.w, label); got != sc {
			t.Errorf("menu %q shortcut = %v", label, got)
		}
	}

	first := call(sportello.CallActive, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	r.phone.CallsCh <- first
	apptest.WaitText(t, r.w, wait, "In conversation", "Maria Rossi")

	second := sportello.Call{ID: "call-2", Direction: sportello.CallInbound, Number: "+390611112222", Name: "Luca Verdi",
		State: sportello.CallRinging, StartedAt: t0.Add(time.Minute)}
	r.phone.CallsCh <- second
	apptest.WaitText(t, r.w, wait, "Call waiting: Luca Verdi · ", "Answer and hold the call  [Ctrl+Shift+Enter]", "Busy  [Ctrl+Shift+E]", "Maria Rossi", "In conversation")

	apptest.Press(r.w, app.ShortcutAnswerWaiting)
	log.wait(t, "answer call-2")
	held := first
	held.OnHold = true
	r.phone.CallsCh <- held
	second.State, second.AnsweredAt, second.Codec = sportello.CallActive, t0.Add(61*time.Second), "PCMU"
	r.phone.CallsCh <- second
	apptest.WaitText(t, r.w, wait, "Second call in conversation: Luca Verdi", "On hold")

	// A third call while two are up: busy.
	r.phone.CallsCh <- sportello.Call{ID: "call-3", Direction: sportello.CallInbound, Number: "+390633334444", State: sportello.CallRinging, StartedAt: t0}
	log.wait(t, "answer call-2", "hangup call-3")

	// Swap: the second goes on hold, the first comes back.
	apptest.Press(r.w, app.ShortcutSwapCalls)
	log.wait(t, "answer call-2", "hangup call-3", "hold call-2", "resume call-1")
	second.OnHold = true
	r.phone.CallsCh <- second
	r.phone.CallsCh <- first
	apptest.WaitText(t, r.w, wait, "Second call on hold: Luca Verdi")

	// The first ends: its wrap-up opens, the second is the call in hand.
	ended := call(sportello.CallEnded, "+390212345678")
	r.phone.CallsCh <- ended
	apptest.WaitText(t, r.w, wait, "The other call is on hold: resume it with Ctrl+Shift+H", "In conversation · PCMU · 10:31:01 · On hold", "+39 06 1111 2222")
	if text := apptest.Text(r.w); strings.Contains(text, "Second call on hold") {
		t.Fatalf("call waiting panel still shown:\n%s", text)
	}
	apptest.Press(r.w, app.ShortcutSave) // the first call's wrap-up, for its caller
	apptest.WaitText(t, r.w, wait, "Saved on case")
	r.cases.mu.Lock()
	if len(r.cases.got) != 1 || r.cases.got[0].CallID != "call-1" || r.cases.got[0].CitizenID != "cit-1" {
		t.Errorf("wrap-ups = %+v, want the first call's for Maria Rossi", r.cases.got)
	}
	r.cases.mu.Unlock()
	// The held second call is the one Hold/Resume acts on now.
	apptest.Press(r.w, app.ShortcutHold)
	log.wait(t, "answer call-2", "hangup call-3", "hold call-2", "resume call-1", "resume call-2")

	// A new waiting call refused with Ctrl+Shift+E.
	second.OnHold = false
	r.phone.CallsCh <- second
	r.phone.CallsCh <- sportello.Call{ID: "call-4", Direction: sportello.CallInbound, Number: "+390655556666", State: sportello.CallRinging, StartedAt: t0}
	apptest.WaitText(t, r.w, wait, "Call waiting: +39 ")
	apptest.Press(r.w, app.ShortcutRejectWaiting)
	log.wait(t, "answer call-2", "hangup call-3", "hold call-2", "resume call-1", "resume call-2", "hangup call-4")
	r.phone.CallsCh <- sportello.Call{ID: "call-4", Direction: sportello.CallInbound, Number: "+390655556666", State: sportello.CallEnded,
		StartedAt: t0, EndedAt: t0.Add(time.Second), EndReason: "rejected"}
	apptest.WaitText(t, r.w, wait, "The waiting call ended")
}

// TestCallControls_EarlyMedia: an outbound call whose network plays early
// media (183 with audio) says so while it is still dialing, and the line
// goes back to the call's state once answered.
func TestCallControls_EarlyMedia(t *testing.T) {
	r, l := controlRig(t)
	apptest.Press(r.w, app.ShortcutDial)
	apptest.TypeFocused(r.w, "0299990000")
	apptest.Press(r.w, app.ShortcutDial)
	l.wait(t, "dial 0299990000")
	r.phone.CallsCh <- outbound(sportello.CallDialing, "0299990000")
	apptest.WaitText(t, r.w, wait, "Calling...")
	early := outbound(sportello.CallDialing, "0299990000")
	early.EarlyMedia = true
	r.phone.CallsCh <- early
	apptest.WaitText(t, r.w, wait, "Calling... · the network is playing a message")
	r.phone.CallsCh <- outbound(sportello.CallActive, "0299990000")
	apptest.WaitText(t, r.w, wait, "In conversation · PCMU")
	if text := apptest.Text(r.w); strings.Contains(text, "playing a message") {
		t.Fatalf("early media still shown after the answer:\n%s", text)
	}
}
