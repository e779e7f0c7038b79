package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// Editing the transfer directory from the Rubrica tab (issue 6): admins
// edit, create and retire numbers with the keys that edit the knowledge
// base (Alt+E, Alt+N, Alt+Delete), which act on the directory while its
// tab shows.

// directoryShowing reports whether the Rubrica tab is the one showing.
func (s *operatorScreen) directoryShowing() bool {
	return s.directory != nil && s.tabs != nil && s.tabs.Selected() == s.directory.tab
}

// editBar is the Edit, New, Retire and History actions of the Rubrica tab, shown
// to admins (refreshEditBar, once signed in).
func (p *directoryPanel) editBar() fyne.CanvasObject {
	edit := newTipButton(tr("Edit number"), ShortcutEditKB, p.openEditor)
	create := newTipButton(tr("New number"), ShortcutNewKB, p.openNew)
	retire := newTipButton(tr("Retire number"), ShortcutRetireKB, p.retireSelected)
	hist := newTipButton(tr("Versions"), ShortcutKBHistory, p.toggleHistory)
	p.editBox = container.NewHBox(edit, create, retire, hist)
	p.refreshEditBar()
	return p.editBox
}

// refreshEditBar shows the edit actions to admins.
func (p *directoryPanel) refreshEditBar() {
	if p.editBox == nil {
		return
	}
	if p.mayEdit() {
		p.editBox.Show()
	} else {
		p.editBox.Hide()
	}
}

// mayEdit reports whether the signed-in user may edit the directory.
func (p *directoryPanel) mayEdit() bool {
	return p.s.cfg.Edits != nil && sportello.MayEditDirectory(p.s.user)
}

// selectedEntry returns the chosen number, nil when none.
func (p *directoryPanel) selectedEntry() *sportello.DirectoryEntry {
	if p.selected >= len(p.entries) {
		return nil
	}
	e := p.entries[p.selected]
	return &e
}

// dirEditor is the form editing one number of the directory: Save
// (Ctrl+S), Cancel (Esc), and why a save was refused.
type dirEditor struct {
	p      *directoryPanel
	entry  sportello.DirectoryEntry // as opened
	isNew  bool
	fields map[string]*formEntry
	desk   *widget.Select
	desks  []sportello.Desk
	status *widget.Label
	save   *tipButton
	popup  *widget.PopUp
	busy   bool
}

// dirFields are the form's fields: JSON name and label.
var dirFields = [][2]string{{"name", "Name"}, {"number", "Number"}, {"group", "Group"},
	{"hours_text", "Hours (lun-ven 8:30-12:30; sab 9:00-12:00; empty: always)"}, {"note", "When to send callers here"},
	{"keywords", "Keywords (separated by commas)"}}

// dirFieldText returns a directory entry's field as the form shows it.
func dirFieldText(e *sportello.DirectoryEntry, name string) (string, bool) {
	switch name {
	case "name":
		return e.Name, false
	case "number":
		return e.Number, false
	case "group":
		return e.Group, false
	case "hours_text":
		if e.HoursText == "" && e.Hours != nil {
			return sportello.FormatHours(*e.Hours), false
		}
		return e.HoursText, false
	case "note":
		return e.Note, true
	case "keywords":
		return strings.Join(e.Keywords, ", "), false
	}
	return "", false
}

// openEditor opens the form on the chosen number.
func (p *directoryPanel) openEditor() {
	if p.s.editing() || !p.mayEdit() {
		return
	}
	e := p.selectedEntry()
	if e == nil {
		p.status.SetText(tr("Choose a number to edit first."))
		return
	}
	p.openForm(*e, false)
}

// openNew opens the form on a new number.
func (p *directoryPanel) openNew() {
	if p.s.editing() || !p.mayEdit() {
		return
	}
	p.openForm(sportello.DirectoryEntry{}, true)
}

func (p *directoryPanel) openForm(e sportello.DirectoryEntry, isNew bool) {
	ed := &dirEditor{p: p, entry: e, isNew: isNew, fields: map[string]*formEntry{}}
	title := tr("New number")
	if !isNew {
		title = tr("Edit number") + ": " + e.Name + " · " + tr("version") + " " + strconv.Itoa(e.Version)
	}
	form := container.NewVBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, f := range dirFields {
		text, multi := dirFieldText(&e, f[0])
		fe := newFormEntry(text, multi, ed.submit, ed.cancel)
		ed.fields[f[0]] = fe
		form.Add(widget.NewLabel(tr(f[1])))
		form.Add(fe)
	}
	// An internal second-level desk: its people show as available now.
	names := []string{tr("Not an internal desk")}
	ed.desks = []sportello.Desk{{}}
	for _, d := range p.s.desks {
		names, ed.desks = append(names, d.Name), append(ed.desks, d)
	}
	ed.desk = widget.NewSelect(names, nil)
	ed.desk.SetSelectedIndex(0)
	for i, d := range ed.desks {
		if d.ID == e.DeskID && e.DeskID != "" {
			ed.desk.SetSelectedIndex(i)
		}
	}
	if ed.desk.SelectedIndex() == 0 && e.DeskID != "" {
		ed.desk.Options = append(ed.desk.Options, e.DeskID)
		ed.desks = append(ed.desks, sportello.Desk{ID: e.DeskID, Name: e.DeskID})
		ed.desk.SetSelectedIndex(len(ed.desks) - 1)
	}
	form.Add(widget.NewLabel(tr("Internal desk")))
	form.Add(ed.desk)
	ed.status = widget.NewLabel(tr("Ctrl+S saves, Esc cancels."))
	ed.status.Wrapping = fyne.TextWrapWord
	ed.save = newTipButton(tr("Save"), ShortcutSave, ed.submit)
	ed.save.Importance = widget.HighImportance
	cancel := newTipButton(tr("Cancel"), shortcutEscape, ed.cancel)
	body := container.NewBorder(nil, container.NewVBox(ed.status, container.NewHBox(ed.save, cancel)), nil, nil, container.NewVScroll(form))
	ed.popup = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(640, 620), body), p.s.win.Canvas())
	p.editor = ed
	p.s.win.Canvas().AddShortcut(ShortcutSave, func(fyne.Shortcut) { ed.submit() })
	ed.popup.Show()
	p.s.win.Canvas().Focus(ed.fields["name"])
}

