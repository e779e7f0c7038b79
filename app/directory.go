package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// The transfer directory's shortcuts: Ctrl+T shows the Rubrica tab with the
// cursor in its search, Ctrl+Shift+X transfers the call in hand to the
// selected number (Ctrl+Shift+T is the desk queue's case transfer).
var (
	ShortcutDirectory    = &desktop.CustomShortcut{KeyName: fyne.KeyT, Modifier: fyne.KeyModifierControl}
	ShortcutTransferCall = &desktop.CustomShortcut{KeyName: fyne.KeyX, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	// Attended transfer: Ctrl+Shift+K consults the selected number (the
	// call goes on hold), Ctrl+Shift+O completes the transfer, Ctrl+Shift+J
	// cancels it and takes the call back.
	ShortcutConsult          = &desktop.CustomShortcut{KeyName: fyne.KeyK, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	ShortcutCompleteTransfer = &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	ShortcutCancelTransfer   = &desktop.CustomShortcut{KeyName: fyne.KeyJ, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
)

// directoryPanel is the transfer directory (rubrica trasferimenti): search
// as you type, each number with its state now and when to send callers
// there, and a blind transfer of the call in hand.
type directoryPanel struct {
	s        *operatorScreen
	tab      *container.TabItem
	search   *widget.Entry
	status   *widget.Label
	results  *fyne.Container
	details  *widget.Label
	transfer *tipButton
	consultB *tipButton // attended transfer: consult the chosen number
	complete *tipButton
	cancel   *tipButton
	consult  *consulting // the attended transfer under way, if any
	// early holds consultation snapshots that came before Consult
	// returned the consultation's id.
	early    map[string]sportello.Call
	entries  []sportello.DirectoryEntry
	selected int
	find     *typeahead[[]sportello.DirectoryEntry]
	busy     bool // a transfer is under way
	// done is the transfer that succeeded, until the wrap-up form shows it.
	done *transferred
	// avail is who is available at the desks (availability.go).
	avail deskAvailability
	// editor is the open edit form, nil when none; editBox the edit
	// actions shown to admins (directoryedit.go).
	editor  *dirEditor
	editBox *fyne.Container
}

// consulting is an attended transfer under way: the held call, the
// consultation call and the entry consulted.
type consulting struct {
	callID, consultID string
	to                sportello.DirectoryEntry
	answered          bool // the consultation is in conversation
	completing        bool // CompleteTransfer is on its way
}

// transferred is a call that went to a directory entry.
type transferred struct {
	callID string
	to     sportello.DirectoryEntry
}

// newDirectory makes the Rubrica tab when the desktop has a directory.
func (s *operatorScreen) newDirectory() {
	if s.cfg.Directory == nil {
		return
	}
	p := &directoryPanel{s: s, results: container.NewVBox()}
	p.find = &typeahead[[]sportello.DirectoryEntry]{
		ctx:   s.ctx,
		delay: 100 * time.Millisecond,
		search: func(ctx context.Context, typed string) ([]sportello.DirectoryEntry, error) {
			return s.cfg.Directory.SearchDirectory(ctx, typed, 30)
		},
		show: func(entries []sportello.DirectoryEntry, err error) {
			if err != nil {
				p.status.SetText(errorText(err))
				return
			}
			p.entries, p.selected = entries, 0
			p.render()
		},
	}
	p.search = widget.NewEntry()
	p.search.SetPlaceHolder(tr("Search offices, Municipi, companies, desks") + " (" + shortcutText(ShortcutDirectory) + ")")
	p.search.OnChanged = func(string) { p.schedule() }
	p.search.OnSubmitted = func(string) { p.transferSelected() }
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	p.details = widget.NewLabel("")
	p.details.Wrapping = fyne.TextWrapWord
	p.transfer = newTipButton(tr("Transfer the call"), ShortcutTransferCall, p.transferSelected)
	p.transfer.Importance = widget.HighImportance
	p.consultB = newTipButton(tr("Attended transfer"), ShortcutConsult, p.consultSelected)
	p.complete = newTipButton(tr("Complete"), ShortcutCompleteTransfer, p.completeTransfer)
	p.complete.Importance = widget.SuccessImportance
	p.cancel = newTipButton(tr("Undo transfer"), ShortcutCancelTransfer, p.cancelTransfer)
	head := container.NewVBox(p.search, p.editBar(), p.status) // editBar: directoryedit.go
	body := container.NewVBox(p.results, widget.NewSeparator(), p.details, p.transfer,
		p.consultB, container.NewGridWithColumns(2, p.complete, p.cancel))
	p.tab = container.NewTabItem(tr("Directory")+" ("+shortcutText(ShortcutDirectory)+")", container.NewBorder(head, nil, nil, nil, container.NewVScroll(body)))
	s.directory = p
	p.refresh()
}

// directoryTab is the Rubrica tab, nil without a directory.
func (s *operatorScreen) directoryTab() []*container.TabItem {
	if s.directory == nil {
		return nil
	}
	return []*container.TabItem{s.directory.tab}
}

// focusDirectory shows the Rubrica tab with the cursor in an empty search.
func (s *operatorScreen) focusDirectory() {
	p := s.directory
	if p == nil {
		return
	}
	s.tabs.Select(p.tab)
	s.win.Canvas().Focus(p.search)
	p.search.SetText("") // a new search each time; this lists the whole directory
	p.schedule()
}

// directoryMenuItems are the Call menu's directory entries.
func (s *operatorScreen) directoryMenuItems(item func(string, fyne.Shortcut, func()) *fyne.MenuItem) []*fyne.MenuItem {
	if s.directory == nil {
		return nil
	}
	return []*fyne.MenuItem{
		item(tr("Directory"), ShortcutDirectory, s.focusDirectory),
		item(tr("Transfer the call"), ShortcutTransferCall, s.directory.transferSelected),
		item(tr("Attended transfer"), ShortcutConsult, s.directory.consultSelected),
		item(tr("Complete the transfer"), ShortcutCompleteTransfer, s.directory.completeTransfer),
		item(tr("Cancel the transfer"), ShortcutCancelTransfer, s.directory.cancelTransfer),
	}
}

func (s *operatorScreen) addDirectoryShortcuts() {
	if s.directory == nil {
		return
	}
	c := s.win.Canvas()
	c.AddShortcut(ShortcutDirectory, func(fyne.Shortcut) { s.focusDirectory() })
	c.AddShortcut(ShortcutTransferCall, func(fyne.Shortcut) { s.directory.transferSelected() })
	c.AddShortcut(ShortcutConsult, func(fyne.Shortcut) { s.directory.consultSelected() })
	c.AddShortcut(ShortcutCompleteTransfer, func(fyne.Shortcut) { s.directory.completeTransfer() })
	c.AddShortcut(ShortcutCancelTransfer, func(fyne.Shortcut) { s.directory.cancelTransfer() })
}

// directoryMove moves the selection when the Rubrica tab shows; it
// reports whether it did.
func (s *operatorScreen) directoryMove(delta int) bool {
	p := s.directory
	if p == nil || s.tabs == nil || s.tabs.Selected() != p.tab || len(p.entries) == 0 {
		return false
	}
	p.selected = (p.selected + delta + len(p.entries)) % len(p.entries)
	p.render()
	return true
}

// schedule searches for what is typed, shortly after the last key.
func (p *directoryPanel) schedule() { p.find.schedule(p.search.Text) }

func (p *directoryPanel) render() {
	p.results.RemoveAll()
	switch {
	case len(p.entries) == 0 && strings.TrimSpace(p.search.Text) != "":
		p.status.SetText(tr("Nothing found: try other words."))
	default:
		p.status.SetText(tr("Alt+Down/Alt+Up choose, Enter or Ctrl+Shift+X transfers the call."))
	}
	for i, e := range p.entries {
		name := e.Name
		if i == p.selected {
			name = "▶ " + name
		}
		line := widget.NewLabel(name + " · " + displayNumber(e.Number) + " · " + p.stateText(e))
		line.Wrapping = fyne.TextWrapWord
		if i == p.selected {
			line.TextStyle.Bold = true
		}
		p.results.Add(line)
	}
	p.showDetails()
	p.refresh()
}

func (p *directoryPanel) showDetails() {
	if p.selected >= len(p.entries) {
		p.details.SetText("")
		return
	}
	e := p.entries[p.selected]
	var b strings.Builder
	b.WriteString(e.Name + "\n" + displayNumber(e.Number))
	add := func(label, v string) {
		if v != "" {
			b.WriteString("\n" + tr(label) + ": " + v)
		}
	}
	add("Group", e.Group)
	add("When to send callers here", e.Note)
	add("Hours", e.HoursText)
	add("Now", p.stateText(e))
	add("Available now", p.availabilityText(e)) // availability.go
	p.details.SetText(b.String())
}

// stateText is "open now until 16:00", "closed · opens at 14:00", ...;
// a number without hours always answers.
func (p *directoryPanel) stateText(e sportello.DirectoryEntry) string {
	if e.Hours == nil {
		return tr("always open")
	}
	return p.s.kb.officeState(&sportello.KBEntry{Hours: e.Hours})
}

// refresh enables Transfer when there is a call in conversation, a number
// chosen and no transfer under way.
func (p *directoryPanel) refresh() {
	c := p.s.call
	ready := c != nil && c.State == sportello.CallActive && p.selected < len(p.entries) && !p.busy && p.consult == nil
	enable(p.transfer, ready)
	enable(p.consultB, ready)
	k := p.consult
	enable(p.complete, k != nil && k.answered && !k.completing)
	enable(p.cancel, k != nil && !k.completing)
}

// transferSelected transfers the call in hand to the chosen number, after
// the operator confirms when that number is closed now.
func (p *directoryPanel) transferSelected() {
	if e, callID, ok := p.transferable(); ok {
		p.confirmIfClosed(e, func() { p.start(callID, e) })
	}
}

// transferable returns the chosen number and the call in hand when a
// transfer can start now, and otherwise tells the operator why not.
func (p *directoryPanel) transferable() (e sportello.DirectoryEntry, callID string, ok bool) {
	s := p.s
	if s.call == nil || s.call.State != sportello.CallActive {
		s.message.SetText(tr("A transfer needs a call in conversation."))
		return e, "", false
	}
	if p.selected >= len(p.entries) {
		s.message.SetText(tr("Choose a number in the directory first."))
		s.focusDirectory()
		return e, "", false
	}
	if p.busy || p.consult != nil {
		return e, "", false
	}
	return p.entries[p.selected], s.call.ID, true
}

// confirmIfClosed runs transfer at once when e answers now, and asks the
// operator first when it is closed: blind and attended transfers alike.
func (p *directoryPanel) confirmIfClosed(e sportello.DirectoryEntry, transfer func()) {
	s := p.s
	if st := e.StateAt(s.cfg.Now(), s.cfg.Location, s.cfg.Calendar); st.Open {
		transfer()
		return
	}
	d := dialog.NewConfirm(tr("Closed now"),
		e.Name+" "+tr("is closed now")+" ("+p.stateText(e)+").\n"+tr("Transfer the call anyway?"),
		func(ok bool) {
			if ok {
				transfer()
			}
		}, s.win)
	d.SetConfirmText(tr("Transfer anyway"))
	d.SetDismissText(tr("Cancel"))
	d.Show()
}

// start runs the blind transfer off Fyne's goroutine.
func (p *directoryPanel) start(callID string, e sportello.DirectoryEntry) {
	s := p.s
	if s.call == nil || s.call.ID != callID || p.busy {
		return
	}
	p.busy = true
	p.refresh()
	s.message.SetText(tr("Transferring to") + " " + e.Name + "...")
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.cfg.Phone.Transfer(callID, e.Number)
		do(func() {
			p.busy = false
			p.refresh()
			if err != nil {
				s.message.SetText(transferErrorText(e, err))
				return
			}
			p.done = &transferred{callID: callID, to: e}
			s.message.SetText(tr("Call transferred to") + " " + e.Name)
			p.applyToWrapUp()
		})
	}()
}

// transferErrorText says why a transfer failed and that the call is still
// the operator's.
func transferErrorText(e sportello.DirectoryEntry, err error) string {
	if !errors.Is(err, sportello.ErrTransferFailed) {
		return tr("Transfer to") + " " + e.Name + ": " + errorText(err)
	}
	reason := err.Error()
	if _, after, ok := strings.Cut(reason, sportello.ErrorMessage(sportello.ErrTransferFailed)+": "); ok {
		reason = after
	}
	return tr("Transfer failed, the call is still yours") + " (" + e.Name + "): " + reason
}

// directoryOnCall follows the phone: Transfer's button follows the call,
// and a transferred call's wrap-up gets its outcome and destination.
func (s *operatorScreen) directoryOnCall(c sportello.Call) {
	p := s.directory
	if p == nil {
		return
	}
	p.refresh()
	if c.State == sportello.CallEnded {
		p.applyToWrapUp()
	}
}

// applyToWrapUp preselects "Transferred" with the destination in the note,
// once both the transfer's success and the call's end are known.
func (p *directoryPanel) applyToWrapUp() {
	s, t := p.s, p.done
	if t == nil || s.wrapFor == nil || s.wrapFor.ID != t.callID {
		return
	}
	p.done = nil
	for i, o := range sportello.Outcomes {
		if o == sportello.OutcomeTransferred {
			s.outcome.SetSelected(s.outcome.Options[i])
		}
	}
	line := tr("Transferred to") + " " + t.to.Name + " (" + displayNumber(t.to.Number) + ")"
	if s.note.Text != "" && !strings.HasSuffix(s.note.Text, "\n") {
		line = "\n" + line
	}
	s.note.SetText(s.note.Text + line)
}

// consultSelected starts an attended transfer to the chosen number: the
// call in hand goes on hold and the phone calls the number, so the
// operator can introduce the citizen before completing.
func (p *directoryPanel) consultSelected() {
	if e, callID, ok := p.transferable(); ok {
		p.confirmIfClosed(e, func() { p.startConsult(callID, e) })
	}
}

// startConsult places the consultation call off Fyne's goroutine.
func (p *directoryPanel) startConsult(callID string, e sportello.DirectoryEntry) {
	s := p.s
	if s.call == nil || s.call.ID != callID || p.busy || p.consult != nil {
		return
	}
	p.busy = true
	p.refresh()
	s.message.SetText(tr("Calling") + " " + e.Name + "...")
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		consultID, err := s.cfg.Phone.Consult(callID, e.Number)
		do(func() {
			p.busy = false
			if err != nil {
				p.refresh()
				s.message.SetText(tr("Transfer to") + " " + e.Name + ": " + errorText(err))
				return
			}
			p.consult = &consulting{callID: callID, consultID: consultID, to: e}
			early, seen := p.early[consultID]
			p.early = nil
			p.refresh()
			s.message.SetText(tr("Consulting") + " " + e.Name + ": " + tr("the citizen is on hold") + ". " +
				tr("Complete") + " " + shortcutText(ShortcutCompleteTransfer) + ", " + tr("Undo transfer") + " " + shortcutText(ShortcutCancelTransfer))
			if seen {
				s.directoryOnConsult(early)
			}
		})
	}()
}

// directoryOnConsult follows the consultation call.
func (s *operatorScreen) directoryOnConsult(c sportello.Call) {
	p := s.directory
	if p == nil {
		return
	}
	if p.consult == nil && p.busy {
		if p.early == nil {
			p.early = map[string]sportello.Call{}
		}
		p.early[c.ID] = c
		return
	}
	if p.consult == nil || p.consult.consultID != c.ID {
		return
	}
	k := p.consult
	switch c.State {
	case sportello.CallActive:
		if !k.answered {
			k.answered = true
			s.message.SetText(tr("In consultation with") + " " + k.to.Name + ". " +
				tr("Complete") + " " + shortcutText(ShortcutCompleteTransfer) + ", " + tr("Undo transfer") + " " + shortcutText(ShortcutCancelTransfer))
		}
	case sportello.CallEnded:
		if k.completing {
			return // CompleteTransfer reports
		}
		p.consult = nil
		s.message.SetText(tr("Consultation ended") + " (" + k.to.Name + ", " + endReasonText(c.EndReason) + "): " + tr("the call is back in hand"))
	}
	p.refresh()
}

// completeTransfer hands the held call to the consulted number.
func (p *directoryPanel) completeTransfer() {
	s, k := p.s, p.consult
	if k == nil || k.completing {
		return
	}
	if !k.answered {
		s.message.SetText(tr("The consulted number has not answered yet."))
		return
	}
	k.completing = true
	p.refresh()
	s.message.SetText(tr("Transferring to") + " " + k.to.Name + "...")
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.cfg.Phone.CompleteTransfer(k.callID, k.consultID)
		do(func() {
			if p.consult == k {
				p.consult = nil
			}
			p.refresh()
			if err != nil {
				s.message.SetText(transferErrorText(k.to, err))
				return
			}
			p.done = &transferred{callID: k.callID, to: k.to}
			s.message.SetText(tr("Call transferred to") + " " + k.to.Name)
			p.applyToWrapUp()
		})
	}()
}

// cancelTransfer ends the consultation and takes the call back.
func (p *directoryPanel) cancelTransfer() {
	s, k := p.s, p.consult
	if k == nil || k.completing {
		return
	}
	k.completing = true // the consultation's end is not news
	p.refresh()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.cfg.Phone.CancelTransfer(k.callID, k.consultID)
		do(func() {
			if p.consult == k {
				p.consult = nil
			}
			p.refresh()
			if err != nil {
				s.showError(err)
				return
			}
			s.message.SetText(tr("Transfer cancelled: the call is back in hand"))
		})
	}()
}
