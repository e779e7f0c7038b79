package app

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// The callbacks' shortcuts (issue 5): the Richiamate tab, calling the
// first callback due, and the outcome of the call once it ends.
var (
	ShortcutCallbacks = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierControl}
	ShortcutCallBack  = &desktop.CustomShortcut{KeyName: fyne.KeyB, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
)

// ShortcutAttempt returns the shortcut of the i-th attempt outcome
// (sportello.AttemptOutcomes, 0-based): Alt+Shift+1, 2, 3.
func ShortcutAttempt(i int) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: fyne.KeyName(fmt.Sprint(i + 1)), Modifier: fyne.KeyModifierAlt | fyne.KeyModifierShift}
}

// The windows the wrap-up offers for a callback, in the order of its
// choice, and the owners.
const (
	windowSoon = iota
	windowTomorrow
	windowCustom
)

// callbackPanel is the Richiamate tab (the callbacks the user may work,
// first due first served, overdue ones highlighted, times in the office's
// zone) and the callback part of the wrap-up form (window and owner).
type callbackPanel struct {
	s *operatorScreen

	// reads numbers each read of the list and shown is the newest shown
	// (touched only on Fyne's goroutine): reads run concurrently, and an
	// older answer arriving last must not put back a list already replaced.
	reads atomic.Int64
	shown int64

	tab      *container.TabItem
	head     *widget.Label
	list     *fyne.Container
	callBtn  *tipButton
	asked    *widget.Label // the attempt's question, once the call ends
	outcomes *fyne.Container

	form   *fyne.Container // in the wrap-up, for a scheduled callback
	window *widget.Select
	custom *widget.Entry
	owner  *widget.Select

	// State, touched only on Fyne's goroutine.
	cbs     []*sportello.Callback
	err     string
	calling *sportello.Callback // dialled, call not ended yet
	callID  string
	pending *sportello.Callback // call ended: its outcome is asked
	lastCB  *sportello.Callback // the callback the last call was for: its wrap-up goes on its case
	lastID  string
	opID    string // the pending attempt's op id: a resend records it once (callbackdue.go)

	unsubDue func() // stops syncd's callback_due pushes (callbackdue.go)
}

