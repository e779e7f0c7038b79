package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// defaultCategory is the wrap-up's service category when the call was
// about no service of the catalogue (data, not UI text).
const defaultCategory = "Informazioni"

// catalogStale is how old the service catalogue read from the replica may
// be when a wrap-up starts: the knowledge base is copied after sign-in and
// edits reach it live, so it is read again now and then.
const catalogStale = 5 * time.Minute

// maxCategoryOptions bounds the select's options: a catalogue of
// thousands of services is narrowed by typing, not scrolled.
const maxCategoryOptions = 200

// categoryOption is one service the picker may offer.
type categoryOption struct {
	name   string // the category recorded
	label  string // shown: the name and its desk
	folded string // label, folded for the filter
}

// categoryPicker is the wrap-up's service category: a filter typed before
// the select narrows it, the select offers defaultCategory first, then
// the services met (in this desktop's searches and the caller's open
// cases), then every other active service of the catalogue, each with
// its desk. Touched only on Fyne's goroutine.
type categoryPicker struct {
	filter  *widget.Entry
	met     []string            // services met, in alphabetical order
	catalog []sportello.KBEntry // the whole catalogue (sportello.ServiceCatalog), by title
	readAt  time.Time           // when catalog was read
	reading bool
	all     []categoryOption  // in the order offered; built by categoryBuild
	names   map[string]string // option label -> category name
}

// newWrapCategory makes the wrap-up's service category select and its
// type-ahead filter. They sit before the note, so Tab reaches them.
func (s *operatorScreen) newWrapCategory() {
	p := &categoryPicker{names: map[string]string{}}
	s.cats = p
	s.category = widget.NewSelect([]string{defaultCategory}, nil)
	s.category.PlaceHolder = tr("Service category")
	s.category.SetSelected(defaultCategory)
	s.category.Disable()
	p.filter = widget.NewEntry()
	p.filter.SetPlaceHolder(tr("Type to filter the services"))
	p.filter.OnChanged = func(string) { s.categoryOptions() }
	p.filter.OnSubmitted = func(string) { s.win.Canvas().Focus(s.category) }
	p.filter.Disable()
}

// categoryContent is the filter and the select with their label, for the
// wrap-up form.
func (s *operatorScreen) categoryContent() fyne.CanvasObject {
	return container.NewBorder(nil, nil, widget.NewLabel(tr("Service category")), nil,
		container.NewGridWithColumns(2, s.cats.filter, s.category))
}

// addCategory counts a service name as met in this desktop's calls: it
// comes right after defaultCategory.
func (s *operatorScreen) addCategory(name string) {
	p := s.cats
	if name == "" || name == defaultCategory || slices.Contains(p.met, name) {
		return
	}
	p.met = append(p.met, name)
	slices.Sort(p.met)
	s.categoryBuild()
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
	s.cats.filter.SetText("")
	s.categorySelect(e.Title)
}

// categorySelect selects the option of a category name.
func (s *operatorScreen) categorySelect(name string) {
	for _, o := range s.category.Options {
		if s.cats.names[o] == name {
			s.category.SetSelected(o)
			return
		}
	}
}

// categoryBuild orders what the picker may offer: defaultCategory, the
// services met, then the rest of the catalogue, each labelled with its
// desk; then it applies the filter.
func (s *operatorScreen) categoryBuild() {
	p := s.cats
	deskName := map[string]string{}
	for _, d := range s.desks {
		deskName[d.ID] = d.Name
	}
	desk := map[string]string{} // service -> its desk's name
	for _, e := range p.catalog {
		if n := deskName[e.OwnerDesk]; n != "" {
			desk[e.Title] = n
		}
	}
	seen := map[string]bool{}
	p.all = p.all[:0]
	add := func(name string) {
		if name == "" || seen[name] {
			return
		}
		seen[name] = true
		label := name
		if d := desk[name]; d != "" {
			label += " · " + d
		}
		p.all = append(p.all, categoryOption{name: name, label: label, folded: foldCategory(label)})
	}
	add(defaultCategory)
	for _, name := range p.met {
		add(name)
	}
	for _, e := range p.catalog {
		add(e.Title)
	}
	s.categoryOptions()
}

// categoryOptions gives the select the options the filter matches (at
// most maxCategoryOptions), keeping the category chosen when it is still
// offered, else choosing the first offered.
func (s *operatorScreen) categoryOptions() {
	p := s.cats
	typed := foldCategory(p.filter.Text)
	chosen := s.wrapCategory()
	p.names = map[string]string{}
	var options []string
	for _, o := range p.all {
		if len(options) == maxCategoryOptions {
			break
		}
		if typed != "" && !strings.Contains(o.folded, typed) {
			continue
		}
		p.names[o.label] = o.name
		options = append(options, o.label)
	}
	if len(options) == 0 {
		p.names[defaultCategory] = defaultCategory
		options = []string{defaultCategory}
	}
	s.category.Options = options
	s.category.Refresh()
	for _, o := range options {
		if p.names[o] == chosen {
			s.category.SetSelected(o)
			return
		}
	}
	s.category.SetSelected(options[0])
}

// categoryFolder folds Italian accents and apostrophes, for the filter.
var categoryFolder = strings.NewReplacer("à", "a", "è", "e", "é", "e", "ì", "i", "ò", "o", "ù", "u", "'", " ", "’", " ")

// foldCategory folds case and Italian accents, for the filter.
func foldCategory(s string) string {
	return categoryFolder.Replace(strings.ToLower(strings.TrimSpace(s)))
}

// categoryEnable turns the picker on or off with the wrap-up form and, on,
// adds the categories of the caller's open cases and reads the catalogue
// again when it is stale.
func (s *operatorScreen) categoryEnable(on bool) {
	if !on {
		s.category.Disable()
		s.cats.filter.Disable()
		return
	}
	if s.card != nil {
		for _, k := range s.card.OpenCases() {
			s.addCategory(k.Category)
		}
	}
	s.categoryBuild() // the desks' names may have come since
	s.category.Enable()
	s.cats.filter.Enable()
	s.categoryRead()
}

// categoryRead reads the service catalogue off Fyne's goroutine when the
// KB service holds one and the copy shown is stale.
func (s *operatorScreen) categoryRead() {
	p := s.cats
	sc, ok := s.cfg.KB.(sportello.ServiceCatalog)
	if !ok || p.reading || (len(p.catalog) > 0 && s.cfg.Now().Sub(p.readAt) < catalogStale) {
		return
	}
	p.reading = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		defer cancel()
		services, err := sc.Services(ctx)
		do(func() {
			p.reading = false
			if err != nil {
				s.cfg.Logger.Warn("read the service catalogue", "error", err)
				return
			}
			p.catalog, p.readAt = services, s.cfg.Now()
			s.categoryBuild()
		})
	}()
}

// wrapCategory is the category the wrap-up records.
func (s *operatorScreen) wrapCategory() string {
	if s.category.Selected == "" {
		return defaultCategory
	}
	if name, ok := s.cats.names[s.category.Selected]; ok {
		return name
	}
	return s.category.Selected
}

// categorySaved puts the picker back to defaultCategory for the next call.
func (s *operatorScreen) categorySaved() {
	s.cats.filter.SetText("")
	s.categorySelect(defaultCategory)
}
