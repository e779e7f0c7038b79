package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// Editing the knowledge base from the Informazioni tab (issue 6): admins
// edit any entry, specialists the entries of their desks. Ctrl+E hangs
// up and Ctrl+Shift+E rejects a waiting call, so editing takes Alt+E.
// Alt+N creates an entry and Alt+Delete retires the selected one. On the
// Rubrica tab the same keys act on the transfer directory (directoryedit.go).
var (
	ShortcutEditKB    = &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierAlt}
	ShortcutKBHistory = &desktop.CustomShortcut{KeyName: fyne.KeyH, Modifier: fyne.KeyModifierAlt}
	ShortcutNewKB     = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierAlt}
	ShortcutRetireKB  = &desktop.CustomShortcut{KeyName: fyne.KeyDelete, Modifier: fyne.KeyModifierAlt}
)

// editBar is the New, Edit, Retire and History actions under the search,
// shown to those who may edit (refreshEditBar, once signed in).
func (p *kbPanel) editBar() fyne.CanvasObject {
	edit := newTipButton(tr("Edit entry"), ShortcutEditKB, p.openEditor)
	create := newTipButton(tr("New entry"), ShortcutNewKB, p.openNew)
	retire := newTipButton(tr("Retire entry"), ShortcutRetireKB, p.retireSelected)
	hist := newTipButton(tr("Versions"), ShortcutKBHistory, p.toggleHistory)
	p.editBox = container.NewHBox(edit, create, retire, hist)
	p.refreshEditBar()
	return p.editBox
}

// refreshEditBar shows the edit actions to the users who may edit, here
// and in the Rubrica tab.
func (p *kbPanel) refreshEditBar() {
	if p.s.directory != nil {
		p.s.directory.refreshEditBar() // directoryedit.go
	}
	if p.editBox == nil {
		return
	}
	if p.mayEditAny() {
		p.editBox.Show()
	} else {
		p.editBox.Hide()
	}
}

// mayEditAny reports whether the signed-in user may edit some entry.
func (p *kbPanel) mayEditAny() bool {
	u := p.s.user
	return p.s.cfg.Edits != nil && u != nil && (u.Role == sportello.RoleAdmin || u.Role == sportello.RoleSpecialist)
}

// myDesks returns the ids of the signed-in user's desks.
func (s *operatorScreen) myDesks() []string {
	var ids []string
	for _, d := range s.desks {
		if d.Member {
			ids = append(ids, d.ID)
		}
	}
	return ids
}

// selectedEntry returns the selected search result, nil when none.
func (p *kbPanel) selectedEntry() *sportello.KBEntry {
	if p.selected >= len(p.hits) {
		return nil
	}
	e := *p.hits[p.selected].Entry
	return &e
}

// addKBEditShortcuts registers Alt+E (edit the selected entry), Alt+H
// (its history), Alt+N (a new entry) and Alt+Delete (retire the selected
// entry): on the Rubrica tab they act on the directory.
func (s *operatorScreen) addKBEditShortcuts() {
	c := s.win.Canvas()
	c.AddShortcut(ShortcutEditKB, func(fyne.Shortcut) {
		if s.directoryShowing() {
			s.directory.openEditor()
		} else {
			s.kb.openEditor()
		}
	})
	c.AddShortcut(ShortcutKBHistory, func(fyne.Shortcut) {
		if s.directoryShowing() {
			s.directory.toggleHistory()
		} else {
			s.kb.toggleHistory()
		}
	})
	c.AddShortcut(ShortcutNewKB, func(fyne.Shortcut) {
		if s.directoryShowing() {
			s.directory.openNew()
		} else {
			s.kb.openNew()
		}
	})
	c.AddShortcut(ShortcutRetireKB, func(fyne.Shortcut) {
		if s.directoryShowing() {
			s.directory.retireSelected()
		} else {
			s.kb.retireSelected()
		}
	})
}