func (s *operatorScreen) newCallbacks() {
	if s.cfg.Callbacks == nil {
		return
	}
	p := &callbackPanel{s: s, list: container.NewVBox()}
	s.callbacks = p
	p.head = widget.NewLabelWithStyle(tr("Callbacks"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.callBtn = newTipButton(tr("Call the first due"), ShortcutCallBack, p.callFirst)
	p.callBtn.Importance = widget.SuccessImportance
	p.asked = widget.NewLabel("")
	p.asked.Wrapping = fyne.TextWrapWord
	var buttons []fyne.CanvasObject
	for i, o := range sportello.AttemptOutcomes {
		buttons = append(buttons, newTipButton(attemptText(o), ShortcutAttempt(i), func() { p.record(o) }))
	}
	p.outcomes = container.NewVBox(p.asked, container.NewGridWithColumns(len(buttons), buttons...))
	p.outcomes.Hide()
	top := container.NewVBox(p.head, p.callBtn, p.outcomes, widget.NewSeparator())
	p.tab = container.NewTabItem(tr("Callbacks"), container.NewBorder(top, nil, nil, nil, container.NewVScroll(p.list)))

	p.window = widget.NewSelect([]string{tr("Today, within 2 hours"), tr("Tomorrow morning (9-12)"), tr("Custom window")}, func(string) {
		if p.window.SelectedIndex() == windowCustom {
			p.custom.Show()
		} else {
			p.custom.Hide()
		}
	})
	p.custom = widget.NewEntry()
	p.custom.SetPlaceHolder(tr("dd/mm hh:mm-hh:mm"))
	p.custom.Hide()
	p.owner = widget.NewSelect([]string{tr("Me"), tr("The pool")}, nil)
	p.form = container.NewVBox(widget.NewLabel(tr("Callback window and owner (Left/Right arrows, Tab)")), p.window, p.custom, p.owner)
	p.form.Hide()
	p.reset()
	p.render()

	// The list's highlight follows the clock; every two minutes the list
	// is read again, for pool callbacks others scheduled on cases whose
	// changes this user's feed does not carry.
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for n := 1; ; n++ {
			select {
			case <-s.ctx.Done():
				return
			case <-t.C:
				do(func() {
					if n%4 == 0 {
						p.refresh()
					}
					p.render()
				})
			}
		}
	}()
}

// reset puts the wrap-up's callback choice back to its defaults.
func (p *callbackPanel) reset() {
	p.window.SetSelectedIndex(windowSoon)
	p.owner.SetSelectedIndex(0)
	p.custom.SetText("")
}

// caller reports whether the user calls citizens back (supervisors and
// admins watch the list).
func (p *callbackPanel) caller() bool {
	u := p.s.user
	return u != nil && (u.Role == sportello.RoleOperator || u.Role == sportello.RoleSpecialist)
}

func (p *callbackPanel) refresh() {
	s := p.s
	if s.user == nil {
		return
	}
	n := p.reads.Add(1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		defer cancel()
		cbs, err := s.cfg.Callbacks.Callbacks(ctx)
		sportello.SortCallbacksDue(cbs) // by next attempt, as syncd lists them
		do(func() {
			if n < p.shown {
				return // a newer read is already on screen
			}
			p.shown = n
			if err != nil {
				p.err = errorText(err)
			} else {
				p.cbs, p.err = cbs, ""
			}
			p.render()
		})
	}()
}

func (p *callbackPanel) render() {
	s := p.s
	now := s.cfg.Now()
	overdue := 0
	for _, cb := range p.cbs {
		if cb.Overdue(now) {
			overdue++
		}
	}
	head := fmt.Sprintf("%s: %d", tr("Callbacks"), len(p.cbs))
	if overdue > 0 {
		head += fmt.Sprintf(" · %s: %d", tr("overdue"), overdue)
	}
	if p.err != "" {
		head += " · " + p.err
	}
	p.head.SetText(head)
	p.tab.Text = fmt.Sprintf("%s (%d)", tr("Callbacks"), len(p.cbs))
	if s.tabs != nil {
		s.tabs.Refresh()
	}
	if p.caller() && len(p.cbs) > 0 {
		p.callBtn.Show()
	} else {
		p.callBtn.Hide()
	}
	// The rows are made first and laid out once: added one by one, each
	// Add laid the whole list out again, and a pool of ~3,600 callbacks
	// kept the desktop busy for minutes (issue 4, the full-scale city).
	var rows []fyne.CanvasObject
	if len(p.cbs) == 0 {
		rows = append(rows, widget.NewLabel(tr("No callbacks to make")))
	}
	for _, cb := range p.cbs[:min(len(p.cbs), maxCallbackRows)] {
		line := widget.NewLabel(p.line(cb, now))
		line.Wrapping = fyne.TextWrapWord
		switch {
		case cb.Overdue(now):
			line.Importance = widget.DangerImportance
		case cb.Due(now):
			line.Importance = widget.WarningImportance
		}
		if !p.caller() {
			rows = append(rows, line)
			continue
		}
		btn := widget.NewButton(tr("Call"), func() { p.call(cb) })
		rows = append(rows, container.NewBorder(nil, nil, nil, btn, line))
	}
	if more := len(p.cbs) - maxCallbackRows; more > 0 {
		rows = append(rows, widget.NewLabel(fmt.Sprintf(tr("and %d more callbacks, later in the order"), more)))
	}
	p.list.Objects = rows
	p.list.Refresh()
}

// maxCallbackRows bounds the callbacks the panel lists, in the order they
// are to be made (the first is the one Call takes); the heading counts
// them all.
const maxCallbackRows = 100

// line is one callback: its state, window (office time), citizen,
// number, reason and attempts.
func (p *callbackPanel) line(cb *sportello.Callback, now time.Time) string {
	loc := p.s.cfg.Location
	state := tr("Later")
	switch {
	case cb.Overdue(now):
		state = tr("OVERDUE")
	case cb.Due(now):
		state = tr("Due")
	case cb.NextAt.After(cb.From):
		state = tr("Later") + " · " + tr("next attempt") + " " + cb.NextAt.In(loc).Format("15:04")
	}
	from, to := cb.From.In(loc), cb.To.In(loc)
	window := from.Format("02/01 15:04") + "–" + to.Format("15:04")
	if from.YearDay() != to.YearDay() {
		window = from.Format("02/01 15:04") + "–" + to.Format("02/01 15:04")
	}
	who := cb.CitizenName
	if who == "" {
		who = tr("Unknown caller")
	}
	parts := []string{state, window, who, displayNumber(cb.Number)}
	if cb.Owner == sportello.OwnerPool {
		parts = append(parts, tr("pool"))
	}
	if n := len(cb.Attempts); n > 0 {
		parts = append(parts, fmt.Sprintf("%s: %d", tr("attempts"), n))
	}
	line := strings.Join(parts, " · ")
	if cb.Reason != "" {
		line += "\n    " + cb.Reason
	}
	return line
}

func (p *callbackPanel) callFirst() {
	if len(p.cbs) > 0 {
		p.call(p.cbs[0])
	}
}

// call dials the citizen of cb; when the call ends, the panel asks what
// came of it.
func (p *callbackPanel) call(cb *sportello.Callback) {
	s := p.s
	switch {
	case !p.caller():
		return
	case p.pending != nil:
		s.message.SetText(tr("Record the outcome of the last callback first."))
		s.tabs.Select(p.tab)
		return
	case s.cfg.Phone == nil:
		s.message.SetText(tr("There is no phone on this desktop."))
		return
	case s.call != nil:
		s.message.SetText(tr("Finish the call in hand first."))
		return
	case s.wrapFor != nil:
		s.message.SetText(tr("Save the wrap-up of the last call first."))
		return
	}
	id, err := s.cfg.Phone.Dial(cb.Number)
	if err != nil {
		s.showError(err)
		return
	}
	p.calling, p.callID = cb, id
	p.lastCB, p.lastID = cb, id
	s.message.SetText(tr("Calling back") + " " + displayNumber(cb.Number))
}

// onCall asks the attempt's outcome when the callback's call ends,
// suggesting the one the call's end reads as.
func (p *callbackPanel) onCall(c sportello.Call) {
	if p.calling == nil || c.ID != p.callID || c.State != sportello.CallEnded {
		return
	}
	p.pending, p.calling, p.opID = p.calling, nil, ""
	guess := sportello.AttemptResolved
	switch {
	case c.EndReason == "busy":
		guess = sportello.AttemptBusy
	case c.AnsweredAt.IsZero():
		guess = sportello.AttemptNoAnswer
	}
	p.asked.SetText(fmt.Sprintf("%s %s (%s: %s)", tr("How did the callback go?"), displayNumber(p.pending.Number), tr("it looks like"), attemptText(guess)))
	p.outcomes.Show()
	if c.AnsweredAt.IsZero() {
		// No wrap-up to write: the outcome is the one thing asked.
		p.s.tabs.Select(p.tab)
	}
}

// record sends the outcome of the callback just called.
func (p *callbackPanel) record(o sportello.AttemptOutcome) {
	s := p.s
	cb := p.pending
	if cb == nil {
		return
	}
	callID := p.lastID
	if p.opID == "" {
		p.opID = newOpID()
	}
	opID := p.opID
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
		defer cancel()
		got, err := s.cfg.Callbacks.RecordAttempt(ctx, cb.ID, sportello.CallbackAttempt{ID: opID, Outcome: o, CallID: callID})
		do(func() {
			if err != nil {
				s.showError(err) // the question stays: nothing is lost
				return
			}
			p.pending, p.opID = nil, ""
			p.outcomes.Hide()
			s.message.SetText(tr("Callback") + ": " + attemptText(o) + " · " + callbackStateText(got.State))
			p.refresh()
		})
	}()
}

