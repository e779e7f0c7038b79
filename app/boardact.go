package app

import (
	"context"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// Shortcuts of acting from the board: an operator raises (and lowers) a
// hand for help; a supervisor answers the oldest hand waiting, and
// silences the board's alert sound (Ctrl+Shift+Z: "zitto").
var (
	ShortcutRaiseHand  = &desktop.CustomShortcut{KeyName: fyne.KeyW, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	ShortcutAnswerHand = &desktop.CustomShortcut{KeyName: fyne.KeyY, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
	ShortcutSilence    = &desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
)

// AlertSound plays the board's alert sound (assets.AlertSound through the
// speaker); a desktop without one, and headless runs, stay silent.
type AlertSound interface {
	Play()
}

// chartHeight is the height of a full bar of the intraday chart.
const chartHeight = 80

// presenceAct is the operator's side of acting from the board: the
// break's reason, and the raised hand with who is coming.
type presenceAct struct {
	p         *presenceReporter
	reason    *widget.Select
	hand      *tipButton
	handState *widget.Label

	// State, touched only on Fyne's goroutine.
	raised bool
	unsub  func()
}

func newPresenceAct(p *presenceReporter) *presenceAct {
	a := &presenceAct{p: p}
	reasons := p.s.cfg.BreakReasons
	if len(reasons) == 0 {
		reasons = sportello.DefaultBreakReasons
	}
	a.reason = widget.NewSelect(reasons, func(string) {
		if a.p.onBreak {
			a.p.report() // the new reason
		}
	})
	a.reason.SetSelectedIndex(0)
	a.hand = newTipButton(tr("Raise hand"), ShortcutRaiseHand, a.toggleHand)
	a.handState = widget.NewLabel("")
	if p.s.cfg.Hands == nil {
		a.hand.Hide()
	}
	return a
}

// widgets are what the status bar adds after the break button.
func (a *presenceAct) widgets() []fyne.CanvasObject {
	return []fyne.CanvasObject{a.reason, a.hand, a.handState}
}

// presence is the state to report: a break with its reason, a call with
// its caller (and the citizen's name once the screen pop has it).
func (p *presenceReporter) presence(st sportello.AgentState) sportello.Presence {
	pr := sportello.Presence{State: st}
	switch st {
	case sportello.AgentBreak:
		pr.Reason = p.act.reason.Selected
	case sportello.AgentRinging, sportello.AgentOnCall, sportello.AgentWrapUp:
		c := p.s.call
		if c == nil {
			c = p.s.wrapFor
		}
		if c != nil {
			pr.Caller = c.Number
			pr.MOS = liveMOS(c.Quality) // mos.go
			if card := p.s.card; card != nil && card.Citizen != nil && slices.Contains(cardNumbers(card), c.Number) {
				pr.CallerName = card.Citizen.Name
			}
		}
	}
	return pr
}

// follow starts following the agent's hand as syncd pushes it.
func (a *presenceAct) follow() {
	if a.unsub != nil || a.p.s.cfg.Hands == nil {
		return
	}
	cancel := a.p.s.cfg.Hands.SubscribeHand(func(h *sportello.RaisedHand) { do(func() { a.showHand(h) }) })
	stop := context.AfterFunc(a.p.s.ctx, cancel)
	a.unsub = func() { stop(); cancel() }
}

// toggleHand raises the hand, or lowers it once help came.
func (a *presenceAct) toggleHand() {
	if !a.p.agent() || a.p.s.cfg.Hands == nil {
		return
	}
	raise := !a.raised
	a.p.s.wg.Add(1)
	go func() {
		defer a.p.s.wg.Done()
		ctx, cancel := context.WithTimeout(a.p.s.ctx, 10*time.Second)
		defer cancel()
		var h *sportello.RaisedHand
		var err error
		if raise {
			h, err = a.p.s.cfg.Hands.RaiseHand(ctx, "")
		} else {
			err = a.p.s.cfg.Hands.LowerHand(ctx)
		}
		do(func() {
			if err != nil {
				a.p.s.showError(err)
				return
			}
			a.showHand(h)
		})
	}()
}

// showHand shows where the hand stands: down, waiting, or who is coming.
func (a *presenceAct) showHand(h *sportello.RaisedHand) {
	a.raised = h != nil
	label := tr("Raise hand")
	switch {
	case h == nil:
		a.handState.SetText("")
	case h.AnsweredBy != "":
		label = tr("Lower hand")
		a.handState.SetText(fmt.Sprintf(tr("%s is coming"), h.AnsweredBy))
		a.handState.Importance = widget.SuccessImportance
	default:
		label = tr("Lower hand")
		a.handState.SetText(tr("Hand raised: waiting for a supervisor"))
		a.handState.Importance = widget.WarningImportance
	}
	a.hand.tip = label + " (" + shortcutText(ShortcutRaiseHand) + ")"
	a.hand.SetText(label + "  [" + shortcutText(ShortcutRaiseHand) + "]")
	a.handState.Refresh()
}

// signedOut forgets the hand.
func (a *presenceAct) signedOut() {
	if a.unsub != nil {
		a.unsub()
		a.unsub = nil
	}
	a.showHand(nil)
}

// boardActs is the board's part for acting: callbacks due and overdue
// (each given to another owner from the board), raised hands to answer,
// moving an agent to a desk, the intraday chart, and the alert sound.
type boardActs struct {
	p         *boardPanel
	box       *fyne.Container
	callbacks *widget.Label
	overdue   *fyne.Container
	hands     *fyne.Container
	chart     *fyne.Container
	moveAgent *widget.Select
	moveDesk  *widget.Select
	moveBtn   *widget.Button
	sound     *widget.Label
	assign    *assignPanel // assign.go

	// State, touched only on Fyne's goroutine.
	seen  map[string]bool // the alerts of the last board
	muted map[string]bool // the alerts silenced
}

func newBoardActs(p *boardPanel) *boardActs {
	a := &boardActs{p: p, overdue: container.NewVBox(), hands: container.NewVBox(), chart: container.NewHBox(),
		seen: map[string]bool{}, muted: map[string]bool{}}
	a.callbacks = widget.NewLabel("")
	a.callbacks.Wrapping = fyne.TextWrapWord
	a.sound = widget.NewLabel("")
	a.moveAgent = widget.NewSelect(nil, nil)
	a.moveAgent.PlaceHolder = tr("Agent")
	a.moveDesk = widget.NewSelect(nil, nil)
	a.moveDesk.PlaceHolder = tr("Desk")
	a.moveBtn = widget.NewButton(tr("Move to the desk"), a.move)
	bold := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	a.box = container.NewVBox(a.sound,
		bold(tr("Raised hands")), a.hands,
		widget.NewSeparator(), bold(tr("Callbacks")), a.callbacks, a.overdue,
		widget.NewSeparator(), bold(tr("Calls handled and first-contact resolution per hour")), a.chart,
		widget.NewSeparator(), bold(tr("Move an agent")), container.NewHBox(a.moveAgent, a.moveDesk, a.moveBtn),
	)
	a.assign = newAssignPanel(p)
	a.box.Add(a.assign.box)
	return a
}

// alertKey names an alert for the sound: a new key plays it.
func alertKey(al sportello.BoardAlert) string {
	if al.Kind == sportello.AlertHandRaised {
		return string(al.Kind) + "/" + al.Message
	}
	return string(al.Kind) + "/" + al.DeskID
}

// render shows the board's acting part and plays the sound for an alert
// not on the previous board and not silenced.
func (a *boardActs) render(b *sportello.Board) {
	a.overdue.RemoveAll()
	a.hands.RemoveAll()
	a.chart.RemoveAll()
	if b == nil {
		a.callbacks.SetText("")
		a.sound.SetText("")
		a.seen = map[string]bool{}
		a.assign.render(nil)
		return
	}
	now := map[string]bool{}
	ring := false
	for _, al := range b.Alerts {
		k := alertKey(al)
		now[k] = true
		if !a.seen[k] && !a.muted[k] {
			ring = true
		}
	}
	for k := range a.muted {
		if !now[k] {
			delete(a.muted, k) // cleared: it sounds again when it comes back
		}
	}
	a.seen = now
	if ring && a.p.s.cfg.AlertSound != nil {
		a.p.s.cfg.AlertSound.Play()
	}
	a.renderSound()

	a.renderHands(b)
	a.renderCallbacks(b)
	a.renderChart(b.Hours)

	var agents []string
	for _, ag := range b.Agents {
		agents = append(agents, ag.Name)
	}
	a.moveAgent.SetOptions(agents)
	var desks []string
	for _, d := range b.Desks {
		desks = append(desks, d.Name)
	}
	a.moveDesk.SetOptions(desks)
	a.assign.render(b)
}

// renderSound says whether alerts sound and how to silence them.
func (a *boardActs) renderSound() {
	switch {
	case len(a.seen) == 0:
		a.sound.SetText("")
	case len(a.muted) > 0 && len(a.muted) == len(a.seen):
		a.sound.SetText(tr("Alerts silenced"))
	default:
		a.sound.SetText(tr("Silence the alerts") + "  [" + shortcutText(ShortcutSilence) + "]")
	}
}

// silence stops the sound of the alerts on the board: each sounds again
// only once cleared and raised anew.
func (a *boardActs) silence() {
	for k := range a.seen {
		a.muted[k] = true
	}
	a.renderSound()
}

func (a *boardActs) renderHands(b *sportello.Board) {
	if len(b.Hands) == 0 {
		a.hands.Add(widget.NewLabel(tr("No hand raised")))
		return
	}
	for _, h := range b.Hands {
		parts := []string{"✋ " + h.AgentName}
		if h.Caller != "" {
			parts = append(parts, callerText(h.Caller, h.CallerName))
		}
		if h.Note != "" {
			parts = append(parts, h.Note)
		}
		parts = append(parts, tr("since")+" "+h.At.In(a.p.s.cfg.Location).Format("15:04"))
		l := widget.NewLabel(strings.Join(parts, " · "))
		if h.AnsweredBy != "" {
			a.hands.Add(container.NewHBox(l, widget.NewLabel(fmt.Sprintf(tr("%s is coming"), h.AnsweredBy))))
			continue
		}
		l.Importance = widget.DangerImportance
		agent := h.AgentID
		a.hands.Add(container.NewHBox(l, newTipButton(tr("I am coming"), ShortcutAnswerHand, func() { a.answer(agent) })))
	}
}

// answerOldest answers the oldest hand nobody answered (the shortcut).
func (a *boardActs) answerOldest() {
	b := a.p.board
	if b == nil || !a.p.viewer() {
		return
	}
	for _, h := range b.Hands {
		if h.AnsweredBy == "" {
			a.answer(h.AgentID)
			return
		}
	}
}

// answer tells an agent the signed-in supervisor is coming.
func (a *boardActs) answer(agentID string) {
	a.act(func(ctx context.Context, s sportello.BoardActionService) error {
		_, err := s.AnswerHand(ctx, agentID)
		return err
	})
}

// act runs a board action off Fyne's goroutine; the pushed board shows
// its effect, an error shows in the status bar.
func (a *boardActs) act(f func(ctx context.Context, s sportello.BoardActionService) error) {
	svc := a.p.s.cfg.BoardActions
	if svc == nil {
		return
	}
	s := a.p.s
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		defer cancel()
		if err := f(ctx, svc); err != nil {
			do(func() { s.showError(err) })
		}
	}()
}

func (a *boardActs) renderCallbacks(b *sportello.Board) {
	c := b.Callbacks
	target := c.Target
	if target == 0 {
		target = sportello.DefaultCallbackTarget
	}
	a.callbacks.SetText(fmt.Sprintf("%s: %d · %s: %d · %s: %d/%d (%d%%) · %s %d%%",
		tr("Due now"), c.DueNow, tr("Overdue"), c.OverdueTotal(), tr("Done inside the window today"), c.InWindow, c.DueToday,
		int(100*c.Rate()+0.5), tr("target"), int(100*target+0.5)))
	a.callbacks.Importance = widget.MediumImportance
	if c.DueToday > 0 && c.Rate() < target {
		a.callbacks.Importance = widget.WarningImportance
	}
	a.callbacks.Refresh()
	owners := []string{tr("Pool")}
	ids := []string{sportello.OwnerPool}
	for _, ag := range b.Agents {
		owners, ids = append(owners, ag.Name), append(ids, ag.ID)
	}
	names := map[string]string{sportello.OwnerPool: tr("Pool")}
	for i, id := range ids {
		names[id] = owners[i]
	}
	for _, o := range c.Overdue {
		parts := []string{callerText(o.Number, o.CitizenName)}
		if o.Reason != "" {
			parts = append(parts, o.Reason)
		}
		parts = append(parts, tr("by")+" "+a.p.s.date(o.To), tr("to")+" "+ownerName(names, o.Owner))
		l := widget.NewLabel(strings.Join(parts, " · "))
		l.Importance = widget.DangerImportance
		id := o.ID
		sel := widget.NewSelect(owners, nil)
		sel.PlaceHolder = tr("Give to...")
		sel.OnChanged = func(string) {
			i := sel.SelectedIndex()
			if i < 0 {
				return
			}
			owner := ids[i]
			a.act(func(ctx context.Context, s sportello.BoardActionService) error {
				_, err := s.ReassignCallback(ctx, id, owner)
				return err
			})
		}
		a.overdue.Add(container.NewHBox(l, sel))
	}
	if more := c.OverdueTotal() - len(c.Overdue); more > 0 {
		a.overdue.Add(widget.NewLabel(fmt.Sprintf(tr("and %d more overdue, later ones"), more)))
	}
}

// ownerName names a callback's owner: an agent, the pool or a desk.
func ownerName(names map[string]string, owner string) string {
	if n, ok := names[owner]; ok {
		return n
	}
	if d, ok := strings.CutPrefix(owner, sportello.OwnerDeskPrefix); ok {
		return tr("desk") + " " + d
	}
	return owner
}

// renderChart draws calls handled (primary) and first-contact resolution
// (green, full height at 100%) per hour as bars of canvas rectangles.
func (a *boardActs) renderChart(hours []sportello.BoardHour) {
	if len(hours) == 0 {
		a.chart.Add(widget.NewLabel(tr("No calls yet today")))
		return
	}
	most := 1
	for _, h := range hours {
		most = max(most, h.Handled)
	}
	for _, h := range hours {
		handled := bar(theme.Color(theme.ColorNamePrimary), float32(chartHeight*h.Handled)/float32(most))
		fcr := bar(theme.Color(theme.ColorNameSuccess), float32(chartHeight)*float32(h.Rate()))
		bars := container.NewHBox(container.NewVBox(layout.NewSpacer(), handled), container.NewVBox(layout.NewSpacer(), fcr))
		text := fmt.Sprintf("%02d: %d", h.Hour, h.Handled)
		if h.Handled > 0 {
			text += fmt.Sprintf(" · %d%%", int(100*h.Rate()+0.5))
		}
		a.chart.Add(container.NewVBox(container.NewGridWrap(fyne.NewSize(40, chartHeight), bars), widget.NewLabel(text)))
	}
}

// bar is a chart bar of a height.
func bar(c color.Color, height float32) *canvas.Rectangle {
	r := canvas.NewRectangle(c)
	r.SetMinSize(fyne.NewSize(14, height))
	return r
}

// move moves the chosen agent to the chosen desk: out of their one desk
// when they have one, else only into it.
func (a *boardActs) move() {
	b := a.p.board
	ai, di := a.moveAgent.SelectedIndex(), a.moveDesk.SelectedIndex()
	if b == nil || ai < 0 || di < 0 || ai >= len(b.Agents) || di >= len(b.Desks) {
		a.p.s.showError(sportello.Errorf(sportello.EINVALID, "choose an agent and a desk"))
		return
	}
	ag, to := b.Agents[ai], b.Desks[di].ID
	from := ""
	if len(ag.Desks) == 1 && ag.Desks[0] != to {
		from = ag.Desks[0]
	}
	a.act(func(ctx context.Context, s sportello.BoardActionService) error {
		return s.MoveAgent(ctx, ag.ID, from, to)
	})
}

// callerText is a caller: number, and the citizen's name when known.
func callerText(number, name string) string {
	if name == "" {
		return "☎ " + displayNumber(number)
	}
	return "☎ " + displayNumber(number) + " (" + name + ")"
}

// agentDetail is what the board adds to an agent's line: the caller,
// the average handle time and the calls missed today.
func agentDetail(a sportello.BoardAgent) []string {
	var parts []string
	if a.Caller != "" {
		parts = append(parts, callerText(a.Caller, a.CallerName))
	}
	parts = append(parts, mosDetail(a)...) // mos.go
	if a.HandledMeasured > 0 {
		parts = append(parts, fmt.Sprintf("%s %s", tr("average handle time"), durationText(a.AvgHandle)))
	}
	if a.MissedToday > 0 {
		parts = append(parts, fmt.Sprintf("%s: %d", tr("missed"), a.MissedToday))
	}
	if f := a.FCR; f.WrapUps > 0 {
		// Recorded and true side by side: an operator whose "resolved"
		// calls come back shows it here.
		parts = append(parts, fmt.Sprintf("%s %d%% (%d/%d), %s %d%% (%d/%d)", tr("FCR as recorded"), percent(f.Rate()), f.Resolved, f.WrapUps,
			tr("true"), percent(f.TrueRate()), f.TrueResolved, f.FirstContacts))
	}
	return parts
}

// actAlertText says the alerts of acting in the user's words.
func actAlertText(a sportello.BoardAlert, b *sportello.Board) string {
	switch a.Kind {
	case sportello.AlertCallbacksOverdue:
		return fmt.Sprintf(tr("%d callbacks are overdue"), b.Callbacks.OverdueTotal())
	case sportello.AlertTrueFCRBelowTarget:
		return fmt.Sprintf(tr("True first-contact resolution today (repeat contacts removed) is %d%%, under the target"), percent(b.FCR.TrueRate()))
	case sportello.AlertHandRaised:
		for _, h := range b.Hands {
			if h.AnsweredBy == "" && strings.HasPrefix(a.Message, h.AgentName+" ") {
				return fmt.Sprintf(tr("%s asks for help"), h.AgentName)
			}
		}
	}
	return a.Message
}

// addBoardActShortcuts binds raising a hand, answering one and silencing
// the alerts.
func (s *operatorScreen) addBoardActShortcuts() {
	c := s.win.Canvas()
	c.AddShortcut(ShortcutRaiseHand, func(fyne.Shortcut) { s.presence.act.toggleHand() })
	c.AddShortcut(ShortcutAnswerHand, func(fyne.Shortcut) {
		if s.board != nil {
			s.board.act.answerOldest()
		}
	})
	c.AddShortcut(ShortcutSilence, func(fyne.Shortcut) {
		if s.boardView() {
			s.board.act.silence()
		}
	})
	c.AddShortcut(ShortcutAssignCase, func(fyne.Shortcut) {
		if s.boardView() {
			s.board.act.assign.assign()
		}
	})
}