// close closes the form and gives Ctrl+S back to the wrap-up.
func (ed *dirEditor) close() {
	ed.popup.Hide()
	ed.p.editor = nil
	s := ed.p.s
	s.win.Canvas().AddShortcut(ShortcutSave, func(fyne.Shortcut) { s.saveWrapUp() })
	s.win.Canvas().Focus(ed.p.search)
}

func (ed *dirEditor) cancel() {
	if !ed.busy {
		ed.close()
		ed.p.status.SetText(tr("Edit cancelled: nothing was saved."))
	}
}

// read builds the entry the form holds.
func (ed *dirEditor) read() (sportello.DirectoryEntry, error) {
	e := ed.entry
	get := func(name string) string { return strings.TrimSpace(ed.fields[name].Text) }
	e.Name, e.Number, e.Group, e.Note = get("name"), compactNumber(get("number")), get("group"), get("note")
	e.Keywords = nil
	for _, k := range strings.Split(get("keywords"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			e.Keywords = append(e.Keywords, k)
		}
	}
	e.HoursText, e.Hours = get("hours_text"), nil
	if e.HoursText != "" {
		h, err := sportello.ParseHours(e.HoursText)
		if err != nil {
			return e, sportello.Errorf(sportello.EINVALID, "%s: %s", tr("Hours"), sportello.ErrorMessage(err))
		}
		e.Hours = &h
	}
	if i := ed.desk.SelectedIndex(); i >= 0 {
		e.DeskID = ed.desks[i].ID
	}
	return e, nil
}

// compactNumber drops the separators people write in a number ("+39 02
// 8845 2100" is +390288452100), as the directory stores its numbers.
func compactNumber(n string) string {
	n = strings.Map(func(r rune) rune {
		if strings.ContainsRune(" .-/()\u00a0", r) {
			return -1
		}
		return r
	}, n)
	if strings.HasPrefix(n, "00") {
		n = "+" + n[2:]
	}
	return n
}

// submit saves the form; a refusal keeps it open with everything typed.
func (ed *dirEditor) submit() {
	if ed.busy {
		return
	}
	e, err := ed.read()
	if err != nil {
		ed.status.SetText(errorText(err))
		return
	}
	p := ed.p
	p.s.saveEntryEdit(sportello.Edit{Directory: &e, Base: ed.entry.Version}, !ed.isNew,
		ed.save, ed.status, &ed.busy, func(v *sportello.EntryVersion) {
			ed.close()
			if v.Action == sportello.EditCreated && v.Directory != nil {
				p.search.SetText(v.Directory.Name) // show the new number
			}
			p.schedule()
		})
}

// retireSelected asks before retiring the chosen number.
func (p *directoryPanel) retireSelected() {
	if p.s.editing() || !p.mayEdit() {
		return
	}
	e := p.selectedEntry()
	if e == nil {
		p.status.SetText(tr("Choose a number to retire first."))
		return
	}
	confirmRetire(p.s, e.Name, func() { p.retire(*e) })
}

// retire retires e over the version it was read at.
func (p *directoryPanel) retire(e sportello.DirectoryEntry) {
	s := p.s
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
		defer cancel()
		_, err := s.cfg.Edits.SaveEdit(ctx, sportello.Edit{Directory: &sportello.DirectoryEntry{ID: e.ID}, Base: e.Version, Retire: true})
		who := ""
		if sportello.ErrorCode(err) == sportello.ECONFLICT {
			who = s.conflictText(ctx, sportello.ChangeKindDirectory, e.ID)
		}
		do(func() {
			switch {
			case who != "":
				s.message.SetText(tr("Someone else changed this first") + ": " + who + ". " + tr("Nothing was retired."))
				return
			case err != nil:
				s.message.SetText(errorText(err))
				return
			}
			s.message.SetText(tr("Retired") + ": " + e.Name)
			p.schedule()
		})
	}()
}

// toggleHistory shows every saved version of the chosen number, or hides
// the list when it shows.
func (p *directoryPanel) toggleHistory() {
	e := p.selectedEntry()
	if p.s.kb.history == nil && (e == nil || !p.mayEdit()) {
		return
	}
	if e == nil {
		e = &sportello.DirectoryEntry{}
	}
	p.s.toggleHistory(sportello.ChangeKindDirectory, e.ID, e.Name, p.status)
}
