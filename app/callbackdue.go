package app

import (
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"time"

	"github.com/sportello/sportello"
)

// subscribeDue asks syncd's pushes of callbacks just due, when the
// CallbackService carries them (sync/client does): each shows a notice
// naming the first callback, how many more, and the shortcut (onDue).
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

// onDue shows that cb, and more others after it, have just become due.
// The pushed callback goes in the list at once (in its place in the
// order: the first due is then one keystroke away, Ctrl+Shift+B, and it is
// the one the notice names when it comes first); the list is read again
// when the push may name callbacks it lacks, at a random moment within
// CallbackDueSpread: syncd pushes to every operator at the same moment
// when a pool callback becomes due, and 1,700 desktops reading their
// whole lists at once would be a burst of hundreds of MB (issue 4).
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
	known := p.learn(cb)
	p.render()
	if !known || more > 0 {
		p.refreshWithin(s.cfg.CallbackDueSpread)
	}
}

// DefaultCallbackDueSpread: see Config.CallbackDueSpread.
const DefaultCallbackDueSpread = 10 * time.Second

// learn puts cb, as syncd pushed it, in the list in its place in the
// order, replacing the one listed with its id; it reports whether the
// list had it.
func (p *callbackPanel) learn(cb *sportello.Callback) bool {
	i := slices.IndexFunc(p.cbs, func(c *sportello.Callback) bool { return c.ID == cb.ID })
	if i >= 0 {
		p.cbs[i] = cb
	} else {
		p.cbs = append(p.cbs, cb)
	}
	sportello.SortCallbacksDue(p.cbs)
	return i >= 0
}

// refreshWithin reads the list again at a random moment within spread
// (DefaultCallbackDueSpread when 0; at once when negative), unless the
// desktop closes first.
func (p *callbackPanel) refreshWithin(spread time.Duration) {
	if spread == 0 {
		spread = DefaultCallbackDueSpread
	}
	if spread < 0 {
		p.refresh()
		return
	}
	s := p.s
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTimer(mrand.N(spread))
		defer t.Stop()
		select {
		case <-s.ctx.Done():
		case <-t.C:
			do(p.refresh)
		}
	}()
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