// editing reports whether an edit form of the knowledge base or of the
// directory is open.
func (s *operatorScreen) editing() bool {
	return s.kb.editor != nil || (s.directory != nil && s.directory.editor != nil)
}

// conflictText says who saved the entry since the editor read it, and
// when, in the desktop's words and time; "" when the history does not say.
func (s *operatorScreen) conflictText(ctx context.Context, kind, id string) string {
	hist, err := s.cfg.Edits.History(ctx, kind, id)
	if err != nil || len(hist) == 0 {
		return ""
	}
	last := hist[len(hist)-1]
	if last.Action == sportello.EditRetired {
		return fmt.Sprintf(tr("%s retired it on %s"), last.Author, s.date(last.At))
	}
	return fmt.Sprintf(tr("%s changed it on %s (version %d)"), last.Author, s.date(last.At), last.Version)
}

// catalogOnChange refreshes the Informazioni and Rubrica results when an
// edit of the knowledge base or of the directory arrives: the desktop's
// client has put it in the replica already.
func (s *operatorScreen) catalogOnChange(ch sportello.Change) {
	switch ch.Kind {
	case sportello.ChangeKindKB:
		if strings.TrimSpace(s.kb.search.Text) != "" {
			s.kb.schedule()
		}
	case sportello.ChangeKindDirectory:
		if s.directory != nil {
			s.directory.schedule()
		}
	}
}

// formEntry is a field of the edit form: Ctrl+S saves and Esc cancels
// while it has the focus, instead of the screen's Ctrl+S (save wrap-up).
type formEntry struct {
	widget.Entry
	onSave, onCancel func()
}

func newFormEntry(text string, multiLine bool, save, cancel func()) *formEntry {
	e := &formEntry{onSave: save, onCancel: cancel}
	e.MultiLine = multiLine
	if multiLine {
		e.Wrapping = fyne.TextWrapWord
	}
	e.ExtendBaseWidget(e)
	e.SetText(text)
	if multiLine {
		e.SetMinRowsVisible(3)
	}
	return e
}

// TypedShortcut saves on Ctrl+S; other shortcuts go to the entry.
func (e *formEntry) TypedShortcut(s fyne.Shortcut) {
	if s.ShortcutName() == ShortcutSave.ShortcutName() {
		e.onSave()
		return
	}
	e.Entry.TypedShortcut(s)
}

// TypedKey cancels on Esc; other keys go to the entry.
func (e *formEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape {
		e.onCancel()
		return
	}
	e.Entry.TypedKey(k)
}

// kbEditor is the form editing one entry: its structured fields by kind,
// Save (Ctrl+S), Cancel (Esc), and why a save was refused.
type kbEditor struct {
	p         *kbPanel
	entry     sportello.KBEntry // as opened
	isNew     bool
	kind      *widget.Select // a new entry's kind; nil when editing
	built     sportello.EntryKind
	fieldsBox *fyne.Container
	fields    map[string]*formEntry
	order     []string
	owner     *widget.Select
	owners    []sportello.Desk
	status    *widget.Label
	save      *tipButton
	popup     *widget.PopUp
	busy      bool
}

// editFields are the form's fields by kind: JSON name and label.
var editFields = map[sportello.EntryKind][][2]string{
	sportello.EntryService: {{"title", "Title"}, {"summary", "Summary"}, {"who", "Who"}, {"documents", "What to bring (one a line)"},
		{"cost", "Cost"}, {"how_to", "How"}, {"link", "Link"}, {"keywords", "Keywords (separated by commas)"}, {"body", "Full text"}},
	sportello.EntryOffice: {{"title", "Title"}, {"summary", "Summary"}, {"address", "Address"}, {"phone", "Phone"},
		{"hours_text", "Hours"}, {"hours", "Hours for open now (lun-ven 8:30-12:30; sab 9:00-12:00)"}, {"link", "Link"},
		{"keywords", "Keywords (separated by commas)"}, {"body", "Full text"}},
	sportello.EntryAnswer: {{"title", "Title"}, {"summary", "Summary"}, {"link", "Link"}, {"keywords", "Keywords (separated by commas)"}, {"body", "Full text"}},
}

