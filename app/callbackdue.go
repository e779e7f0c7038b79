package app

import (
	"crypto/rand"
	"fmt"

	"github.com/sportello/sportello"
)

// subscribeDue asks syncd's pushes of callbacks just due, when the
// CallbackService carries them (sync/client does): each shows a notice
// naming the first callback, how many more, and the shortcut, and the
// list is read again.
func (p *callbackPanel) subscribeDue() {
	p.unsubscribeDue()
	due, ok := p.s.cfg.Callbacks.(sportello.CallbackDueService)
	if !ok {
		return
	}
	p.unsubDue = due.SubscribeCallbacksDue(func(cb *sportello.Callback, more int) {
		do(func() { p.onDue(cb, more) })
	})
}

func (p *callbackPanel) unsubscribeDue() {
	if p.unsubDue != nil {
		p.unsubDue()
		p.unsubDue = nil
	}
}

// onDue shows that cb, and more others after it, have just become due
// and reads the list again; the first due is then one keystroke away
// (Ctrl+Shift+B, the fair order).
func (p *callbackPanel) onDue(cb *sportello.Callback, more int) {
	s := p.s
	if s.user == nil || cb == nil {
		return
	}
	who := cb.CitizenName
	if who == "" {
		who = tr("Unknown caller")
	}
	notice := fmt.Sprintf("%s: %s · %s", tr("Callback due"), who, displayNumber(cb.Number))
	if more > 0 {
		notice += " · " + fmt.Sprintf(tr("and %d more due"), more)
	}
	if p.caller() {
		notice += "  [" + shortcutText(ShortcutCallBack) + "]"
	}
	s.message.SetText(notice)
	p.refresh()
}

// newOpID returns a random UUID (version 4) for an op the desktop may
// have to send again, so that syncd records it once.
func newOpID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
