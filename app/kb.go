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

// kbPanel is the knowledge base at the operator's fingertips: search as
// you type, the office's state now, one key to put the answer in the note.
type kbPanel struct {
	s        *operatorScreen
	search   *widget.Entry
	results  *fyne.Container
	details  *widget.Label
	status   *widget.Label
	hits     []sportello.KBHit
	selected int
	find     *typeahead[[]sportello.KBHit]
	editor   *kbEditor     // the open edit form, nil when none (kbedit.go)
	notice   string        // what an edit said; kept over refreshes bringing the same results
	history  *widget.PopUp // the open history, nil when none
	editBox  *fyne.Container
}

func newKBPanel(s *operatorScreen) *kbPanel {
	p := &kbPanel{s: s, results: container.NewVBox()}
	p.find = &typeahead[[]sportello.KBHit]{
		ctx:   s.ctx,
		delay: 120 * time.Millisecond,
		search: func(ctx context.Context, typed string) ([]sportello.KBHit, error) {
			if s.cfg.KB == nil {
				return nil, nil
			}
			return s.cfg.KB.SearchKB(ctx, typed, 12)
		},
		show: func(hits []sportello.KBHit, err error) {
			if err != nil {
				p.status.SetText(errorText(err))
				return
			}
			if !sameHits(p.hits, hits) {
				p.notice = "" // new results: what an edit said is old news
			}
			p.hits, p.selected = hits, 0
			p.s.categoryHits(hits) // wrapcategory.go
			p.render()
		},
	}
	p.search = widget.NewEntry()
	p.search.SetPlaceHolder(tr("Search services, offices, answers") + " (" + shortcutText(ShortcutKB) + ")")
	p.search.OnChanged = func(string) { p.notice = ""; p.schedule() }
	p.search.OnSubmitted = func(string) { p.insert() }
	p.details = widget.NewLabel("")
	p.details.Wrapping = fyne.TextWrapWord
	p.status = widget.NewLabel(tr("Type what the citizen asks: results appear as you type."))
	p.status.Wrapping = fyne.TextWrapWord
	return p
}

func (p *kbPanel) content() fyne.CanvasObject {
	head := container.NewVBox(p.search, p.editBar(), p.status) // editBar: kbedit.go
	body := container.NewVBox(p.results, widget.NewSeparator(), p.details)
	return container.NewBorder(head, nil, nil, nil, container.NewVScroll(body))
}

// say shows what an edit, a save or a refusal came to, and keeps it
// shown while a refresh brings the same results (a search that ends late
// would otherwise hide it) until the user types.
func (p *kbPanel) say(text string) {
	p.notice = text
	p.status.SetText(text)
}

// schedule searches for what is typed, shortly after the last key.
func (p *kbPanel) schedule() { p.find.schedule(p.search.Text) }

func (p *kbPanel) render() {
	p.results.RemoveAll()
	switch {
	case p.notice != "":
		p.status.SetText(p.notice) // a search finishing late does not hide it
	case strings.TrimSpace(p.search.Text) == "":
		p.status.SetText(tr("Type what the citizen asks: results appear as you type."))
	case len(p.hits) == 0:
		p.status.SetText(tr("Nothing found: try other words."))
	default:
		p.status.SetText(tr("Alt+Down/Alt+Up choose, Enter or Ctrl+I puts the answer in the note."))
	}
	for i, h := range p.hits {
		title := markdownMarks(h.Title)
		if i == p.selected {
			title = "▶ " + title
		}
		line := "**" + title + "** · " + kindText(h.Entry.Kind)
		if st := p.officeState(h.Entry); st != "" {
			line += " · " + st
		}
		rt := widget.NewRichTextFromMarkdown(line + "\n\n" + markdownMarks(h.Snippet))
		rt.Wrapping = fyne.TextWrapWord
		p.results.Add(rt)
	}
	p.showDetails()
}