// onChange reads the list again when a callback was scheduled or attempted,
// or syncd noted that it gave an overdue one to the pool (a note naming
// the callback in CallID: sync/server/overdue.go).
func (p *callbackPanel) onChange(ch sportello.Change) {
	if ch.Event != nil && (ch.Event.Kind == sportello.EventCallbackScheduled || ch.Event.Kind == sportello.EventCallbackAttempt ||
		ch.Event.Kind == sportello.EventNote && ch.Event.CallID != "") {
		p.refresh()
	}
}

// fill sets the callback's window and owner on a wrap-up that schedules
// one, and puts the wrap-up of a callback's call on the callback's case.
func (p *callbackPanel) fill(w *sportello.WrapUp) error {
	if p.lastCB != nil && w.CallID == p.lastID && w.CaseID == "" {
		w.CaseID, w.CitizenID = p.lastCB.CaseID, ""
	}
	if w.Outcome != sportello.OutcomeCallbackScheduled {
		return nil
	}
	from, to, err := callbackWindow(p.s.cfg.Now(), p.s.cfg.Location, p.window.SelectedIndex(), p.custom.Text)
	if err != nil {
		return err
	}
	w.CallbackFrom, w.CallbackTo = from.UTC(), to.UTC()
	w.CallbackOwner = sportello.OwnerSelf
	if p.owner.SelectedIndex() == 1 {
		w.CallbackOwner = sportello.OwnerPool
	}
	return nil
}

