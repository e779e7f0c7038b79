package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// ShortcutBreak starts and ends a break (pausa): the agent's state on the
// supervisor's board.
var ShortcutBreak = &desktop.CustomShortcut{KeyName: fyne.KeyP, Modifier: fyne.KeyModifierControl}

// presenceReporter tells syncd the agent's state as the call flow moves
// it (a call ringing or in conversation: on a call; ended and waiting for
// its wrap-up: wrap-up; saved: available) and as the agent takes a break.
// Reports go one at a time, in order, the newest replacing one not yet sent.
type presenceReporter struct {
	s     *operatorScreen
	label *widget.Label
	btn   *tipButton
	box   *fyne.Container

	// State, touched only on Fyne's goroutine.
	onBreak bool
	sent    sportello.AgentState // last state handed to the sender
	last    sportello.Presence   // with its reason and caller
	act     *presenceAct         // break reasons, raised hand (boardact.go)
	queue   chan sportello.Presence
	started bool
}

func newPresenceReporter(s *operatorScreen) *presenceReporter {
	p := &presenceReporter{s: s, queue: make(chan sportello.Presence, 1)}
	p.label = widget.NewLabel("")
	p.btn = newTipButton(tr("Break"), ShortcutBreak, p.toggleBreak)
	p.act = newPresenceAct(p)
	p.box = container.NewHBox(append([]fyne.CanvasObject{widget.NewSeparator(), p.label, p.btn}, p.act.widgets()...)...)
	p.box.Hide()
	return p
}

// agent reports whether the signed-in user takes calls and so has a state
// on the board.
func (p *presenceReporter) agent() bool {
	u := p.s.user
	return p.s.cfg.Presence != nil && u != nil && (u.Role == sportello.RoleOperator || u.Role == sportello.RoleSpecialist)
}

// state is the agent's state as the screen shows it: the call in hand
// first, then its wrap-up, then a break.
func (p *presenceReporter) state() sportello.AgentState {
	switch {
	case p.s.call != nil && p.s.call.State == sportello.CallRinging:
		return sportello.AgentRinging
	case p.s.call != nil:
		return sportello.AgentOnCall
	case p.s.wrapFor != nil:
		return sportello.AgentWrapUp
	case p.onBreak:
		return sportello.AgentBreak
	}
	return sportello.AgentAvailable
}

// report sends the state when it changed.
func (p *presenceReporter) report() {
	if !p.agent() {
		p.box.Hide()
		return
	}
	st := p.state()
	p.label.SetText(tr("State") + ": " + agentStateText(st))
	if p.onBreak {
		p.btn.SetText(tr("End break") + "  [" + shortcutText(ShortcutBreak) + "]")
	} else {
		p.btn.SetText(tr("Break") + "  [" + shortcutText(ShortcutBreak) + "]")
	}
	p.box.Show()
	p.act.follow()
	pr := p.presence(st) // boardact.go
	if st == p.sent && pr == p.last {
		return
	}
	p.sent, p.last = st, pr
	select { // the newest replaces one not yet sent
	case <-p.queue:
	default:
	}
	p.queue <- pr
	if !p.started {
		p.started = true
		p.s.wg.Add(1)
		go p.send()
	}
}

// send reports the queued states until the screen stops.
func (p *presenceReporter) send() {
	defer p.s.wg.Done()
	for {
		select {
		case <-p.s.ctx.Done():
			return
		case pr := <-p.queue:
			ctx, cancel := context.WithTimeout(p.s.ctx, 10*time.Second)
			err := p.s.cfg.Presence.SetPresence(ctx, pr)
			cancel()
			if err != nil {
				p.s.cfg.Logger.Warn("report the agent's state", "state", string(pr.State), "error", err)
			}
		}
	}
}

// toggleBreak starts or ends a break.
func (p *presenceReporter) toggleBreak() {
	if !p.agent() {
		return
	}
	p.onBreak = !p.onBreak
	p.report()
}

// signedOut forgets the state: syncd marks the agent offline when the
// session's socket closes.
func (p *presenceReporter) signedOut() {
	p.onBreak, p.sent, p.last = false, "", sportello.Presence{}
	p.act.signedOut()
	p.box.Hide()
}

// reportPresence is the operator screen's hook for the call flow.
func (s *operatorScreen) reportPresence() { s.presence.report() }

func agentStateText(st sportello.AgentState) string {
	switch st {
	case sportello.AgentAvailable:
		return tr("available")
	case sportello.AgentRinging:
		return tr("ringing")
	case sportello.AgentOnCall:
		return tr("on a call")
	case sportello.AgentWrapUp:
		return tr("wrap-up")
	case sportello.AgentBreak:
		return tr("on a break")
	case sportello.AgentOffline:
		return tr("offline")
	}
	return string(st)
}
