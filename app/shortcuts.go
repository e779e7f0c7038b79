package app

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// The call actions' keyboard shortcuts: every action can be done without the
// mouse, and each button's tooltip and label say how.
var (
	ShortcutAnswer  = &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierControl}
	ShortcutHangup  = &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierControl}
	ShortcutSave    = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierControl}
	ShortcutNote    = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierControl}
	ShortcutSearch  = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierControl}
	ShortcutSignOut = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}

	ShortcutKB       = &desktop.CustomShortcut{KeyName: fyne.KeyK, Modifier: fyne.KeyModifierControl}
	ShortcutInsertKB = &desktop.CustomShortcut{KeyName: fyne.KeyI, Modifier: fyne.KeyModifierControl}
	ShortcutKBNext   = &desktop.CustomShortcut{KeyName: fyne.KeyDown, Modifier: fyne.KeyModifierAlt}
	ShortcutKBPrev   = &desktop.CustomShortcut{KeyName: fyne.KeyUp, Modifier: fyne.KeyModifierAlt}

	// The second level's: the desk queue tab, and the actions on its
	// selected case (Alt+Down/Alt+Up choose a case while the tab shows).
	ShortcutQueue       = &desktop.CustomShortcut{KeyName: fyne.KeyD, Modifier: fyne.KeyModifierControl}
	ShortcutClaim       = &desktop.CustomShortcut{KeyName: fyne.KeyC, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	ShortcutRelease     = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	ShortcutCaseNote    = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	ShortcutAnswerReady = &desktop.CustomShortcut{KeyName: fyne.KeyA, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	ShortcutResolve     = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	ShortcutTransfer    = &desktop.CustomShortcut{KeyName: fyne.KeyT, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
)

// ShortcutOutcome returns the shortcut that picks the i-th wrap-up outcome (0-based).
func ShortcutOutcome(i int) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: fyne.KeyName(fmt.Sprint(i + 1)), Modifier: fyne.KeyModifierAlt}
}

// shortcutText renders a shortcut the way an operator reads it: "Ctrl+Invio".
func shortcutText(s *desktop.CustomShortcut) string {
	mod := ""
	if s.Modifier&fyne.KeyModifierControl != 0 {
		mod += "Ctrl+"
	}
	if s.Modifier&fyne.KeyModifierAlt != 0 {
		mod += "Alt+"
	}
	if s.Modifier&fyne.KeyModifierShift != 0 {
		mod += "Shift+"
	}
	key := string(s.KeyName)
	if s.KeyName == fyne.KeyReturn {
		key = tr("Enter")
	}
	return mod + key
}

// tipButton is a button that shows a tooltip with its shortcut on hover:
// Fyne 2.7 has no tooltips of its own.
type tipButton struct {
	widget.Button
	tip   string
	popup *widget.PopUp
	timer *time.Timer
}

func newTipButton(label string, s *desktop.CustomShortcut, tapped func()) *tipButton {
	b := &tipButton{tip: label + " (" + shortcutText(s) + ")"}
	b.Text = label + "  [" + shortcutText(s) + "]"
	b.OnTapped = tapped
	b.ExtendBaseWidget(b)
	return b
}

// Tooltip returns the text shown when the pointer rests on the button.
func (b *tipButton) Tooltip() string { return b.tip }

// MouseIn shows the tooltip after a short rest.
func (b *tipButton) MouseIn(e *desktop.MouseEvent) {
	b.Button.MouseIn(e)
	if b.timer != nil {
		b.timer.Stop()
	}
	pos := e.AbsolutePosition.Subtract(e.Position).AddXY(0, b.Size().Height+2)
	b.timer = time.AfterFunc(600*time.Millisecond, func() {
		do(func() {
			c := fyne.CurrentApp().Driver().CanvasForObject(b)
			if c == nil {
				return
			}
			b.popup = widget.NewPopUp(widget.NewLabel(b.tip), c)
			b.popup.ShowAtPosition(pos)
		})
	})
}

// MouseOut hides the tooltip.
func (b *tipButton) MouseOut() {
	b.Button.MouseOut()
	if b.timer != nil {
		b.timer.Stop()
	}
	if b.popup != nil {
		b.popup.Hide()
		b.popup = nil
	}
}

// The softphone's call controls (dialpad.go): they work whether or not a
// text field has the focus, through the Call menu.
var (
	// ShortcutDial calls the number typed in the dial field, or puts the
	// cursor there (empty field, or a call in hand: typed keys go out as DTMF).
	ShortcutDial = &desktop.CustomShortcut{KeyName: fyne.KeyD, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	// ShortcutCallCitizen calls the first phone number of the caller card.
	ShortcutCallCitizen = &desktop.CustomShortcut{KeyName: fyne.KeyP, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	// ShortcutHold puts the call on hold, or takes it back.
	ShortcutHold = &desktop.CustomShortcut{KeyName: fyne.KeyH, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	// ShortcutMute mutes the operator's microphone, or unmutes it.
	ShortcutMute = &desktop.CustomShortcut{KeyName: fyne.KeyM, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
)