// fieldText returns an entry's field as the form shows it.
func fieldText(e *sportello.KBEntry, name string) (string, bool) {
	switch name {
	case "title":
		return e.Title, false
	case "summary":
		return e.Summary, true
	case "who":
		return e.Who, false
	case "documents":
		return strings.Join(e.Documents, "\n"), true
	case "cost":
		return e.Cost, false
	case "how_to":
		return e.HowTo, true
	case "link":
		return e.Link, false
	case "keywords":
		return strings.Join(e.Keywords, ", "), false
	case "address":
		return e.Address, false
	case "phone":
		return e.Phone, false
	case "hours_text":
		return e.HoursText, false
	case "hours":
		if e.Hours == nil {
			return "", false
		}
		return sportello.FormatHours(*e.Hours), false
	case "body":
		return e.Body, true
	}
	return "", false
}

// openEditor opens the form on the selected entry, when the user may edit it.
func (p *kbPanel) openEditor() {
	if p.s.editing() || !p.mayEditAny() {
		return
	}
	e := p.selectedEntry()
	if e == nil {
		p.say(tr("Choose an entry to edit first."))
		return
	}
	if !sportello.MayEditKB(p.s.user, p.s.myDesks(), e) {
		p.say(tr("You may edit only the entries of your desks."))
		return
	}
	p.openForm(*e, false)
}

// openNew opens the form on a new entry (a free-form answer unless the
// kind is changed); a specialist's entry is owned by one of their desks.
func (p *kbPanel) openNew() {
	if p.s.editing() || !p.mayEditAny() {
		return
	}
	e := sportello.KBEntry{Kind: sportello.EntryAnswer}
	if p.s.user.Role != sportello.RoleAdmin {
		mine := p.s.myDesks()
		if len(mine) == 0 {
			p.say(tr("You may create entries only for your desks, and you belong to none."))
			return
		}
		e.OwnerDesk = mine[0]
	}
	p.openForm(e, true)
}

// entryKinds are the kinds a new entry may have, in the form's order.
var entryKinds = []sportello.EntryKind{sportello.EntryAnswer, sportello.EntryService, sportello.EntryOffice}

// openForm opens the edit form on e; isNew adds the choice of its kind.
func (p *kbPanel) openForm(e sportello.KBEntry, isNew bool) {
	ed := &kbEditor{p: p, entry: e, isNew: isNew, fields: map[string]*formEntry{}, fieldsBox: container.NewVBox()}
	title := tr("Edit entry") + ": " + e.Title + " · " + kindText(e.Kind) + " · " + tr("version") + " " + strconv.Itoa(e.Version)
	if isNew {
		title = tr("New entry")
	}
	form := container.NewVBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	if isNew {
		var names []string
		for _, k := range entryKinds {
			names = append(names, kindText(k))
		}
		ed.kind = widget.NewSelect(names, func(string) {
			if i := ed.kind.SelectedIndex(); i >= 0 {
				ed.build(entryKinds[i])
			}
		})
		form.Add(widget.NewLabel(tr("Kind")))
		form.Add(ed.kind)
	}
	form.Add(ed.fieldsBox)
	ed.build(e.Kind)
	if ed.kind != nil {
		ed.kind.SetSelectedIndex(0)
	}
	// The owner desk: admins choose any, specialists one of theirs.
	var names []string
	if p.s.user.Role == sportello.RoleAdmin {
		names = append(names, tr("No owner desk"))
		ed.owners = append(ed.owners, sportello.Desk{})
	}
	for _, d := range p.s.desks {
		if p.s.user.Role == sportello.RoleAdmin || d.Member {
			names, ed.owners = append(names, d.Name), append(ed.owners, d)
		}
	}
	ed.owner = widget.NewSelect(names, nil)
	for i, d := range ed.owners {
		if d.ID == e.OwnerDesk {
			ed.owner.SetSelectedIndex(i)
		}
	}
	if ed.owner.SelectedIndex() < 0 && e.OwnerDesk != "" {
		// A desk the list does not know (not loaded yet): keep it.
		ed.owner.Options = append(ed.owner.Options, e.OwnerDesk)
		ed.owners = append(ed.owners, sportello.Desk{ID: e.OwnerDesk, Name: e.OwnerDesk})
		ed.owner.SetSelectedIndex(len(ed.owners) - 1)
	}
	form.Add(widget.NewLabel(tr("Owner desk")))
	form.Add(ed.owner)
	ed.status = widget.NewLabel(tr("Ctrl+S saves, Esc cancels."))
	ed.status.Wrapping = fyne.TextWrapWord
	ed.save = newTipButton(tr("Save"), ShortcutSave, ed.submit)
	ed.save.Importance = widget.HighImportance
	cancel := newTipButton(tr("Cancel"), shortcutEscape, ed.cancel)
	body := container.NewBorder(nil, container.NewVBox(ed.status, container.NewHBox(ed.save, cancel)), nil, nil, container.NewVScroll(form))
	ed.popup = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(640, 620), body), p.s.win.Canvas())
	p.editor = ed
	// While the form is open Ctrl+S saves it, not the wrap-up.
	p.s.win.Canvas().AddShortcut(ShortcutSave, func(fyne.Shortcut) { ed.submit() })
	ed.popup.Show()
	p.s.win.Canvas().Focus(ed.fields["title"])
}