// callbackWindow is the window of a choice at now in the office's zone:
// the next two hours, tomorrow 09:00-12:00, or custom, written
// "dd/mm hh:mm-hh:mm" (this year).
func callbackWindow(now time.Time, loc *time.Location, choice int, custom string) (time.Time, time.Time, error) {
	now = now.In(loc)
	switch choice {
	case windowSoon:
		return now, now.Add(2 * time.Hour), nil
	case windowTomorrow:
		y, m, d := now.AddDate(0, 0, 1).Date()
		return time.Date(y, m, d, 9, 0, 0, 0, loc), time.Date(y, m, d, 12, 0, 0, 0, loc), nil
	}
	bad := sportello.Errorf(sportello.EINVALID, "Write the callback window as dd/mm hh:mm-hh:mm")
	day, hours, ok := strings.Cut(strings.TrimSpace(custom), " ")
	if !ok {
		return time.Time{}, time.Time{}, bad
	}
	fromS, toS, ok := strings.Cut(strings.TrimSpace(hours), "-")
	if !ok {
		return time.Time{}, time.Time{}, bad
	}
	year := fmt.Sprint(now.Year())
	from, err1 := time.ParseInLocation("02/01/2006 15:04", day+"/"+year+" "+strings.TrimSpace(fromS), loc)
	to, err2 := time.ParseInLocation("02/01/2006 15:04", day+"/"+year+" "+strings.TrimSpace(toS), loc)
	if err1 != nil || err2 != nil {
		return time.Time{}, time.Time{}, bad
	}
	return from, to, nil
}

func attemptText(o sportello.AttemptOutcome) string {
	switch o {
	case sportello.AttemptResolved:
		return tr("Answered, resolved")
	case sportello.AttemptNoAnswer:
		return tr("No answer")
	case sportello.AttemptBusy:
		return tr("Busy")
	}
	return string(o)
}

func callbackStateText(st sportello.CallbackState) string {
	switch st {
	case sportello.CallbackScheduled:
		return tr("still to call back")
	case sportello.CallbackDone:
		return tr("done")
	case sportello.CallbackFailed:
		return tr("failed: too many attempts")
	}
	return string(st)
}

// The hooks of the operator screen: nil-safe, so that a desktop without
// a CallbackService has no Richiamate tab.

func (s *operatorScreen) callbacksSignedIn() {
	p := s.callbacks
	if p == nil {
		return
	}
	if indexOfTab(s.tabs, p.tab) < 0 {
		s.tabs.Append(p.tab)
	}
	p.subscribeDue() // callbackdue.go
	p.refresh()
}

