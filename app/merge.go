package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// ShortcutMerge opens Merge duplicates for supervisors: Alt+U (unisci).
var ShortcutMerge = &desktop.CustomShortcut{KeyName: fyne.KeyU, Modifier: fyne.KeyModifierAlt}

// mergeReason is the audit reason of the searches the merge form makes.
const mergeReason = "merge duplicates"

// mergeForm is the supervisor's Merge duplicates form: a search and a
// choice for the record to keep and for the duplicate, then Merge, which
// asks to be pressed again to confirm.
type mergeForm struct {
	s         *operatorScreen
	side      [2]*mergeSide // 0: the record to keep, 1: the duplicate
	status    *widget.Label
	merge     *tipButton
	popup     *widget.PopUp
	confirmed bool // Merge was pressed once for the chosen pair
	busy      bool
}

// mergeSide is one citizen of the pair: what was searched and found.
type mergeSide struct {
	query  *formEntry
	choice *widget.Select
	found  []sportello.Citizen
}

// chosen returns the citizen chosen on a side, nil when none.
func (m *mergeSide) chosen() *sportello.Citizen {
	if i := m.choice.SelectedIndex(); i >= 0 && i < len(m.found) {
		return &m.found[i]
	}
	return nil
}

// mayMerge reports whether the signed-in user merges duplicates.
func (s *operatorScreen) mayMerge() bool {
	return s.cfg.Identity != nil && s.user != nil && s.user.Role == sportello.RoleSupervisor
}

// openMerge opens the form, for supervisors.
func (s *operatorScreen) openMerge() {
	if !s.mayMerge() || s.merge != nil || (s.identity != nil && s.identity.ed != nil) {
		return
	}
	f := &mergeForm{s: s}
	form := container.NewVBox(widget.NewLabelWithStyle(tr("Merge duplicates"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel(tr("Find the two records by name, tax code or number (Enter searches).")))
	for i, label := range []string{tr("Record to keep"), tr("Duplicate to merge into it")} {
		side := &mergeSide{}
		side.query = newFormEntry("", false, f.submit, f.cancel)
		side.query.OnSubmitted = func(q string) { f.search(side, q) }
		side.choice = widget.NewSelect(nil, func(string) { f.choiceChanged() })
		side.choice.PlaceHolder = tr("Search first")
		f.side[i] = side
		form.Add(widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		form.Add(side.query)
		form.Add(side.choice)
	}
	f.status = widget.NewLabel(tr("Ctrl+S merges, Esc cancels."))
	f.status.Wrapping = fyne.TextWrapWord
	f.merge = newTipButton(tr("Merge"), ShortcutSave, f.submit)
	f.merge.Importance = widget.DangerImportance
	cancel := newTipButton(tr("Cancel"), shortcutEscape, f.cancel)
	body := container.NewBorder(nil, container.NewVBox(f.status, container.NewHBox(f.merge, cancel)), nil, nil, container.NewVScroll(form))
	f.popup = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(620, 480), body), s.win.Canvas())
	s.merge = f
	s.win.Canvas().AddShortcut(ShortcutSave, func(fyne.Shortcut) { f.submit() })
	f.popup.Show()
	s.win.Canvas().Focus(f.side[0].query)
}

// citizenLine is how a found citizen reads in the choice.
func citizenLine(c sportello.Citizen) string {
	parts := []string{c.Name}
	if c.TaxCode != "" {
		parts = append(parts, c.TaxCode)
	}
	if len(c.Phones) > 0 {
		shown := make([]string, len(c.Phones))
		for i, p := range c.Phones {
			shown[i] = displayNumber(p) + phoneLabelText(c.PhoneLabel(i))
		}
		parts = append(parts, strings.Join(shown, ", "))
	}
	if c.Address != "" {
		parts = append(parts, c.Address)
	}
	return strings.Join(parts, " · ")
}

// search finds citizens for one side and selects the first.
func (f *mergeForm) search(side *mergeSide, q string) {
	s := f.s
	f.status.SetText(tr("Searching…"))
	go func() {
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		defer cancel()
		found, err := s.cfg.Identity.SearchCitizens(ctx, q, mergeReason)
		do(func() {
			if err != nil {
				f.status.SetText(errorText(err))
				return
			}
			side.found = found
			options := make([]string, len(found))
			for i, c := range found {
				options[i] = citizenLine(c)
			}
			side.choice.Options = options
			side.choice.ClearSelected()
			if len(found) == 0 {
				f.status.SetText(tr("No citizen found."))
				side.choice.Refresh()
				return
			}
			side.choice.SetSelectedIndex(0)
			f.status.SetText(fmt.Sprintf(tr("%d found: choose one, then Merge."), len(found)))
			if side == f.side[0] {
				s.win.Canvas().Focus(f.side[1].query) // then the duplicate
			}
		})
	}()
}

// choiceChanged asks for a new confirmation when the pair changes.
func (f *mergeForm) choiceChanged() { f.confirmed = false }

// submit merges the chosen pair on the second press: the first says what
// will happen.
func (f *mergeForm) submit() {
	if f.busy {
		return
	}
	keep, dup := f.side[0].chosen(), f.side[1].chosen()
	switch {
	case keep == nil || dup == nil:
		f.status.SetText(tr("Choose the record to keep and the duplicate first."))
		return
	case keep.ID == dup.ID:
		f.status.SetText(tr("Choose two different records."))
		return
	case !f.confirmed:
		f.confirmed = true
		f.status.SetText(fmt.Sprintf(tr("Merge %s into %s? The duplicate's cases, numbers, callbacks and appointments move to the record kept. Press Merge again to confirm."),
			citizenLine(*dup), citizenLine(*keep)))
		return
	}
	f.busy = true
	f.merge.Disable()
	f.status.SetText(tr("Merging…"))
	s := f.s
	keepID, dupID := keep.ID, dup.ID
	go func() {
		ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
		defer cancel()
		kept, err := s.cfg.Identity.MergeCitizens(ctx, keepID, dupID, mergeReason)
		do(func() {
			f.busy = false
			f.merge.Enable()
			if err != nil {
				f.confirmed = false
				f.status.SetText(errorText(err))
				return
			}
			f.close()
			if s.card != nil && s.card.Citizen != nil && (s.card.Citizen.ID == keepID || s.card.Citizen.ID == dupID) {
				card := *s.card
				card.Citizen = kept
				s.card = &card
				s.renderCard()
			}
			s.message.SetText(tr("Duplicates merged") + ": " + citizenLine(*kept))
		})
	}()
}

// close closes the form and gives Ctrl+S back to the wrap-up.
func (f *mergeForm) close() {
	f.popup.Hide()
	s := f.s
	s.merge = nil
	s.win.Canvas().AddShortcut(ShortcutSave, func(fyne.Shortcut) { s.saveWrapUp() })
	s.win.Canvas().Focus(s.note)
}

func (f *mergeForm) cancel() {
	if !f.busy {
		f.close()
		f.s.message.SetText(tr("Nothing was merged."))
	}
}