// build shows the fields of kind, keeping what was typed in the fields
// that kind has too.
func (ed *kbEditor) build(kind sportello.EntryKind) {
	if ed.built == kind && len(ed.fields) > 0 {
		return
	}
	old := ed.fields
	ed.built, ed.entry.Kind = kind, kind
	ed.fields, ed.order = map[string]*formEntry{}, nil
	ed.fieldsBox.RemoveAll()
	for _, f := range editFields[kind] {
		text, multi := fieldText(&ed.entry, f[0])
		if o, ok := old[f[0]]; ok {
			text = o.Text
		}
		fe := newFormEntry(text, multi, ed.submit, ed.cancel)
		ed.fields[f[0]], ed.order = fe, append(ed.order, f[0])
		ed.fieldsBox.Add(widget.NewLabel(tr(f[1])))
		ed.fieldsBox.Add(fe)
	}
}

// shortcutEscape is Esc as the Cancel button's tooltip shows it.
var shortcutEscape = &desktop.CustomShortcut{KeyName: fyne.KeyEscape}

// close closes the form and gives Ctrl+S back to the wrap-up.
func (ed *kbEditor) close() {
	ed.popup.Hide()
	ed.p.editor = nil
	s := ed.p.s
	s.win.Canvas().AddShortcut(ShortcutSave, func(fyne.Shortcut) { s.saveWrapUp() })
	s.win.Canvas().Focus(ed.p.search)
}

func (ed *kbEditor) cancel() {
	if !ed.busy {
		ed.close()
		ed.p.say(tr("Edit cancelled: nothing was saved."))
	}
}

// read builds the entry the form holds.
func (ed *kbEditor) read() (sportello.KBEntry, error) {
	e := ed.entry
	get := func(name string) string {
		if f, ok := ed.fields[name]; ok {
			return strings.TrimSpace(f.Text)
		}
		return ""
	}
	has := func(name string) bool { _, ok := ed.fields[name]; return ok }
	list := func(s, sep string) []string {
		var out []string
		for _, it := range strings.Split(s, sep) {
			if it = strings.TrimSpace(it); it != "" {
				out = append(out, it)
			}
		}
		return out
	}
	e.Title, e.Summary, e.Link, e.Body = get("title"), get("summary"), get("link"), get("body")
	e.Keywords = list(get("keywords"), ",")
	if has("who") {
		e.Who, e.Cost, e.HowTo = get("who"), get("cost"), get("how_to")
		e.Documents = list(get("documents"), "\n")
	}
	if has("address") {
		e.Address, e.Phone, e.HoursText = get("address"), get("phone"), get("hours_text")
		e.Hours = nil
		if h := get("hours"); h != "" {
			parsed, err := sportello.ParseHours(h)
			if err != nil {
				return e, sportello.Errorf(sportello.EINVALID, "%s: %s", tr("Hours for open now"), sportello.ErrorMessage(err))
			}
			e.Hours = &parsed
		}
	}
	if i := ed.owner.SelectedIndex(); i >= 0 {
		e.OwnerDesk = ed.owners[i].ID
	}
	return e, nil
}