func (s *operatorScreen) callbacksSignedOut() {
	p := s.callbacks
	if p == nil {
		return
	}
	if indexOfTab(s.tabs, p.tab) >= 0 {
		s.tabs.Remove(p.tab)
	}
	p.unsubscribeDue() // callbackdue.go
	p.cbs, p.err, p.calling, p.pending, p.lastCB, p.opID = nil, "", nil, nil, nil, ""
	p.outcomes.Hide()
	p.render()
}

func (s *operatorScreen) callbacksOnCall(c sportello.Call) {
	if s.callbacks != nil {
		s.callbacks.onCall(c)
	}
}

func (s *operatorScreen) callbacksOnChange(ch sportello.Change) {
	if s.callbacks != nil {
		s.callbacks.onChange(ch)
	}
}

// callbacksOutcome shows the window and owner for a scheduled callback.
func (s *operatorScreen) callbacksOutcome(o sportello.Outcome, focus bool) {
	p := s.callbacks
	if p == nil {
		return
	}
	if o != sportello.OutcomeCallbackScheduled {
		p.form.Hide()
		return
	}
	p.form.Show()
	if focus {
		s.win.Canvas().Focus(p.window)
	}
}

func (s *operatorScreen) callbacksFill(w *sportello.WrapUp) error {
	if s.callbacks == nil {
		return nil
	}
	return s.callbacks.fill(w)
}

func (s *operatorScreen) callbacksSaved() {
	if p := s.callbacks; p != nil {
		p.reset()
		p.form.Hide()
		p.refresh()
	}
}

// callbacksForm is the wrap-up's callback part (empty without callbacks).
func (s *operatorScreen) callbacksForm() fyne.CanvasObject {
	if s.callbacks == nil {
		return container.NewVBox()
	}
	return s.callbacks.form
}

func (s *operatorScreen) focusCallbacks() {
	if p := s.callbacks; p != nil && indexOfTab(s.tabs, p.tab) >= 0 {
		s.tabs.Select(p.tab)
	}
}

func (s *operatorScreen) callbackMenus() []*fyne.Menu {
	p := s.callbacks
	if p == nil || s.user == nil {
		return nil
	}
	item := func(label string, sc fyne.Shortcut, f func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, f)
		it.Shortcut = sc
		return it
	}
	items := []*fyne.MenuItem{item(tr("Callbacks"), ShortcutCallbacks, s.focusCallbacks)}
	if p.caller() {
		items = append(items, item(tr("Call the first due"), ShortcutCallBack, p.callFirst))
		for i, o := range sportello.AttemptOutcomes {
			items = append(items, item(attemptText(o), ShortcutAttempt(i), func() { p.record(o) }))
		}
	}
	return []*fyne.Menu{fyne.NewMenu(tr("Callbacks"), items...)}
}

func (s *operatorScreen) addCallbackShortcuts() {
	p := s.callbacks
	if p == nil {
		return
	}
	c := s.win.Canvas()
	c.AddShortcut(ShortcutCallbacks, func(fyne.Shortcut) { s.focusCallbacks() })
	c.AddShortcut(ShortcutCallBack, func(fyne.Shortcut) { p.callFirst() })
	for i, o := range sportello.AttemptOutcomes {
		c.AddShortcut(ShortcutAttempt(i), func(fyne.Shortcut) { p.record(o) })
	}
}

// noteText is an event's note as the history shows it: a callback's
// window (stored in UTC) in the office's zone, an attempt's note (the
// callback's state after it) in words.
func (s *operatorScreen) noteText(e *sportello.CaseEvent) string {
	switch e.Kind {
	case sportello.EventCallbackAttempt:
		return callbackStateText(sportello.CallbackState(e.Note))
	case sportello.EventCallbackScheduled:
		window, reason, _ := strings.Cut(e.Note, ": ")
		fromS, toS, ok := strings.Cut(window, " – ")
		from, err1 := time.Parse(time.RFC3339, fromS)
		to, err2 := time.Parse(time.RFC3339, toS)
		if !ok || err1 != nil || err2 != nil {
			return e.Note
		}
		return s.date(from) + "–" + to.In(s.cfg.Location).Format("15:04") + ": " + reason
	}
	return e.Note
}
