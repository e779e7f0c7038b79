package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// Declining a ringing call and registering again: Alt+D declines the call
// that rings (603 Decline: the caller hears it was refused, and it goes on
// the citizen's history as missed), Alt+S sends a REGISTER at once after
// the registration failed, instead of waiting for the phone's next retry.
var (
	ShortcutDecline       = &desktop.CustomShortcut{KeyName: fyne.KeyD, Modifier: fyne.KeyModifierAlt}
	ShortcutRegisterAgain = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierAlt}
)

// declineControls are the Decline button next to Answer and Hang up, and
// the Register again button next to the registration state in the status
// bar. Only Fyne's goroutine touches them.
type declineControls struct {
	btn   *tipButton // Decline
	rereg *tipButton // Register again, shown while the registration failed
	// declining and registering: a decline or a register again is on its way.
	declining, registering bool
}

func (s *operatorScreen) newDecline() {
	d := &declineControls{}
	d.btn = newTipButton(tr("Decline"), ShortcutDecline, s.decline)
	d.btn.Importance = widget.DangerImportance
	d.btn.Disable()
	d.rereg = newTipButton(tr("Register again"), ShortcutRegisterAgain, s.registerAgain)
	d.rereg.Importance = widget.WarningImportance
	d.rereg.Hide()
	s.declines = d
}

// declineMenuItems are Decline's and Register again's entries of the Call menu.
func (s *operatorScreen) declineMenuItems(item func(string, fyne.Shortcut, func()) *fyne.MenuItem) []*fyne.MenuItem {
	return []*fyne.MenuItem{
		item(tr("Decline"), ShortcutDecline, s.decline),
		item(tr("Register again"), ShortcutRegisterAgain, s.registerAgain),
	}
}

func (s *operatorScreen) addDeclineShortcuts(cv fyne.Canvas) {
	cv.AddShortcut(ShortcutDecline, func(fyne.Shortcut) { s.decline() })
	cv.AddShortcut(ShortcutRegisterAgain, func(fyne.Shortcut) { s.registerAgain() })
}

// renderDecline enables Decline while the call in hand rings, and shows
// Register again while the registration failed.
func (s *operatorScreen) renderDecline() {
	d := s.declines
	if d == nil {
		return
	}
	ringing := s.call != nil && s.call.State == sportello.CallRinging && s.call.Direction != sportello.CallOutbound
	enable(d.btn, ringing && !d.declining && s.cfg.Phone != nil)
	if s.cfg.Phone != nil && s.controls.reg.State == sportello.RegistrationFailed {
		enable(d.rereg, !d.registering)
		d.rereg.Show()
	} else {
		d.rereg.Hide()
	}
}

// decline refuses the ringing call in hand with 603 Decline; the phone
// then sends the ended call, which goes on the history as missed.
func (s *operatorScreen) decline() {
	d := s.declines
	if s.call == nil || s.call.State != sportello.CallRinging || s.cfg.Phone == nil || d.declining {
		return
	}
	c := *s.call
	d.declining = true
	s.renderDecline()
	s.wg.Add(1)
	go func() {
		// The 603 goes out on the network: never on Fyne's goroutine.
		defer s.wg.Done()
		err := s.cfg.Phone.Reject(c.ID)
		do(func() {
			d.declining = false
			s.renderDecline()
			if err != nil {
				s.showError(err)
				return
			}
			s.message.SetText(tr("Call declined") + ": " + displayNumber(c.Number))
		})
	}()
}

// registerAgain asks the phone to register now.
func (s *operatorScreen) registerAgain() {
	d := s.declines
	if s.cfg.Phone == nil || s.controls.reg.State != sportello.RegistrationFailed || d.registering {
		return
	}
	d.registering = true
	s.renderDecline()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.cfg.Phone.Reregister()
		do(func() {
			d.registering = false
			s.renderDecline()
			if err != nil {
				s.showError(err)
				return
			}
			s.message.SetText(tr("Registering again..."))
		})
	}()
}
