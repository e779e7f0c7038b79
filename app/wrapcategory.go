package app

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// defaultCategory is the wrap-up's service category when the call was
// about no service of the catalogue (data, not UI text).
const defaultCategory = "Informazioni"

// newWrapCategory makes the wrap-up's service category select: the
// services of the knowledge base the desktop has seen in this call's
// searches and the categories of the caller's open cases, with
// defaultCategory first. It sits before the note, so Tab reaches it.
func (s *operatorScreen) newWrapCategory() {
	s.category = widget.NewSelect([]string{defaultCategory}, nil)
	s.category.PlaceHolder = tr("Service category")
	s.category.SetSelected(defaultCategory)
	s.category.Disable()
}

// categoryContent is the select with its label, for the wrap-up form.
func (s *operatorScreen) categoryContent() fyne.CanvasObject {
	return container.NewBorder(nil, nil, widget.NewLabel(tr("Service category")), nil, s.category)
}

// addCategory puts a service name in the select's options once, after
// defaultCategory, in alphabetical order.
func (s *operatorScreen) addCategory(name string) {
	if name == "" || slices.Contains(s.category.Options, name) {
		return
	}
	rest := append(slices.Clone(s.category.Options[1:]), name)
	slices.Sort(rest)
	s.category.Options = append([]string{defaultCategory}, rest...)
	s.category.Refresh()
}

// categoryHits adds the services among the knowledge-base hits shown.
func (s *operatorScreen) categoryHits(hits []sportello.KBHit) {
	for _, h := range hits {
		if h.Entry != nil && h.Entry.Kind == sportello.EntryService {
			s.addCategory(h.Entry.Title)
		}
	}
}

// categoryFromKB preselects the service of an entry put in the note.
func (s *operatorScreen) categoryFromKB(e *sportello.KBEntry) {
	if e == nil || e.Kind != sportello.EntryService {
		return
	}
	s.addCategory(e.Title)
	s.category.SetSelected(e.Title)
}

// categoryEnable turns the select on or off with the wrap-up form and, on,
// adds the categories of the caller's open cases.
func (s *operatorScreen) categoryEnable(on bool) {
	if !on {
		s.category.Disable()
		return
	}
	if s.card != nil {
		for _, k := range s.card.OpenCases() {
			s.addCategory(k.Category)
		}
	}
	s.category.Enable()
}

// wrapCategory is the category the wrap-up records.
func (s *operatorScreen) wrapCategory() string {
	if s.category.Selected == "" {
		return defaultCategory
	}
	return s.category.Selected
}

// categorySaved puts the select back to defaultCategory for the next call.
func (s *operatorScreen) categorySaved() {
	s.category.SetSelected(defaultCategory)
}