// submit saves the form; a refusal keeps it open with everything typed.
func (ed *kbEditor) submit() {
	if ed.busy {
		return
	}
	e, err := ed.read()
	if err != nil {
		ed.status.SetText(errorText(err))
		return
	}
	p := ed.p
	p.s.saveEntryEdit(sportello.Edit{KB: &e, Base: ed.entry.Version}, true,
		ed.save, ed.status, &ed.busy, func(v *sportello.EntryVersion) {
			ed.close()
			switch {
			case v.Action == sportello.EditUnchanged:
				p.say(tr("Nothing changed."))
			case v.Action == sportello.EditCreated:
				// Show the new entry: search its title.
				p.search.SetText(v.KB.Title)
				p.say(tr("Created") + ": " + v.KB.Title + " (" + kindText(v.KB.Kind) + ")")
			default:
				p.say(tr("Saved") + ": " + v.KB.Title + " (" + tr("version") + " " + strconv.Itoa(v.Version) + ")")
			}
			p.schedule()
		})
}

// saveEntryEdit saves a KB or directory edit off Fyne's goroutine for a
// form with its Save button, status line and busy flag: a refusal keeps
// the form open with everything typed and says why (for a stale edit, who
// saved first when explainConflict), and saved runs with the stored version.
func (s *operatorScreen) saveEntryEdit(edit sportello.Edit, explainConflict bool, save *tipButton, status *widget.Label, busy *bool, saved func(*sportello.EntryVersion)) {
	kind, id := sportello.ChangeKindKB, ""
	if edit.Directory != nil {
		kind, id = sportello.ChangeKindDirectory, edit.Directory.ID
	} else if edit.KB != nil {
		id = edit.KB.ID
	}
	*busy = true
	save.Disable()
	status.SetText(tr("Saving..."))
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
		defer cancel()
		v, err := s.cfg.Edits.SaveEdit(ctx, edit)
		who := ""
		if explainConflict && sportello.ErrorCode(err) == sportello.ECONFLICT {
			who = s.conflictText(ctx, kind, id)
		}
		do(func() {
			*busy = false
			save.Enable()
			switch {
			case who != "":
				status.SetText(tr("Someone else changed this first") + ": " + who + ". " +
					tr("Your text is still here: copy what you need, cancel, and open the entry again."))
			case err != nil:
				status.SetText(errorText(err))
			default:
				saved(v)
			}
		})
	}()
}

// toggleHistory shows every saved version of the selected entry, or hides
// the list when it shows.
func (p *kbPanel) toggleHistory() {
	e := p.selectedEntry()
	if e == nil && p.history == nil {
		return
	}
	if e == nil {
		e = &sportello.KBEntry{}
	}
	p.s.toggleHistory(sportello.ChangeKindKB, e.ID, e.Title, p.status)
}

