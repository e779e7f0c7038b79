package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// ShortcutBoard shows the supervisor's board (the Supervisione tab).
var ShortcutBoard = &desktop.CustomShortcut{KeyName: fyne.KeyB, Modifier: fyne.KeyModifierControl}

// boardPanel is the supervisor's board (the Supervisione tab): agents and
// their state, calls in progress, each desk's backlog, first-contact
// resolution today against the target, and the alerts syncd raised. syncd
// computes it; the panel shows each board it pushes.
type boardPanel struct {
	s *operatorScreen

	head   *widget.Label
	fcr    *widget.Label
	calls  *widget.Label
	alerts *fyne.Container
	agents *fyne.Container
	desks  *fyne.Container
	tab    *container.TabItem
	act    *boardActs // callbacks, hands, chart, sound (boardact.go)

	services *fyne.Container // first-contact resolution per service (boardservicefcr.go)

	// State, touched only on Fyne's goroutine.
	board *sportello.Board
	unsub func()
	err   string
}

func newBoardPanel(s *operatorScreen) *boardPanel {
	p := &boardPanel{s: s, alerts: container.NewVBox(), agents: container.NewVBox(), desks: container.NewVBox(), services: container.NewVBox()}
	p.act = newBoardActs(p)
	p.head = widget.NewLabelWithStyle(tr("Supervision"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.fcr = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.calls = widget.NewLabel("")
	// Long lines wrap so that the board never widens the window past the
	// screen.
	p.head.Truncation = fyne.TextTruncateEllipsis
	p.fcr.Wrapping, p.calls.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord
	// The agents come first, under the calls and the alerts: with dozens
	// of agents they are what the supervisor watches.
	body := container.NewVBox(
		p.fcr, p.calls, p.alerts,
		widget.NewSeparator(),
		widget.NewLabelWithStyle(tr("Agents"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.agents,
		p.services, // per service, after the agents (boardservicefcr.go)
		widget.NewSeparator(),
		widget.NewLabelWithStyle(tr("Desks"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.desks,
		widget.NewSeparator(), p.act.box,
	)
	p.tab = container.NewTabItem(tr("Supervision"), container.NewBorder(p.head, nil, nil, nil, container.NewVScroll(body)))
	p.render()
	return p
}

// viewer reports whether the signed-in user watches the board.
func (p *boardPanel) viewer() bool {
	u := p.s.user
	return u != nil && (u.Role == sportello.RoleSupervisor || u.Role == sportello.RoleAdmin)
}

// open follows the pushed boards and reads the board once, for what was
// computed before this desktop connected.
func (p *boardPanel) open() {
	if p.unsub == nil {
		cancel := p.s.cfg.Board.SubscribeBoard(func(b *sportello.Board) { do(func() { p.show(b) }) })
		stop := context.AfterFunc(p.s.ctx, cancel)
		p.unsub = func() { stop(); cancel() }
	}
	p.s.wg.Add(1)
	go func() {
		defer p.s.wg.Done()
		ctx, cancel := context.WithTimeout(p.s.ctx, 10*time.Second)
		defer cancel()
		b, err := p.s.cfg.Board.Board(ctx)
		do(func() {
			if err != nil {
				p.err = errorText(err)
				p.render()
				p.s.cfg.Logger.Warn("read the board", "error", err)
				return
			}
			p.show(b)
		})
	}()
}

// show puts a board on screen unless a newer one is there already.
func (p *boardPanel) show(b *sportello.Board) {
	if p.unsub == nil {
		return // signed out meanwhile
	}
	if p.board != nil && b.At.Before(p.board.At) {
		return
	}
	before := p.board
	p.board, p.err = sortedBoard(b), ""
	p.render()
	p.s.boardMovedQueue(before, p.board) // boardqueue.go
}

// close stops following the board.
func (p *boardPanel) close() {
	if p.unsub != nil {
		p.unsub()
		p.unsub = nil
	}
	p.board = nil
	p.render()
}

func (p *boardPanel) render() {
	p.alerts.RemoveAll()
	p.agents.RemoveAll()
	p.desks.RemoveAll()
	b := p.board
	p.act.render(b)
	p.renderServiceFCR(b) // boardservicefcr.go
	if b == nil {
		text := tr("Supervision") + " · " + tr("reading the board...")
		if p.err != "" {
			text = tr("Supervision") + " · " + p.err
		}
		p.head.SetText(text)
		p.fcr.SetText("")
		p.calls.SetText("")
		return
	}
	p.head.SetText(fmt.Sprintf("%s · %s %s · %s", tr("Supervision"), tr("updated at"), p.s.clock(b.At), shortcutText(ShortcutBoard)))

	rate, target := int(100*b.FCR.Rate()+0.5), int(100*b.FCR.Target+0.5)
	p.fcr.SetText(fmt.Sprintf("%s: %d%% (%d/%d) · %s %d%%", tr("Resolved at first contact today"), rate, b.FCR.Resolved, b.FCR.WrapUps, tr("target"), target) +
		"\n" + trueFCRText(b.FCR)) // boardfcr.go
	p.fcr.Importance = widget.MediumImportance
	if b.FCR.WrapUps > 0 && b.FCR.Rate() < b.FCR.Target {
		p.fcr.Importance = widget.WarningImportance
	}
	p.fcr.Refresh()
	p.calls.SetText(fmt.Sprintf("%s: %d · %s: %d", tr("Calls in progress"), b.CallsInProgress, tr("Missed today"), b.MissedToday))
	p.calls.SetText(p.calls.Text + appointmentsBoardText(b)) // appointments.go

	for _, a := range b.Alerts {
		l := widget.NewLabelWithStyle(tr("ALERT")+": "+p.alertText(a), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Importance = widget.DangerImportance
		l.Wrapping = fyne.TextWrapWord
		p.alerts.Add(l)
	}

	if len(b.Agents) == 0 {
		p.agents.Add(widget.NewLabel(tr("No agent has reported a state yet")))
	}
	for _, a := range b.Agents {
		l := widget.NewLabel(p.agentLine(a))
		l.Wrapping = fyne.TextWrapWord
		p.agents.Add(l)
	}
	for _, d := range b.Desks {
		l := widget.NewLabel(p.deskLine(d))
		l.Wrapping = fyne.TextWrapWord
		if d.Breached > 0 {
			l.Importance = widget.DangerImportance
		} else if d.AtRisk > 0 {
			l.Importance = widget.WarningImportance
		}
		p.desks.Add(l)
	}
}

// sortedBoard returns b with its agents sorted by name as people read
// numbers: "Operatore 2" before "Operatore 19". b itself is left as it
// came.
func sortedBoard(b *sportello.Board) *sportello.Board {
	c := *b
	c.Agents = slices.Clone(b.Agents)
	slices.SortStableFunc(c.Agents, func(x, y sportello.BoardAgent) int { return naturalCompare(x.Name, y.Name) })
	return &c
}

// naturalCompare orders names with their digits read as numbers and their
// letters regardless of case.
func naturalCompare(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	i, j := 0, 0
	for i < len(ra) && j < len(rb) {
		if unicode.IsDigit(ra[i]) && unicode.IsDigit(rb[j]) {
			si, sj := i, j
			for i < len(ra) && unicode.IsDigit(ra[i]) {
				i++
			}
			for j < len(rb) && unicode.IsDigit(rb[j]) {
				j++
			}
			na := strings.TrimLeft(string(ra[si:i]), "0")
			nb := strings.TrimLeft(string(rb[sj:j]), "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			continue
		}
		if c := cmp.Compare(unicode.ToLower(ra[i]), unicode.ToLower(rb[j])); c != 0 {
			return c
		}
		i++
		j++
	}
	if c := cmp.Compare(len(ra)-i, len(rb)-j); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// agentLine is one agent: name, state (with a break's reason), since
// when, and calls handled today.
func (p *boardPanel) agentLine(a sportello.BoardAgent) string {
	state := agentStateText(a.State)
	if a.Reason != "" {
		state += " (" + a.Reason + ")"
	}
	parts := []string{a.Name, state}
	if !a.Since.IsZero() {
		parts = append(parts, tr("since")+" "+a.Since.In(p.s.cfg.Location).Format("15:04"))
	}
	parts = append(parts, fmt.Sprintf("%s: %d", tr("calls today"), a.CallsToday))
	parts = append(parts, agentDetail(a)...) // boardact.go
	return strings.Join(parts, " · ")
}

// deskLine is one desk: open cases, the oldest, at risk and past SLA.
func (p *boardPanel) deskLine(d sportello.BoardDesk) string {
	parts := []string{d.Name, fmt.Sprintf("%s: %d", tr("open cases"), d.Open)}
	if !d.OldestAt.IsZero() {
		parts = append(parts, tr("oldest")+" "+p.s.date(d.OldestAt))
	}
	parts = append(parts, fmt.Sprintf("%s: %d", tr("at risk"), d.AtRisk), fmt.Sprintf("%s: %d", tr("past SLA"), d.Breached))
	return strings.Join(parts, " · ")
}

func (p *boardPanel) alertText(a sportello.BoardAlert) string {
	switch a.Kind {
	case sportello.AlertFCRBelowTarget:
		b := p.board
		return fmt.Sprintf("%s %d%%, %s %d%%", tr("First-contact resolution today is"), int(100*b.FCR.Rate()+0.5), tr("under the target of"), int(100*b.FCR.Target+0.5))
	case sportello.AlertDeskPastSLA:
		return tr("The oldest case is past its SLA at the desk") + " " + a.DeskName
	}
	return actAlertText(a, p.board) // boardact.go
}

// newSupervision makes the state reporter and, with a BoardService, the
// board panel.
func (s *operatorScreen) newSupervision() {
	s.presence = newPresenceReporter(s)
	if s.cfg.Board != nil {
		s.board = newBoardPanel(s)
	}
	s.newUsefulness() // kbusefulness.go
	s.newReports()    // reports.go
}

// boardView reports whether the Supervisione tab shows.
func (s *operatorScreen) boardView() bool { return s.board != nil && s.board.viewer() }

// supervisionSignedIn reports the agent available, or shows the board to
// supervisors and admins (and selects it: it is their main screen).
func (s *operatorScreen) supervisionSignedIn() {
	s.presence.report()
	s.win.SetMainMenu(s.mainMenu()) // the State or Supervisione menu
	s.usefulnessSignedIn()
	s.reportsSignedIn()
	if !s.boardView() {
		return
	}
	// The board is the supervisor's main screen: its tab first, where
	// the tab strip never hides it in its overflow, and the phone folded
	// into a strip so that the board takes the window's width.
	if indexOfTab(s.tabs, s.board.tab) < 0 {
		s.tabs.SetItems(append([]*container.TabItem{s.board.tab}, s.tabs.Items...))
	}
	s.tabs.Select(s.board.tab)
	s.phone.supervisorLayout(true) // phonestrip.go
	s.board.open()
}

// supervisionSignedOut forgets the board and the agent's state.
func (s *operatorScreen) supervisionSignedOut() {
	s.presence.signedOut()
	s.usefulnessSignedOut()
	s.reportsSignedOut()
	s.phone.supervisorLayout(false)
	if s.board != nil {
		if indexOfTab(s.tabs, s.board.tab) >= 0 {
			s.tabs.Remove(s.board.tab)
		}
		s.board.close()
	}
	s.win.SetMainMenu(s.mainMenu())
}

// focusBoard shows the board.
func (s *operatorScreen) focusBoard() {
	if s.boardView() {
		s.tabs.Select(s.board.tab)
	}
}

// supervisionMenus are the menus of the agent's state and of the board,
// so that their keys work while a text field has the focus.
func (s *operatorScreen) supervisionMenus() []*fyne.Menu {
	var menus []*fyne.Menu
	item := func(label string, sc fyne.Shortcut, f func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, f)
		it.Shortcut = sc
		return it
	}
	if s.presence.agent() {
		menus = append(menus, fyne.NewMenu(tr("State"), item(tr("Break")+" / "+tr("End break"), ShortcutBreak, s.presence.toggleBreak)))
	}
	if s.presence.agent() && s.cfg.Hands != nil {
		menus[len(menus)-1].Items = append(menus[len(menus)-1].Items, item(tr("Raise hand")+" / "+tr("Lower hand"), ShortcutRaiseHand, s.presence.act.toggleHand))
	}
	if s.boardView() {
		menus = append(menus, fyne.NewMenu(tr("Supervision"), append([]*fyne.MenuItem{item(tr("Supervision"), ShortcutBoard, s.focusBoard),
			item(tr("I am coming"), ShortcutAnswerHand, s.board.act.answerOldest), item(tr("Silence the alerts"), ShortcutSilence, s.board.act.silence),
			item(tr("Phone panel"), ShortcutPhonePanel, s.phone.toggleFolded)},
			append(append(s.assignMenuItems(item), s.usefulnessMenuItems(item)...), s.reportsMenuItems(item)...)...)...)) // assignmenu.go
	}
	return menus
}

func (s *operatorScreen) addSupervisionShortcuts() {
	c := s.win.Canvas()
	c.AddShortcut(ShortcutBreak, func(fyne.Shortcut) { s.presence.toggleBreak() })
	c.AddShortcut(ShortcutBoard, func(fyne.Shortcut) { s.focusBoard() })
	s.addBoardActShortcuts() // boardact.go
	s.addUsefulnessShortcuts()
	s.addReportsShortcuts()
	s.addPhoneLayoutShortcuts() // phonestrip.go
}
