package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// Call waiting's shortcuts: Ctrl+Shift+Enter answers the waiting call (the
// call in hand goes on hold), Ctrl+Shift+E refuses it (busy), Ctrl+Shift+S
// swaps which of the two calls is on hold.
var (
	ShortcutAnswerWaiting = &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	ShortcutRejectWaiting = &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	ShortcutSwapCalls     = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
)

// callWaiting is the second call: offered while the operator is on a call
// (ringing, with the caller shown), answered with the first put on hold,
// refused as busy, or swapped with the first. Only Fyne's goroutine
// touches it.
type callWaiting struct {
	s      *operatorScreen
	call   *sportello.Call // the second call, nil when there is none
	box    *fyne.Container
	label  *widget.Label
	answer *tipButton
	reject *tipButton
	swap   *tipButton
	busy   bool // an answer or a swap is on its way
}

func newCallWaiting(s *operatorScreen) *callWaiting {
	w := &callWaiting{s: s}
	w.label = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	w.label.Wrapping = fyne.TextWrapWord
	w.answer = newTipButton(tr("Answer and hold the call"), ShortcutAnswerWaiting, w.answerWaiting)
	w.answer.Importance = widget.SuccessImportance
	w.reject = newTipButton(tr("Busy"), ShortcutRejectWaiting, w.rejectWaiting)
	w.reject.Importance = widget.DangerImportance
	w.swap = newTipButton(tr("Swap calls"), ShortcutSwapCalls, w.swapCalls)
	w.box = container.NewVBox(widget.NewSeparator(), w.label, container.NewGridWithColumns(3, w.answer, w.reject, w.swap))
	w.box.Hide()
	return w
}

// menuItems are call waiting's entries of the Call menu.
func (w *callWaiting) menuItems(item func(string, fyne.Shortcut, func()) *fyne.MenuItem) []*fyne.MenuItem {
	return []*fyne.MenuItem{
		item(tr("Answer and hold the call"), ShortcutAnswerWaiting, w.answerWaiting),
		item(tr("Busy"), ShortcutRejectWaiting, w.rejectWaiting),
		item(tr("Swap calls"), ShortcutSwapCalls, w.swapCalls),
	}
}

func (w *callWaiting) addShortcuts(cv fyne.Canvas) {
	cv.AddShortcut(ShortcutAnswerWaiting, func(fyne.Shortcut) { w.answerWaiting() })
	cv.AddShortcut(ShortcutRejectWaiting, func(fyne.Shortcut) { w.rejectWaiting() })
	cv.AddShortcut(ShortcutSwapCalls, func(fyne.Shortcut) { w.swapCalls() })
}

// otherCall takes the snapshots that are not of the call in hand: a
// consultation goes to the directory, a second call to call waiting. It
// reports whether it took c.
func (s *operatorScreen) otherCall(c sportello.Call) bool {
	if c.ConsultOf != "" {
		s.directoryOnConsult(c)
		return true
	}
	if s.replacing(c) { // replaced.go: an attended transfer to this desktop
		return false
	}
	w := s.controls.waiting
	if w.call != nil && w.call.ID == c.ID {
		w.onCall(c)
		return true
	}
	if s.call == nil || s.call.ID == c.ID {
		return false
	}
	if c.State == sportello.CallRinging {
		if w.call != nil || s.call.State != sportello.CallActive {
			// A third call, or one while the first still rings or dials:
			// the line is busy.
			_ = s.cfg.Phone.Hangup(c.ID)
			return true
		}
		w.onCall(c)
	}
	return true
}

// onCall follows the second call.
func (w *callWaiting) onCall(c sportello.Call) {
	if c.State == sportello.CallEnded {
		w.call = nil
		w.busy = false
		w.box.Hide()
		if c.AnsweredAt.IsZero() {
			w.s.message.SetText(tr("The waiting call ended") + ": " + displayNumber(c.Number))
		} else {
			w.s.message.SetText(tr("The second call ended") + ": " + displayNumber(c.Number))
		}
		return
	}
	w.call = &c
	w.render()
}

// render shows the second call and enables what can be done with it.
func (w *callWaiting) render() {
	c := w.call
	if c == nil {
		w.box.Hide()
		return
	}
	who := displayNumber(c.Number)
	if c.Name != "" {
		who = c.Name + " · " + who
	}
	switch {
	case c.State == sportello.CallRinging:
		w.label.SetText(tr("Call waiting") + ": " + who)
	case c.OnHold:
		w.label.SetText(tr("Second call on hold") + ": " + who)
	default:
		w.label.SetText(tr("Second call in conversation") + ": " + who)
	}
	enable(w.answer, c.State == sportello.CallRinging && !w.busy)
	enable(w.reject, c.State == sportello.CallRinging && !w.busy)
	enable(w.swap, c.State == sportello.CallActive && !w.busy)
	w.box.Show()
}

func enable(b *tipButton, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// answerWaiting answers the second call; the phone holds the first.
func (w *callWaiting) answerWaiting() {
	if w.call == nil || w.call.State != sportello.CallRinging || w.busy {
		return
	}
	id, s := w.call.ID, w.s
	w.busy = true
	w.render()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.cfg.Phone.Answer(id)
		do(func() {
			w.busy = false
			w.render()
			if err != nil {
				s.showError(err)
			}
		})
	}()
}

// rejectWaiting refuses the second call as busy.
func (w *callWaiting) rejectWaiting() {
	if w.call == nil || w.call.State != sportello.CallRinging {
		return
	}
	if err := w.s.cfg.Phone.Hangup(w.call.ID); err != nil {
		w.s.showError(err)
	}
}

// swapCalls holds the call the operator talks to and resumes the other.
func (w *callWaiting) swapCalls() {
	s := w.s
	if w.call == nil || w.call.State != sportello.CallActive || s.call == nil || s.call.State != sportello.CallActive || w.busy {
		return
	}
	first, second := *s.call, *w.call
	hold, resume := first.ID, second.ID
	if first.OnHold {
		hold, resume = second.ID, first.ID
	}
	w.busy = true
	w.render()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.cfg.Phone.Hold(hold)
		if err == nil {
			err = s.cfg.Phone.Resume(resume)
		}
		do(func() {
			w.busy = false
			w.render()
			if err != nil {
				s.showError(err)
			}
		})
	}()
}

// waitingOnCall runs after the call in hand changed: when it ended with a
// second call ringing or in conversation, the second becomes the call in
// hand.
func (s *operatorScreen) waitingOnCall(c sportello.Call) {
	w := s.controls.waiting
	if c.State != sportello.CallEnded || s.call != nil || w.call == nil {
		return
	}
	next := *w.call
	w.call = nil
	w.box.Hide()
	s.onCall(next)
	s.callNumber.SetText(displayNumber(next.Number)) // the card stays the first caller's until the wrap-up
	if next.OnHold {
		s.message.SetText(tr("The other call is on hold: resume it with") + " " + shortcutText(ShortcutHold))
	}
}
