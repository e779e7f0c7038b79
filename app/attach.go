package app

import (
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// ShortcutAttach moves the wrap-up's choice through "new case" and the
// caller's open cases (issue 5): the call is then recorded on that case.
var ShortcutAttach = &desktop.CustomShortcut{KeyName: fyne.KeyA, Modifier: fyne.KeyModifierAlt}

// attachPicker is the wrap-up's "attach to case <ref>" choice: the caller's
// open cases, those on the service of the call first, then the most
// recently updated; none chosen opens a new case as before.
type attachPicker struct {
	s *operatorScreen

	box    *fyne.Container
	choice *widget.Label
	hint   *widget.Label
	btn    *tipButton

	// State, touched only on Fyne's goroutine.
	cases    []*sportello.Case // the offer, in order
	selected string            // the chosen case's id; "" a new case
}

// newAttach builds the picker; it stays hidden while the caller has no open case.
func (s *operatorScreen) newAttach() {
	a := &attachPicker{s: s}
	a.choice = widget.NewLabel("")
	a.hint = widget.NewLabel("")
	a.hint.Wrapping = fyne.TextWrapWord
	a.btn = newTipButton(tr("Attach to an open case"), ShortcutAttach, a.next)
	a.box = container.NewVBox(a.choice, a.hint, a.btn)
	a.box.Hide()
	s.attach = a
	a.render()
}

// attachContent is the picker's place in the wrap-up form.
func (s *operatorScreen) attachContent() fyne.CanvasObject { return s.attach.box }

// attachMenuItems are the picker's entries in the Chiamata menu, so that
// its key works while the note has the focus.
func (s *operatorScreen) attachMenuItems(item func(string, fyne.Shortcut, func()) *fyne.MenuItem) []*fyne.MenuItem {
	return []*fyne.MenuItem{item(tr("Attach to an open case"), ShortcutAttach, s.attach.next)}
}

// addAttachShortcuts registers the picker's key on the window.
func (s *operatorScreen) addAttachShortcuts() {
	s.win.Canvas().AddShortcut(ShortcutAttach, func(fyne.Shortcut) { s.attach.next() })
}

// attachFill records the wrap-up on the chosen open case, unless a
// callback or an appointment already named the case.
func (s *operatorScreen) attachFill(w *sportello.WrapUp) {
	a := s.attach
	if a == nil || a.selected == "" || w.CaseID != "" || w.NewCaseID != "" {
		return
	}
	for _, k := range a.cases {
		if k.ID == a.selected && !k.Pending {
			w.CaseID = k.ID
			return
		}
	}
}

// attachSaved forgets the choice once the wrap-up is recorded.
func (s *operatorScreen) attachSaved() {
	if s.attach != nil {
		s.attach.selected = ""
		s.attach.render()
	}
}

// attachRender refreshes the offer from the card on screen.
func (s *operatorScreen) attachRender() {
	if s.attach != nil {
		s.attach.render()
	}
}

// next chooses the following option: new case, then each open case in order.
func (a *attachPicker) next() {
	if a.s.wrapFor == nil || len(a.cases) == 0 {
		return
	}
	i := -1
	for j, k := range a.cases {
		if k.ID == a.selected {
			i = j
		}
	}
	if i+1 < len(a.cases) {
		a.selected = a.cases[i+1].ID
	} else {
		a.selected = ""
	}
	a.render()
}

// services are the names of the services the call was about: the
// knowledge-base entries put in the note.
func (a *attachPicker) services() map[string]bool {
	names := map[string]bool{}
	if a.s.kb == nil {
		return names
	}
	for _, h := range a.s.kb.hits {
		if h.Entry != nil && indexOf(a.s.usedKB, h.Entry.ID) >= 0 {
			names[h.Entry.Title] = true
		}
	}
	return names
}

func (a *attachPicker) render() {
	card := a.s.card
	a.cases = nil
	if card != nil && card.Citizen != nil {
		for _, k := range card.OpenCases() {
			if !k.Pending { // a case not yet on syncd cannot take another call
				a.cases = append(a.cases, k)
			}
		}
	}
	same := a.services()
	sort.SliceStable(a.cases, func(i, j int) bool {
		si, sj := same[a.cases[i].Category], same[a.cases[j].Category]
		if si != sj {
			return si
		}
		return a.cases[i].UpdatedAt.After(a.cases[j].UpdatedAt)
	})
	found := false
	for _, k := range a.cases {
		found = found || k.ID == a.selected
	}
	if !found {
		a.selected = ""
	}
	if len(a.cases) == 0 {
		a.box.Hide()
		return
	}
	a.box.Show()
	if a.selected == "" {
		a.choice.SetText(tr("Record on") + ": " + tr("a new case"))
	} else {
		for _, k := range a.cases {
			if k.ID == a.selected {
				a.choice.SetText(tr("Record on") + ": " + attachText(k))
			}
		}
	}
	first := a.cases[0]
	if same[first.Category] {
		a.hint.SetText(tr("Open case on the same service") + ": " + attachText(first))
	} else {
		a.hint.SetText(tr("The caller has open cases") + ": " + shortcutText(ShortcutAttach))
	}
}

// attachText names an open case the operator may attach the call to.
func attachText(k *sportello.Case) string {
	return tr("attach to case") + " " + shortID(k.ID) + " · " + k.Category
}
