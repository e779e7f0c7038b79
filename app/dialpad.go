package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// dtmfKeys are the keys a call's dial pad sends (RFC 4733 also has A-D,
// which no citizen's phone has).
const dtmfKeys = "123456789*0#"

// callControls is the softphone's side of the call panel: the dial field
// and pad, hold and mute, the keys the other party pressed, the call
// buttons of the caller card's numbers, and the registration in the status
// bar. It lives on the operator screen and touches widgets only on Fyne's
// goroutine.
type callControls struct {
	s *operatorScreen

	number   *dialEntry
	callBtn  *tipButton
	holdBtn  *tipButton
	muteBtn  *tipButton
	pad      *fyne.Container
	received *widget.Label
	phones   *fyne.Container // a call button per number of the card
	waiting  *callWaiting    // the second call (callwaiting.go)

	reg      sportello.PhoneRegistration
	heard    string // keys the other party pressed on the call in hand
	holdBusy bool   // a hold or resume is on its way
	keys     chan dtmfPress
}

// dtmfPress is one key to send on a call, in the order typed.
type dtmfPress struct{ callID, key string }

func newCallControls(s *operatorScreen) *callControls {
	c := &callControls{s: s, keys: make(chan dtmfPress, 64)}
	c.number = newDialEntry(c)
	c.number.SetPlaceHolder(tr("Number to call") + " (" + shortcutText(ShortcutDial) + ")")
	c.number.OnSubmitted = func(string) { c.dial() }
	c.callBtn = newTipButton(tr("Dial"), ShortcutDial, c.dial)
	c.callBtn.Importance = widget.SuccessImportance
	c.holdBtn = newTipButton(tr("Hold"), ShortcutHold, c.toggleHold)
	c.muteBtn = newTipButton(tr("Mute"), ShortcutMute, c.toggleMute)
	c.pad = container.NewGridWithColumns(6)
	for _, k := range dtmfKeys {
		key := string(k)
		c.pad.Add(widget.NewButton(key, func() { c.press(key) }))
	}
	c.received = widget.NewLabel("")
	c.received.Hide()
	c.phones = container.NewHBox()
	c.waiting = newCallWaiting(s)
	return c
}

// content is the controls' part of the call panel.
func (c *callControls) content() fyne.CanvasObject {
	return container.NewVBox(
		container.NewGridWithColumns(2, c.holdBtn, c.muteBtn),
		container.NewBorder(nil, nil, nil, c.callBtn, c.number),
		c.pad,
		c.received,
		c.waiting.box,
	)
}

// menuItems are the controls' entries of the Call menu.
func (c *callControls) menuItems(item func(string, fyne.Shortcut, func()) *fyne.MenuItem) []*fyne.MenuItem {
	return append([]*fyne.MenuItem{
		item(tr("Call the number"), ShortcutDial, c.dial),
		item(tr("Call the citizen"), ShortcutCallCitizen, c.callCitizen),
		item(tr("Hold / resume"), ShortcutHold, c.toggleHold),
		item(tr("Mute / unmute"), ShortcutMute, c.toggleMute),
	}, c.waiting.menuItems(item)...)
}

// addShortcuts registers the controls' keys on the window.
func (c *callControls) addShortcuts(cv fyne.Canvas) {
	for sc, f := range map[*desktop.CustomShortcut]func(){
		ShortcutDial: c.dial, ShortcutCallCitizen: c.callCitizen, ShortcutHold: c.toggleHold, ShortcutMute: c.toggleMute,
	} {
		cv.AddShortcut(sc, func(fyne.Shortcut) { f() })
	}
	c.waiting.addShortcuts(cv)
}

// start follows the phone's registration and the keys the other party
// presses, and sends typed keys one after the other.
func (c *callControls) start() {
	s := c.s
	ph := s.cfg.Phone
	if ph == nil {
		return
	}
	c.reg = ph.Registration()
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		regs, dtmf := ph.Registrations(), ph.DTMF()
		for regs != nil || dtmf != nil {
			select {
			case <-s.ctx.Done():
				return
			case r, ok := <-regs:
				if !ok {
					regs = nil
					continue
				}
				do(func() { c.reg = r; s.renderStatus() })
			case d, ok := <-dtmf:
				if !ok {
					dtmf = nil
					continue
				}
				do(func() { c.onDTMF(d) })
			}
		}
	}()
	go func() {
		defer s.wg.Done()
		for {
			select {
			case <-s.ctx.Done():
				return
			case k := <-c.keys:
				// SendDTMF takes about 140 ms a key: never on Fyne's goroutine.
				if err := ph.SendDTMF(k.callID, k.key); err != nil {
					do(func() { s.showError(err) })
				}
			}
		}
	}()
}

// active returns the call in hand when it is answered, else nil.
func (c *callControls) active() *sportello.Call {
	if call := c.s.call; call != nil && call.State == sportello.CallActive {
		return call
	}
	return nil
}