func (p *kbPanel) showDetails() {
	if p.selected >= len(p.hits) {
		p.details.SetText("")
		return
	}
	e := p.hits[p.selected].Entry
	var b strings.Builder
	b.WriteString(e.Title + "\n" + e.Summary + "\n")
	add := func(label, v string) {
		if v != "" {
			b.WriteString("\n" + tr(label) + ": " + v)
		}
	}
	add("Who", e.Who)
	if len(e.Documents) > 0 {
		add("What to bring", strings.Join(e.Documents, "; "))
	}
	add("Cost", e.Cost)
	add("How", e.HowTo)
	add("Address", e.Address)
	add("Phone", displayNumber(e.Phone))
	add("Hours", e.HoursText)
	if st := p.officeState(e); st != "" {
		add("Now", st)
	}
	add("Link", e.Link)
	if !e.ReviewedAt.IsZero() {
		add("Reviewed", e.ReviewedAt.In(p.s.cfg.Location).Format("02/01/2006"))
	}
	p.details.SetText(b.String())
}

// officeState says "open until 12:30", "opens at 14:00" or "closed today
// (holiday)" for an office, "" for other entries.
func (p *kbPanel) officeState(e *sportello.KBEntry) string {
	if e.Hours == nil {
		return ""
	}
	now := p.s.cfg.Now()
	st := e.Hours.StateAt(now, p.s.cfg.Location, p.s.cfg.Calendar)
	loc := p.s.cfg.Location
	switch {
	case st.Open:
		return "● " + tr("open now until") + " " + st.Until.In(loc).Format("15:04")
	case st.Holiday != "":
		text := tr("closed today") + " (" + st.Holiday + ")"
		if !st.Next.IsZero() {
			text += " · " + tr("opens") + " " + p.when(st.Next, now)
		}
		return text
	case !st.Next.IsZero():
		return tr("closed") + " · " + tr("opens") + " " + p.when(st.Next, now)
	}
	return tr("closed")
}

// when says "at 14:00" today, or "Monday 26/11 at 08:30".
func (p *kbPanel) when(t, now time.Time) string {
	loc := p.s.cfg.Location
	t, now = t.In(loc), now.In(loc)
	if t.YearDay() == now.YearDay() && t.Year() == now.Year() {
		return tr("at") + " " + t.Format("15:04")
	}
	return tr(t.Weekday().String()) + " " + t.Format("02/01") + " " + tr("at") + " " + t.Format("15:04")
}

func (p *kbPanel) move(delta int) {
	if len(p.hits) == 0 {
		return
	}
	p.selected = (p.selected + delta + len(p.hits)) % len(p.hits)
	p.render()
}

// insert puts the selected answer into the wrap-up note and remembers that
// it served this call.
func (p *kbPanel) insert() {
	if p.selected >= len(p.hits) {
		return
	}
	e := p.hits[p.selected].Entry
	note := p.s.note
	if note.Text != "" && !strings.HasSuffix(note.Text, "\n") {
		note.SetText(note.Text + "\n")
	}
	note.SetText(note.Text + e.Summary)
	p.s.usedKB = appendOnce(p.s.usedKB, e.ID)
	p.s.categoryFromKB(e) // wrapcategory.go
	p.s.message.SetText(tr("Answer put in the note") + ": " + e.Title)
}

func appendOnce(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// markdownMarks turns the search marks into bold and escapes the rest.
func markdownMarks(s string) string {
	esc := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, "`", "\\`", `#`, `\#`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`)
	s = esc.Replace(s)
	s = strings.ReplaceAll(s, sportello.Mark, "**")
	return strings.ReplaceAll(s, sportello.MarkEnd, "**")
}

func kindText(k sportello.EntryKind) string {
	switch k {
	case sportello.EntryService:
		return tr("service")
	case sportello.EntryOffice:
		return tr("office")
	case sportello.EntryAnswer:
		return tr("answer")
	}
	return string(k)
}

// sameHits reports whether two result lists name the same entries in order.
func sameHits(a, b []sportello.KBHit) bool {
	return slices.EqualFunc(a, b, func(x, y sportello.KBHit) bool { return x.Entry != nil && y.Entry != nil && x.Entry.ID == y.Entry.ID })
}