// toggleHistory shows every saved version of the entry id of kind, titled
// title, or hides the list when it shows; status says why it could not.
func (s *operatorScreen) toggleHistory(kind, id, title string, status *widget.Label) {
	p := s.kb
	if p.history != nil {
		p.history.Hide()
		p.history = nil
		return
	}
	if s.cfg.Edits == nil || id == "" {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		defer cancel()
		hist, err := s.cfg.Edits.History(ctx, kind, id)
		do(func() {
			if err != nil {
				status.SetText(errorText(err))
				return
			}
			var b strings.Builder
			b.WriteString(tr("Versions") + ": " + title + "\n")
			if len(hist) == 0 {
				b.WriteString("\n" + tr("Never edited since it was loaded."))
			}
			for i := len(hist) - 1; i >= 0; i-- {
				v := hist[i]
				fmt.Fprintf(&b, "\n%s %d · %s · %s · %s", tr("version"), v.Version, s.date(v.At), v.Author, actionText(v.Action))
				if len(v.Changed) > 0 && v.Action == sportello.EditUpdated {
					var names []string
					for _, f := range v.Changed {
						names = append(names, fieldName(f))
					}
					b.WriteString(": " + strings.Join(names, ", "))
				}
			}
			label := widget.NewLabel(b.String())
			label.Wrapping = fyne.TextWrapWord
			closeBtn := newTipButton(tr("Close"), ShortcutKBHistory, p.toggleHistory)
			box := container.NewBorder(nil, closeBtn, nil, nil, container.NewVScroll(label))
			p.history = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(560, 420), box), s.win.Canvas())
			p.history.Show()
		})
	}()
}

func actionText(a sportello.EditAction) string {
	switch a {
	case sportello.EditCreated:
		return tr("created")
	case sportello.EditUpdated:
		return tr("changed")
	case sportello.EditRetired:
		return tr("retired")
	}
	return string(a)
}

// fieldName is a field's label for the history, from its JSON name.
func fieldName(f string) string {
	for _, fields := range editFields {
		for _, x := range fields {
			if x[0] == f {
				return strings.ToLower(tr(x[1]))
			}
		}
	}
	for _, x := range dirFields {
		if x[0] == f {
			return strings.ToLower(tr(x[1]))
		}
	}
	switch f {
	case "owner_desk":
		return strings.ToLower(tr("Owner desk"))
	case "desk_id":
		return strings.ToLower(tr("Internal desk"))
	}
	return f
}

// retireSelected asks before retiring the selected entry: it leaves the
// search of every desktop, its history stays.
func (p *kbPanel) retireSelected() {
	if p.s.editing() || !p.mayEditAny() {
		return
	}
	e := p.selectedEntry()
	if e == nil {
		p.say(tr("Choose an entry to retire first."))
		return
	}
	if !sportello.MayEditKB(p.s.user, p.s.myDesks(), e) {
		p.say(tr("You may retire only the entries of your desks."))
		return
	}
	confirmRetire(p.s, e.Title, func() { p.retire(*e) })
}

// confirmRetire asks whether to retire the entry titled title, and calls
// retire when the user confirms.
func confirmRetire(s *operatorScreen, title string, retire func()) {
	d := dialog.NewConfirm(tr("Retire entry"),
		fmt.Sprintf(tr("Retire %q? It leaves the search of every desktop; its history stays."), title),
		func(ok bool) {
			if ok {
				retire()
			}
		}, s.win)
	d.SetConfirmText(tr("Yes, retire"))
	d.SetDismissText(tr("Cancel"))
	d.Show()
}

// retire retires e over the version it was read at.
func (p *kbPanel) retire(e sportello.KBEntry) {
	s := p.s
	p.say(tr("Saving..."))
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
		defer cancel()
		_, err := s.cfg.Edits.SaveEdit(ctx, sportello.Edit{KB: &sportello.KBEntry{ID: e.ID, Kind: e.Kind}, Base: e.Version, Retire: true})
		who := ""
		if sportello.ErrorCode(err) == sportello.ECONFLICT {
			who = s.conflictText(ctx, sportello.ChangeKindKB, e.ID)
		}
		do(func() {
			switch {
			case who != "":
				p.say(tr("Someone else changed this first") + ": " + who + ". " + tr("Nothing was retired."))
				return
			case err != nil:
				p.say(errorText(err))
				return
			}
			p.schedule()
			p.say(tr("Retired") + ": " + e.Title)
		})
	}()
}