// dial calls the number typed; with a call in hand, or nothing typed, it
// puts the cursor in the dial field instead.
func (c *callControls) dial() {
	number := strings.TrimSpace(c.number.Text)
	if c.s.call != nil || number == "" {
		c.s.win.Canvas().Focus(c.number)
		return
	}
	if c.place(number) {
		c.number.SetText("")
	}
}

// callCitizen calls the caller card's first number.
func (c *callControls) callCitizen() {
	if numbers := cardNumbers(c.s.card); len(numbers) > 0 {
		c.place(numbers[0])
	}
}

// place dials number and reports whether the phone took it; the call's
// progress comes on the phone's snapshots.
func (c *callControls) place(number string) bool {
	s := c.s
	switch {
	case s.cfg.Phone == nil:
		s.message.SetText(tr("There is no phone on this desktop."))
		return false
	case s.call != nil:
		s.message.SetText(tr("Finish the call in hand first."))
		return false
	case s.wrapFor != nil:
		s.message.SetText(tr("Save the wrap-up of the last call first."))
		return false
	}
	if _, err := s.cfg.Phone.Dial(number); err != nil {
		s.showError(err)
		return false
	}
	s.message.SetText("")
	return true
}

// press sends key on the active call and shows it in the dial field; with
// no call it composes the number to call.
func (c *callControls) press(key string) {
	call := c.active()
	if call == nil {
		if c.s.call == nil {
			c.number.SetText(c.number.Text + key)
		}
		return
	}
	c.number.SetText(c.number.Text + key)
	select {
	case c.keys <- dtmfPress{callID: call.ID, key: key}:
	default:
		c.s.cfg.Logger.Warn("DTMF keys typed faster than sent: key dropped", "call_id", call.ID)
	}
}

func (c *callControls) toggleHold() {
	s := c.s
	call := c.active()
	if call == nil || c.holdBusy {
		return
	}
	id, hold := call.ID, !call.OnHold
	c.holdBusy = true
	c.holdBtn.Disable()
	s.wg.Add(1)
	go func() {
		// A re-INVITE waits for the other party: never on Fyne's goroutine.
		defer s.wg.Done()
		var err error
		if hold {
			err = s.cfg.Phone.Hold(id)
		} else {
			err = s.cfg.Phone.Resume(id)
		}
		do(func() {
			c.holdBusy = false
			if err != nil {
				s.showError(err)
			}
			c.refresh()
		})
	}()
}

func (c *callControls) toggleMute() {
	call := c.active()
	if call == nil {
		return
	}
	if err := c.s.cfg.Phone.Mute(call.ID, !call.Muted); err != nil {
		c.s.showError(err)
	}
}

// onDTMF shows a key the other party pressed on the call in hand.
func (c *callControls) onDTMF(d sportello.DTMF) {
	if c.s.call == nil || d.CallID != c.s.call.ID {
		return
	}
	c.heard += d.Key
	c.received.SetText(tr("Keys from the other party") + ": " + c.heard)
	c.received.Show()
}

// onCall follows the call in hand after the operator screen took its
// snapshot: a new call starts with a clean dial field.
func (c *callControls) onCall(prev *sportello.Call, now sportello.Call) {
	if prev == nil || prev.ID != now.ID {
		c.heard = ""
		c.received.Hide()
		if now.State != sportello.CallEnded {
			c.number.SetText("")
		}
	}
	if now.State == sportello.CallEnded {
		c.number.SetText("")
	}
	if now.State == sportello.CallDialing && now.EarlyMedia && c.s.call != nil && c.s.call.ID == now.ID {
		// 183 with audio: the network plays a message or a ring-back.
		c.s.callState.SetText(tr("Calling...") + " · " + tr("the network is playing a message"))
	}
	c.refresh()
}

// refresh sets the buttons from the call in hand.
func (c *callControls) refresh() {
	call := c.active()
	hold, mute := tr("Hold"), tr("Mute")
	if call != nil && call.OnHold {
		hold = tr("Resume")
	}
	if call != nil && call.Muted {
		mute = tr("Unmute")
	}
	c.holdBtn.relabel(hold, ShortcutHold)
	c.muteBtn.relabel(mute, ShortcutMute)
	if call == nil || c.holdBusy {
		c.holdBtn.Disable()
	} else {
		c.holdBtn.Enable()
	}
	if call == nil {
		c.muteBtn.Disable()
	} else {
		c.muteBtn.Enable()
	}
	if c.s.call == nil && c.s.cfg.Phone != nil {
		c.callBtn.Enable()
	} else {
		c.callBtn.Disable()
	}
	c.renderPhones()
}

// stateText adds hold and mute to the state line of an active call.
func stateText(call sportello.Call) string {
	var marks []string
	if call.OnHold {
		marks = append(marks, tr("On hold"))
	}
	if call.Muted {
		marks = append(marks, tr("Muted"))
	}
	if len(marks) == 0 {
		return ""
	}
	return " · " + strings.Join(marks, " · ")
}

