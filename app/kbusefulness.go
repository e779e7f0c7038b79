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

// ShortcutUsefulness shows (and reads again) the knowledge base's
// usefulness: which entries answered calls and which never helped.
var ShortcutUsefulness = &desktop.CustomShortcut{KeyName: fyne.KeyU, Modifier: fyne.KeyModifierControl}

// UsefulnessPeriod is how far back the usefulness tab counts.
const UsefulnessPeriod = 30 * 24 * time.Hour

// usefulnessPanel is the *Utilità schede* tab of supervisors and admins:
// the knowledge-base entries that answered calls, most useful first, those
// that never helped marked, the entries never used, and first-contact
// resolution per service, as recorded and true (repeat contacts removed).
type usefulnessPanel struct {
	s        *operatorScreen
	tab      *container.TabItem
	head     *widget.Label
	reload   *tipButton
	used     *fyne.Container
	never    *fyne.Container
	services *fyne.Container

	// State, touched only on Fyne's goroutine.
	data    *sportello.KBUsefulness
	err     string
	reading bool
}

// newUsefulness makes the tab when the desktop can read the usefulness.
func (s *operatorScreen) newUsefulness() {
	if s.cfg.Usefulness == nil {
		return
	}
	p := &usefulnessPanel{s: s, used: container.NewVBox(), never: container.NewVBox(), services: container.NewVBox()}
	p.head = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.head.Wrapping = fyne.TextWrapWord
	p.reload = newTipButton(tr("Read again"), ShortcutUsefulness, p.read)
	body := container.NewVBox(
		widget.NewLabelWithStyle(tr("Entries that answered calls"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.used,
		widget.NewSeparator(),
		widget.NewLabelWithStyle(tr("Entries never used"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.never,
		widget.NewSeparator(),
		widget.NewLabelWithStyle(tr("First-contact resolution per service"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.services,
	)
	p.tab = container.NewTabItem(tr("KB usefulness")+" ("+shortcutText(ShortcutUsefulness)+")",
		container.NewBorder(container.NewVBox(p.head, p.reload), nil, nil, nil, container.NewVScroll(body)))
	s.usefulness = p
	p.render()
}

// usefulnessView reports whether the signed-in user has the tab:
// supervisors and admins.
func (s *operatorScreen) usefulnessView() bool {
	u := s.user
	return s.usefulness != nil && u != nil && (u.Role == sportello.RoleSupervisor || u.Role == sportello.RoleAdmin)
}

// usefulnessSignedIn adds the tab for a supervisor or an admin.
func (s *operatorScreen) usefulnessSignedIn() {
	if !s.usefulnessView() {
		return
	}
	if indexOfTab(s.tabs, s.usefulness.tab) < 0 {
		s.tabs.Append(s.usefulness.tab)
	}
}

// usefulnessSignedOut removes the tab and forgets what it showed.
func (s *operatorScreen) usefulnessSignedOut() {
	p := s.usefulness
	if p == nil {
		return
	}
	if indexOfTab(s.tabs, p.tab) >= 0 {
		s.tabs.Remove(p.tab)
	}
	p.data, p.err = nil, ""
	p.render()
}

// focusUsefulness shows the tab and reads the numbers again.
func (s *operatorScreen) focusUsefulness() {
	if !s.usefulnessView() {
		return
	}
	s.tabs.Select(s.usefulness.tab)
	s.usefulness.read()
}

// usefulnessMenuItems is the Supervisione menu's entry.
func (s *operatorScreen) usefulnessMenuItems(item func(string, fyne.Shortcut, func()) *fyne.MenuItem) []*fyne.MenuItem {
	if !s.usefulnessView() {
		return nil
	}
	return []*fyne.MenuItem{item(tr("KB usefulness"), ShortcutUsefulness, s.focusUsefulness)}
}

func (s *operatorScreen) addUsefulnessShortcuts() {
	if s.usefulness == nil {
		return
	}
	s.win.Canvas().AddShortcut(ShortcutUsefulness, func(fyne.Shortcut) { s.focusUsefulness() })
}

// read asks syncd for the last UsefulnessPeriod, off Fyne's goroutine.
func (p *usefulnessPanel) read() {
	s := p.s
	if p.reading || !s.usefulnessView() {
		return
	}
	p.reading = true
	p.render()
	since := s.cfg.Now().Add(-UsefulnessPeriod)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		defer cancel()
		u, err := s.cfg.Usefulness.KBUsefulness(ctx, since)
		do(func() {
			p.reading = false
			if !s.usefulnessView() {
				return // signed out meanwhile
			}
			if err != nil {
				p.err = errorText(err)
				s.cfg.Logger.Warn("read the knowledge base's usefulness", "error", err)
			} else {
				p.data, p.err = u, ""
			}
			p.render()
		})
	}()
}

func (p *usefulnessPanel) render() {
	p.used.RemoveAll()
	p.never.RemoveAll()
	p.services.RemoveAll()
	head := tr("KB usefulness") + " · " + tr("last 30 days")
	switch {
	case p.reading:
		head += " · " + tr("reading...")
	case p.err != "":
		head += " · " + p.err
	case p.data == nil:
		head += " · " + shortcutText(ShortcutUsefulness) + " " + tr("reads the numbers")
	}
	p.head.SetText(head)
	u := p.data
	if u == nil {
		return
	}
	if len(u.Used) == 0 {
		p.used.Add(widget.NewLabel(tr("No entry has answered a call in this period")))
	}
	for _, e := range u.Used {
		l := widget.NewLabel(p.useLine(e))
		l.Wrapping = fyne.TextWrapWord
		if e.NeverHelped() {
			l.Importance = widget.DangerImportance
		}
		p.used.Add(l)
	}
	if u.NeverUsedTotal == 0 {
		p.never.Add(widget.NewLabel(tr("Every entry was used")))
	} else {
		p.never.Add(widget.NewLabel(fmt.Sprintf("%s: %d", tr("Never used"), u.NeverUsedTotal)))
	}
	for _, e := range u.NeverUsed {
		l := widget.NewLabel(tr("NEVER HELPED") + " · " + e.Title)
		l.Importance = widget.WarningImportance
		p.never.Add(l)
	}
	if more := u.NeverUsedTotal - len(u.NeverUsed); more > 0 {
		p.never.Add(widget.NewLabel(fmt.Sprintf("%s %d", tr("... and others:"), more)))
	}
	for _, sv := range u.Services {
		p.services.Add(widget.NewLabel(p.serviceLine(sv)))
	}
}

// useLine is one entry: title, calls it answered, resolved at first
// contact (as recorded and true), when last used; "never helped" first
// when none of its calls was resolved.
func (p *usefulnessPanel) useLine(e sportello.KBUse) string {
	var parts []string
	if e.NeverHelped() {
		parts = append(parts, tr("NEVER HELPED"))
	}
	parts = append(parts, e.Title,
		fmt.Sprintf("%s: %d", tr("used"), e.Uses),
		fmt.Sprintf("%s: %d (%s: %d)", tr("resolved at first contact"), e.Resolved, tr("true"), e.TrueResolved))
	if !e.LastUsed.IsZero() {
		parts = append(parts, tr("last used")+" "+p.s.date(e.LastUsed))
	}
	return strings.Join(parts, " · ")
}

// serviceLine is one service's first-contact resolution, as recorded and
// true.
func (p *usefulnessPanel) serviceLine(sv sportello.ServiceFCR) string {
	name := sv.Service
	if name == "" {
		name = tr("no category")
	}
	return fmt.Sprintf("%s · %s %d%% (%d/%d) · %s %d%% (%d/%d)", name,
		tr("as recorded"), percent(sv.Rate()), sv.Resolved, sv.WrapUps,
		tr("true"), percent(sv.TrueRate()), sv.TrueResolved, sv.FirstContacts)
}

// percent rounds a rate to a whole percentage.
func percent(r float64) int { return int(100*r + 0.5) }
