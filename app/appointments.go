package app

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// The appointments' shortcuts (issue 5): the Appuntamenti tab, booking
// (pressed again in the picker, it confirms), and moving or cancelling
// the appointment chosen in the tab.
var (
	ShortcutAppointments      = &desktop.CustomShortcut{KeyName: fyne.KeyG, Modifier: fyne.KeyModifierControl}
	ShortcutBookAppointment   = &desktop.CustomShortcut{KeyName: fyne.KeyG, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	ShortcutMoveAppointment   = &desktop.CustomShortcut{KeyName: fyne.KeyV, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	ShortcutCancelAppointment = &desktop.CustomShortcut{KeyName: fyne.KeyU, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
)

// slotDays is how far ahead the picker offers free slots, and maxSlots
// how many of them.
const (
	slotDays = 14
	maxSlots = 40
)

// appointmentPanel is the Appuntamenti tab (the appointments of the
// citizen on the card, to move or cancel) and the picker that books or
// moves one: office and service, then the next free slots in the office's
// zone, then confirm; all by keyboard (Tab, Left/Right, the shortcuts).
type appointmentPanel struct {
	s *operatorScreen

	tab       *container.TabItem
	head      *widget.Label
	list      *widget.Select // the citizen's appointments still to come
	bookBtn   *tipButton
	moveBtn   *tipButton
	cancelBtn *tipButton
	message   *widget.Label

	popup      *widget.PopUp
	pickTitle  *widget.Label
	serviceSel *widget.Select
	slotSel    *widget.Select
	pickMsg    *widget.Label
	confirmBtn *tipButton
	closeBtn   *widget.Button

	// State, touched only on Fyne's goroutine.
	services   []sportello.OfficeService
	shown      []sportello.OfficeService // in serviceSel's order
	slots      []sportello.Slot          // in slotSel's order
	moving     *sportello.Appointment    // the appointment the picker moves; nil: it books
	citizenID  string                    // whose appointments the tab lists
	appts      []*sportello.Appointment  // in list's order
	forWhom    bookingFor                // whom the picker books for
	booked     *sportello.Appointment    // booked during the call in hand, for its wrap-up
	bookedCall string                    // the id of that call
	busy       bool
}

func (s *operatorScreen) newAppointments() {
	if s.cfg.Appointments == nil {
		return
	}
	p := &appointmentPanel{s: s}
	s.appts = p
	p.head = widget.NewLabelWithStyle(tr("Appointments"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.list = widget.NewSelect(nil, nil)
	p.list.PlaceHolder = tr("Choose an appointment (Left/Right arrows)")
	p.bookBtn = newTipButton(tr("Book appointment"), ShortcutBookAppointment, p.open)
	p.bookBtn.Importance = widget.HighImportance
	p.moveBtn = newTipButton(tr("Move"), ShortcutMoveAppointment, p.openMove)
	p.cancelBtn = newTipButton(tr("Cancel appointment"), ShortcutCancelAppointment, p.cancel)
	p.message = widget.NewLabel("")
	p.message.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(p.head, p.bookBtn, widget.NewSeparator(), p.list,
		container.NewGridWithColumns(2, p.moveBtn, p.cancelBtn), p.message)
	p.tab = container.NewTabItem(tr("Appointments")+" ("+shortcutText(ShortcutAppointments)+")", container.NewVScroll(top))

	p.pickTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.serviceSel = widget.NewSelect(nil, func(string) { p.loadSlots() })
	p.serviceSel.PlaceHolder = tr("Office and service (Left/Right arrows)")
	p.slotSel = widget.NewSelect(nil, nil)
	p.slotSel.PlaceHolder = tr("Free slot (Left/Right arrows)")
	p.pickMsg = widget.NewLabel("")
	p.pickMsg.Wrapping = fyne.TextWrapWord
	p.confirmBtn = newTipButton(tr("Confirm appointment"), ShortcutBookAppointment, p.confirm)
	p.confirmBtn.Importance = widget.HighImportance
	p.closeBtn = widget.NewButton(tr("Close"), p.close)
	box := container.NewVBox(p.pickTitle, p.serviceSel, p.slotSel, p.pickMsg, container.NewGridWithColumns(2, p.confirmBtn, p.closeBtn))
	p.popup = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(520, box.MinSize().Height+80), box), s.win.Canvas())
	p.popup.Hide()
	p.render()
}

// appointmentsTab adds the Appuntamenti tab (appointments.go).
func (s *operatorScreen) appointmentsTab() {
	if s.appts != nil && s.tabs != nil {
		s.tabs.Append(s.appts.tab)
	}
}

func (s *operatorScreen) appointmentMenus() []*fyne.Menu {
	p := s.appts
	if p == nil {
		return nil
	}
	item := func(label string, sc fyne.Shortcut, f func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, f)
		it.Shortcut = sc
		return it
	}
	return []*fyne.Menu{fyne.NewMenu(tr("Appointments"),
		item(tr("Appointments"), ShortcutAppointments, p.focus),
		item(tr("Book appointment"), ShortcutBookAppointment, p.open),
		item(tr("Move"), ShortcutMoveAppointment, p.openMove),
		item(tr("Cancel appointment"), ShortcutCancelAppointment, p.cancel),
	)}
}

func (s *operatorScreen) addAppointmentShortcuts() {
	p := s.appts
	if p == nil {
		return
	}
	c := s.win.Canvas()
	c.AddShortcut(ShortcutAppointments, func(fyne.Shortcut) { p.focus() })
	c.AddShortcut(ShortcutBookAppointment, func(fyne.Shortcut) { p.open() })
	c.AddShortcut(ShortcutMoveAppointment, func(fyne.Shortcut) { p.openMove() })
	c.AddShortcut(ShortcutCancelAppointment, func(fyne.Shortcut) { p.cancel() })
}

// mayBook reports whether the user's role books appointments: operators
// and specialists do, supervisors only read.
func (p *appointmentPanel) mayBook() bool {
	u := p.s.user
	return u != nil && (u.Role == sportello.RoleOperator || u.Role == sportello.RoleSpecialist)
}

// citizen returns the citizen on the card, nil for none or an unknown caller.
func (p *appointmentPanel) citizen() *sportello.Citizen {
	if p.s.card == nil {
		return nil
	}
	return p.s.card.Citizen
}

// bookingFor is whom a booking is for: a citizen, and the case it goes
// on ("" for an open case of the service's category, or a new one).
type bookingFor struct {
	citizenID, name, caseID string
}

// target is whom the picker books for: on the desk queue's tab, the
// citizen of the case selected there, on that case; otherwise the
// citizen on the card.
func (p *appointmentPanel) target() (bookingFor, bool) {
	s := p.s
	if s.queue != nil && s.queueTab != nil && s.tabs != nil && s.tabs.Selected() == s.queueTab {
		for _, k := range s.queue.cases {
			if k.ID == s.queue.selected && k.CitizenID != "" {
				return bookingFor{citizenID: k.CitizenID, name: k.CitizenName, caseID: k.ID}, true
			}
		}
	}
	if ct := p.citizen(); ct != nil {
		return bookingFor{citizenID: ct.ID, name: ct.Name}, true
	}
	return bookingFor{}, false
}

// focus shows the tab, with the cursor on the list of appointments.
func (p *appointmentPanel) focus() {
	p.s.tabs.Select(p.tab)
	p.s.win.Canvas().Focus(p.list)
}

// open opens the picker to book for the citizen on the card; pressed
// while the picker shows, it confirms.
func (p *appointmentPanel) open() {
	if p.popup.Visible() {
		p.confirm()
		return
	}
	if !p.mayBook() {
		p.say(tr("Your role does not allow this"))
		return
	}
	who, ok := p.target()
	if !ok {
		p.say(tr("Find the citizen first: an appointment is for a known citizen."))
		return
	}
	p.moving, p.forWhom = nil, who
	p.pickTitle.SetText(tr("Book an appointment for") + " " + who.name)
	p.serviceSel.Enable()
	p.show()
}

// openMove opens the picker to move the appointment chosen in the tab.
func (p *appointmentPanel) openMove() {
	if p.popup.Visible() {
		p.confirm()
		return
	}
	a := p.chosen()
	if a == nil || !p.mayBook() {
		p.focus()
		p.say(tr("Choose the appointment to move or cancel."))
		return
	}
	p.moving = a
	p.pickTitle.SetText(tr("Move the appointment of") + " " + a.CitizenName + ": " + p.apptText(a))
	p.show()
}

func (p *appointmentPanel) show() {
	p.pickMsg.SetText("")
	p.slots = nil
	p.slotSel.Options = nil
	p.slotSel.ClearSelected()
	p.popup.Show()
	p.s.win.Canvas().Focus(p.serviceSel)
	if p.services == nil {
		p.loadServices()
		return
	}
	p.fillServices()
}

func (p *appointmentPanel) close() {
	p.popup.Hide()
	p.moving = nil
}

// say shows a message in the tab (and the picker, when open), and the tab.
func (p *appointmentPanel) say(msg string) {
	p.message.SetText(msg)
	if p.popup.Visible() {
		p.pickMsg.SetText(msg)
		return
	}
	if p.s.tabs != nil {
		p.s.tabs.Select(p.tab)
	}
}

func (p *appointmentPanel) loadServices() {
	p.pickMsg.SetText(tr("Loading..."))
	p.s.wg.Add(1)
	go func() {
		defer p.s.wg.Done()
		ctx, cancel := context.WithTimeout(p.s.ctx, 10*time.Second)
		defer cancel()
		svcs, err := p.s.cfg.Appointments.OfficeServices(ctx)
		do(func() {
			if err != nil {
				p.pickMsg.SetText(errorText(err))
				return
			}
			p.services = svcs
			p.pickMsg.SetText("")
			p.fillServices()
		})
	}()
}

// fillServices lists the services, the one of the appointment moved
// alone, and chooses the first (which loads its slots).
func (p *appointmentPanel) fillServices() {
	p.shown = nil
	var opts []string
	for _, sv := range p.services {
		if p.moving != nil && (sv.OfficeID != p.moving.OfficeID || sv.ID != p.moving.Service) {
			continue
		}
		p.shown = append(p.shown, sv)
		opts = append(opts, sv.OfficeName+" · "+sv.Name)
	}
	p.serviceSel.Options = opts
	if len(opts) == 0 {
		p.serviceSel.ClearSelected()
		p.pickMsg.SetText(tr("No office gives this service by appointment."))
		return
	}
	if p.moving != nil {
		p.serviceSel.Disable()
		p.s.win.Canvas().Focus(p.slotSel)
	}
	p.serviceSel.ClearSelected() // so that choosing the first reads its slots again
	p.serviceSel.SetSelectedIndex(0)
}

// loadSlots reads the next free slots of the service chosen.
func (p *appointmentPanel) loadSlots() {
	i := p.serviceSel.SelectedIndex()
	if i < 0 || i >= len(p.shown) {
		return
	}
	sv := p.shown[i]
	from := p.s.cfg.Now()
	p.slotSel.Options = nil
	p.slotSel.ClearSelected()
	p.s.wg.Add(1)
	go func() {
		defer p.s.wg.Done()
		ctx, cancel := context.WithTimeout(p.s.ctx, 10*time.Second)
		defer cancel()
		slots, err := p.s.cfg.Appointments.FreeSlots(ctx, sv.OfficeID, sv.ID, from, from.Add(slotDays*24*time.Hour))
		do(func() {
			if j := p.serviceSel.SelectedIndex(); j < 0 || j >= len(p.shown) || p.shown[j].OfficeID != sv.OfficeID || p.shown[j].ID != sv.ID {
				return // another service was chosen meanwhile
			}
			if err != nil {
				p.pickMsg.SetText(errorText(err))
				return
			}
			if p.moving != nil {
				slots = removeSlot(slots, p.moving.Start)
			}
			p.slots = slots[:min(len(slots), maxSlots)]
			opts := make([]string, len(p.slots))
			for k, sl := range p.slots {
				opts[k] = p.slotText(sl)
			}
			p.slotSel.Options = opts
			if len(opts) == 0 {
				p.slotSel.ClearSelected()
				if p.pickMsg.Text == "" {
					p.pickMsg.SetText(fmt.Sprintf(tr("No free slot in the next %d days."), slotDays))
				}
				return
			}
			p.slotSel.SetSelectedIndex(0)
		})
	}()
}

func removeSlot(slots []sportello.Slot, start time.Time) []sportello.Slot {
	out := slots[:0:0]
	for _, sl := range slots {
		if !sl.Start.Equal(start) {
			out = append(out, sl)
		}
	}
	return out
}

var weekdays = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// slotText is a slot in the office's zone: "Mon 23/11 08:30 (2 free)".
func (p *appointmentPanel) slotText(sl sportello.Slot) string {
	t := sl.Start.In(p.s.cfg.Location)
	text := tr(weekdays[t.Weekday()]) + " " + t.Format("02/01 15:04")
	if n := sl.Free(); n > 1 {
		text += fmt.Sprintf(" (%d %s)", n, tr("free"))
	}
	return text
}

// apptText is an appointment for the list: "Anagrafe centrale · CIE · Mon 23/11 08:30".
func (p *appointmentPanel) apptText(a *sportello.Appointment) string {
	t := a.Start.In(p.s.cfg.Location)
	return a.OfficeName + " · " + a.ServiceName + " · " + tr(weekdays[t.Weekday()]) + " " + t.Format("02/01 15:04")
}

// confirm books (or moves) on the slot chosen. The slot's last place
// taken by another desktop meanwhile is told, and the slots read again.
func (p *appointmentPanel) confirm() {
	if p.busy {
		return
	}
	si, ti := p.serviceSel.SelectedIndex(), p.slotSel.SelectedIndex()
	if si < 0 || si >= len(p.shown) || ti < 0 || ti >= len(p.slots) {
		p.pickMsg.SetText(tr("Choose the office, the service and the slot."))
		return
	}
	sv, sl := p.shown[si], p.slots[ti]
	moving := p.moving
	req := sportello.AppointmentRequest{OfficeID: sv.OfficeID, Service: sv.ID, Start: sl.Start}
	if moving == nil {
		req.CitizenID, req.CaseID = p.forWhom.citizenID, p.forWhom.caseID
		if req.CaseID == "" {
			req.CaseID = p.caseFor(sv)
		}
	}
	p.busy = true
	p.confirmBtn.Disable()
	p.pickMsg.SetText(tr("Booking..."))
	p.s.wg.Add(1)
	go func() {
		defer p.s.wg.Done()
		ctx, cancel := context.WithTimeout(p.s.ctx, 15*time.Second)
		defer cancel()
		var a *sportello.Appointment
		var err error
		if moving != nil {
			a, err = p.s.cfg.Appointments.MoveAppointment(ctx, moving.ID, sl.Start)
		} else {
			a, err = p.s.cfg.Appointments.BookAppointment(ctx, req)
		}
		do(func() {
			p.busy = false
			p.confirmBtn.Enable()
			if sportello.ErrorCode(err) == sportello.ECONFLICT && sportello.ErrorMessage(err) == sportello.ErrSlotTaken {
				p.pickMsg.SetText(tr("This slot was just taken by another desktop: choose another one."))
				p.loadSlots()
				return
			}
			if err != nil {
				p.pickMsg.SetText(errorText(err))
				return
			}
			p.close()
			if moving != nil {
				p.message.SetText(tr("Appointment moved") + ": " + p.apptText(a))
			} else {
				p.message.SetText(tr("Appointment booked") + ": " + p.apptText(a))
				p.s.message.SetText(tr("Appointment booked") + ": " + p.apptText(a))
				p.bookedInCall(a)
			}
			p.reload()
		})
	}()
}

// caseFor names the case a booking for the citizen on the card goes on:
// an open case of theirs in the service's category, else none (the
// booking opens one).
func (p *appointmentPanel) caseFor(sv sportello.OfficeService) string {
	if p.s.card == nil || p.s.card.Citizen == nil || p.s.card.Citizen.ID != p.forWhom.citizenID {
		return ""
	}
	for _, k := range p.s.card.OpenCases() {
		if k.Category != "" && (k.Category == sv.Category || k.Category == sv.Name) && !k.Pending {
			return k.ID
		}
	}
	return ""
}

// bookedInCall keeps an appointment booked while a call is in hand or
// waits for its wrap-up, and picks "appointment booked" in the wrap-up.
func (p *appointmentPanel) bookedInCall(a *sportello.Appointment) {
	s := p.s
	if s.call == nil && s.wrapFor == nil {
		return
	}
	p.booked = a
	if s.call != nil {
		p.bookedCall = s.call.ID
	} else {
		p.bookedCall = s.wrapFor.ID
	}
	if s.wrapFor == nil {
		return // the wrap-up form opens when the call ends (appointmentsOnCall)
	}
	for i, o := range sportello.Outcomes {
		if o == sportello.OutcomeAppointmentBooked {
			s.outcome.SetSelected(s.outcome.Options[i])
		}
	}
}

// appointmentsOnCall follows the phone: a new call forgets the
// appointment booked during the last one, and the end of a call during
// which one was booked picks "appointment booked" for its wrap-up.
func (s *operatorScreen) appointmentsOnCall(c sportello.Call) {
	p := s.appts
	if p == nil {
		return
	}
	switch c.State {
	case sportello.CallRinging, sportello.CallDialing:
		if s.call != nil && s.call.ID == c.ID && p.booked != nil && p.bookedCall != c.ID {
			p.booked = nil
		}
	case sportello.CallEnded:
		if p.booked != nil && s.wrapFor != nil && s.wrapFor.ID == c.ID {
			p.bookedInCall(p.booked)
		}
	}
}

// appointmentsFill puts the appointment booked during the call on its
// wrap-up: the wrap-up goes on the booking's case and its note tells it.
func (s *operatorScreen) appointmentsFill(w *sportello.WrapUp) {
	p := s.appts
	if p == nil || p.booked == nil || w.Outcome != sportello.OutcomeAppointmentBooked {
		return
	}
	if w.CaseID == "" && (w.CitizenID == "" || w.CitizenID == p.booked.CitizenID) {
		w.CaseID, w.CitizenID = p.booked.CaseID, p.booked.CitizenID
	}
	if w.Note == "" {
		w.Note = tr("Appointment booked") + ": " + p.apptText(p.booked)
	}
}

// appointmentsSaved forgets the appointment once its wrap-up is saved.
func (s *operatorScreen) appointmentsSaved() {
	if s.appts != nil {
		s.appts.booked = nil
	}
}

// chosen returns the appointment chosen in the tab's list.
func (p *appointmentPanel) chosen() *sportello.Appointment {
	i := p.list.SelectedIndex()
	if i < 0 || i >= len(p.appts) {
		return nil
	}
	return p.appts[i]
}

// cancel cancels the appointment chosen in the tab.
func (p *appointmentPanel) cancel() {
	a := p.chosen()
	if a == nil || !p.mayBook() {
		p.focus()
		p.say(tr("Choose the appointment to move or cancel."))
		return
	}
	p.message.SetText(tr("Cancelling..."))
	p.s.wg.Add(1)
	go func() {
		defer p.s.wg.Done()
		ctx, cancel := context.WithTimeout(p.s.ctx, 15*time.Second)
		defer cancel()
		got, err := p.s.cfg.Appointments.CancelAppointment(ctx, a.ID)
		do(func() {
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			p.message.SetText(tr("Appointment cancelled") + ": " + p.apptText(got))
			p.reload()
		})
	}()
}

// appointmentsOnCard lists the appointments of the citizen on the card
// when the card shows another citizen.
func (s *operatorScreen) appointmentsOnCard() {
	p := s.appts
	if p == nil {
		return
	}
	id := ""
	if ct := p.citizen(); ct != nil {
		id = ct.ID
	}
	if id != p.citizenID {
		p.citizenID = id
		p.appts = nil
		p.reload()
	}
}

// appointmentsOnChange reads the list again when another desktop books,
// moves or cancels an appointment of the citizen on the card.
func (s *operatorScreen) appointmentsOnChange(ch sportello.Change) {
	p := s.appts
	if p == nil || ch.Event == nil || ch.Event.Kind != sportello.EventAppointment || ch.CitizenID == "" || ch.CitizenID != p.citizenID {
		return
	}
	p.reload()
}

// reload reads the appointments of the citizen on the card again.
func (p *appointmentPanel) reload() {
	id := p.citizenID
	if id == "" {
		p.render()
		return
	}
	p.s.wg.Add(1)
	go func() {
		defer p.s.wg.Done()
		ctx, cancel := context.WithTimeout(p.s.ctx, 10*time.Second)
		defer cancel()
		list, err := p.s.cfg.Appointments.CitizenAppointments(ctx, id)
		do(func() {
			if id != p.citizenID {
				return
			}
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			now := p.s.cfg.Now()
			p.appts = nil
			for _, a := range list {
				if a.Status.Active() && a.End.After(now) {
					p.appts = append(p.appts, a)
				}
			}
			p.render()
		})
	}()
}

func (p *appointmentPanel) render() {
	name := ""
	if ct := p.citizen(); ct != nil {
		name = ct.Name
	}
	switch {
	case name == "":
		p.head.SetText(tr("Appointments"))
	case len(p.appts) == 0:
		p.head.SetText(tr("Appointments of") + " " + name + ": " + tr("none to come"))
	default:
		p.head.SetText(fmt.Sprintf("%s %s: %d", tr("Appointments of"), name, len(p.appts)))
	}
	opts := make([]string, len(p.appts))
	for i, a := range p.appts {
		opts[i] = p.apptText(a)
	}
	p.list.Options = opts
	p.list.ClearSelected()
	if len(opts) > 0 {
		p.list.SetSelectedIndex(0)
	}
	if p.mayBook() {
		p.bookBtn.Enable()
		p.moveBtn.Enable()
		p.cancelBtn.Enable()
	} else {
		p.bookBtn.Disable()
		p.moveBtn.Disable()
		p.cancelBtn.Disable()
	}
	p.list.Refresh()
}

// appointmentsBoardText is the board's line of the appointments booked
// today per office, "" when none was.
func appointmentsBoardText(b *sportello.Board) string {
	if len(b.Appointments) == 0 {
		return ""
	}
	text := "\n" + tr("Appointments booked today") + ":"
	for i, o := range b.Appointments {
		if i > 0 {
			text += ","
		}
		text += fmt.Sprintf(" %s %d", o.Name, o.BookedToday)
	}
	return text
}