// renderPhones puts a call button under the caller card for each of its
// numbers; the first one answers to ShortcutCallCitizen.
func (c *callControls) renderPhones() {
	c.phones.RemoveAll()
	if c.s.cfg.Phone == nil {
		return
	}
	for i, n := range cardNumbers(c.s.card) {
		label := tr("Dial") + " " + displayNumber(n)
		number := n
		var b *widget.Button
		if i == 0 {
			tb := newTipButton(label, ShortcutCallCitizen, func() { c.place(number) })
			b = &tb.Button
			c.phones.Add(tb)
		} else {
			b = widget.NewButton(label, func() { c.place(number) })
			c.phones.Add(b)
		}
		if c.s.call != nil {
			b.Disable()
		}
	}
}

// cardNumbers returns the numbers the operator can call from card: the
// citizen's, or the unknown caller's own.
func cardNumbers(card *sportello.CallerCard) []string {
	switch {
	case card == nil:
		return nil
	case card.Citizen != nil:
		return card.Citizen.Phones
	case card.Number != "":
		return []string{card.Number}
	}
	return nil
}

// sipText is the status bar's word on the phone: where it listens, or how
// its registration stands.
func (c *callControls) sipText() string {
	s := c.s
	if s.cfg.Phone == nil {
		return "SIP: " + tr("off")
	}
	r := c.reg
	aor := strings.TrimPrefix(strings.TrimPrefix(r.AOR, "sips:"), "sip:")
	switch r.State {
	case sportello.RegistrationPending:
		return "SIP: " + tr("registering as") + " " + aor + "..."
	case sportello.RegistrationOK:
		text := "SIP: " + tr("registered as") + " " + aor
		if !r.Expires.IsZero() {
			text += " " + tr("until") + " " + r.Expires.In(s.cfg.Location).Format("15:04")
		}
		return text
	case sportello.RegistrationFailed:
		why := registrationReasonText(r.Reason)
		if r.Phrase != "" {
			why = r.Phrase
			if r.Code != 0 {
				why = strconv.Itoa(r.Code) + " " + r.Phrase
			}
		}
		text := "SIP: " + tr("registration failed") + ": " + why
		if !r.RetryAt.IsZero() {
			text += " · " + tr("retrying at") + " " + s.clock(r.RetryAt)
		}
		return text
	case sportello.RegistrationUnregistered:
		return "SIP: " + tr("not registered")
	}
	return "SIP: " + tr("listening on") + " " + s.cfg.Phone.Addr()
}

// recordMissed puts an inbound call nobody answered on the caller's
// history, through the same path as a wrap-up (so it waits in the outbox
// while syncd is unreachable). Calls from numbers that are not a citizen's
// phone (internal extensions, hidden numbers) are left out.
func (s *operatorScreen) recordMissed(call sportello.Call) {
	if s.user == nil || s.cfg.Cases == nil || !phoneNumber(call.Number) {
		return
	}
	w := sportello.WrapUp{
		CallID:       call.ID,
		CallerNumber: call.Number,
		Outcome:      sportello.OutcomeMissed,
		Category:     "Chiamata persa", // data, like the wrap-up's "Informazioni"
		EndedAt:      call.EndedAt,
	}
	if s.card != nil && s.card.Citizen != nil && s.card.Number == call.Number {
		w.CitizenID = s.card.Citizen.ID
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
		defer cancel()
		k, err := s.cfg.Cases.RecordWrapUp(ctx, w)
		do(func() {
			if err != nil {
				s.cfg.Logger.Warn("missed call not recorded", "call_id", call.ID, "error", err)
				s.message.SetText(tr("The missed call was not recorded") + ": " + errorText(err))
				return
			}
			s.mergeCase(k)
		})
	}()
}

// phoneNumber reports whether n looks like a public phone number: at least
// six digits, not an extension.
func phoneNumber(n string) bool {
	digits := 0
	for _, r := range n {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return digits >= 6
}

// relabel changes a button's text and tooltip, keeping its shortcut.
func (b *tipButton) relabel(label string, s *desktop.CustomShortcut) {
	b.tip = label + " (" + shortcutText(s) + ")"
	if text := label + "  [" + shortcutText(s) + "]"; b.Text != text {
		b.SetText(text)
	}
}

// dialEntry is the dial field: with no call it takes a number or SIP URI to
// call; during an answered call every key typed in it goes out as DTMF.
type dialEntry struct {
	widget.Entry
	c *callControls
}

func newDialEntry(c *callControls) *dialEntry {
	e := &dialEntry{c: c}
	e.ExtendBaseWidget(e)
	return e
}

// TypedRune sends DTMF during a call and types otherwise.
func (e *dialEntry) TypedRune(r rune) {
	if e.c.active() != nil {
		if strings.ContainsRune(dtmfKeys, r) {
			e.c.press(string(r))
		}
		return
	}
	if e.c.s.call != nil {
		return // ringing or dialing: nothing to type yet
	}
	e.Entry.TypedRune(r)
}
