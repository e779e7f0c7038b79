package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// queuePanel is the second level's view (the Sportello tab): the queue of
// the user's desks, oldest escalation first, and what a specialist does on
// the selected case. It follows the cases pushed by syncd: a change at one
// of the user's desks, or on a case in the list, reads the queue again.
type queuePanel struct {
	s *operatorScreen

	head    *widget.Label
	list    *fyne.Container
	details *widget.Label
	status  *widget.Label
	note    *widget.Entry
	desk    *widget.Select // where a transfer goes

	claimBtn, releaseBtn, noteBtn, readyBtn, resolveBtn, transferBtn *tipButton
	replies                                                          *replyActions // replies.go

	// State, touched only on Fyne's goroutine.
	cases    []*sportello.Case
	selected string          // the selected case's id
	desks    map[string]bool // the queue's desks; nil: every desk (supervisors)
	loading  bool            // a read of the queue is under way
	loaded   bool            // the queue was read once since sign-in
	again    bool            // read it again when that one ends
	busy     bool            // an action is under way
}

func newQueuePanel(s *operatorScreen) *queuePanel {
	p := &queuePanel{s: s, list: container.NewVBox()}
	p.head = widget.NewLabelWithStyle(tr("Desk queue"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.details = widget.NewLabel("")
	p.details.Wrapping = fyne.TextWrapWord
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	p.note = widget.NewMultiLineEntry()
	p.note.SetPlaceHolder(tr("Note, answer or hand-off for the selected case"))
	p.note.SetMinRowsVisible(2)
	p.note.Wrapping = fyne.TextWrapWord
	p.desk = widget.NewSelect(nil, nil)
	p.desk.PlaceHolder = tr("Transfer to desk...")
	p.claimBtn = newTipButton(tr("Claim"), ShortcutClaim, p.claim)
	p.claimBtn.Importance = widget.HighImportance
	p.releaseBtn = newTipButton(tr("Release"), ShortcutRelease, p.release)
	p.noteBtn = newTipButton(tr("Add note"), ShortcutCaseNote, p.addNote)
	p.readyBtn = newTipButton(tr("Answer ready"), ShortcutAnswerReady, p.answerReady)
	p.readyBtn.Importance = widget.SuccessImportance
	p.resolveBtn = newTipButton(tr("Resolve"), ShortcutResolve, p.resolve)
	p.transferBtn = newTipButton(tr("Transfer"), ShortcutTransfer, p.transfer)
	p.replies = newReplyActions(p)
	p.render()
	return p
}

func (p *queuePanel) content() fyne.CanvasObject {
	actions := container.NewGridWithColumns(3, p.claimBtn, p.releaseBtn, p.noteBtn, p.readyBtn, p.resolveBtn, p.transferBtn)
	bottom := container.NewVBox(widget.NewSeparator(), p.note, container.NewBorder(nil, nil, nil, nil, p.desk), actions, p.replies.content(), p.status)
	body := container.NewVBox(p.list, widget.NewSeparator(), p.details)
	return container.NewBorder(p.head, bottom, nil, nil, container.NewVScroll(body))
}

// setDesks sets the desks whose changes refresh the queue (nil: all) and
// the desks a case can be transferred to.
func (p *queuePanel) setDesks(mine map[string]bool, all []sportello.Desk) {
	p.desks = mine
	names := make([]string, len(all))
	for i, d := range all {
		names[i] = d.Name
	}
	p.desk.SetOptions(names)
}

// refresh reads the queue off Fyne's goroutine; a refresh asked for while
// one runs is done once after it, so a burst of pushed changes costs two reads.
func (p *queuePanel) refresh() {
	if p.s.cfg.Desks == nil || p.s.user == nil {
		return
	}
	if p.loading {
		p.again = true
		return
	}
	p.loading = true
	p.s.wg.Add(1)
	go func() {
		defer p.s.wg.Done()
		ctx, cancel := context.WithTimeout(p.s.ctx, 10*time.Second)
		defer cancel()
		cases, err := p.s.cfg.Desks.Queue(ctx)
		do(func() {
			p.loading = false
			if err != nil {
				p.status.SetText(errorText(err))
				p.s.cfg.Logger.Warn("read the desk queue", "error", err)
			} else {
				p.cases, p.loaded = cases, true
				p.render()
				p.s.queueRead() // assign.go: the board's cases to assign
			}
			if p.again {
				p.again = false
				p.refresh()
			}
		})
	}()
}

// onChange reads the queue again when a pushed change concerns it: a
// case at one of its desks, or a case it lists (which may have left).
func (p *queuePanel) onChange(ch sportello.Change) {
	if ch.Event == nil {
		return
	}
	relevant := ch.DeskID != "" && (p.desks == nil || p.desks[ch.DeskID])
	for _, k := range p.cases {
		relevant = relevant || k.ID == ch.CaseID
	}
	if relevant {
		p.refresh()
	}
}

// current returns the selected case, nil when none.
func (p *queuePanel) current() *sportello.Case {
	for _, k := range p.cases {
		if k.ID == p.selected {
			return k
		}
	}
	return nil
}

func (p *queuePanel) render() {
	p.list.RemoveAll()
	if p.current() == nil && len(p.cases) > 0 {
		p.selected = p.cases[0].ID
	}
	if len(p.cases) == 0 {
		p.selected = ""
		p.list.Add(widget.NewLabel(tr("No cases in the queue")))
	}
	if p.loaded {
		p.head.SetText(fmt.Sprintf("%s · %d %s · %s", tr("Desk queue"), len(p.cases), tr("cases"), tr("Alt+Down/Alt+Up choose")))
	} else {
		p.head.SetText(tr("Desk queue") + " · " + tr("reading the queue..."))
	}
	for _, k := range p.cases {
		mark := "  "
		if k.ID == p.selected {
			mark = "▶ "
		}
		row := newQueueRow(mark+p.line(k), k.ID, p.choose)
		p.list.Add(row)
	}
	p.renderDetails()
}

// line is one case of the queue: category, subject, citizen, escalated
// when, status and who holds it.
func (p *queuePanel) line(k *sportello.Case) string {
	citizen := k.CitizenName
	if citizen == "" {
		citizen = tr("unknown caller")
	}
	parts := []string{k.Category, k.Subject, citizen}
	if !k.EscalatedAt.IsZero() {
		parts = append(parts, tr("escalated")+" "+p.s.date(k.EscalatedAt))
	}
	parts = append(parts, p.slaText(k)...)   // sla.go: due time and flags
	parts = append(parts, channelText(k)...) // replychannel.go
	parts = append(parts, statusText(k.Status))
	if k.ClaimedBy != "" {
		parts = append(parts, tr("taken by")+" "+k.ClaimedBy)
	}
	return strings.Join(parts, " · ")
}

func (p *queuePanel) renderDetails() {
	k := p.current()
	if k == nil {
		p.details.SetText("")
		p.enable(nil)
		return
	}
	lines := []string{p.line(k)}
	for i := len(k.Events) - 1; i >= 0; i-- {
		lines = append(lines, p.s.eventLine(k, k.Events[i]))
	}
	p.details.SetText(strings.Join(lines, "\n"))
	p.enable(k)
}

// enable turns on the actions that make sense on k for this user; syncd
// still decides.
func (p *queuePanel) enable(k *sportello.Case) {
	set := func(b *tipButton, on bool) {
		if on && !p.busy {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	mine := k != nil && p.s.user != nil && k.ClaimedByID == p.s.user.ID
	supervisor := p.s.user != nil && p.s.user.Role == sportello.RoleSupervisor
	specialist := p.s.user != nil && p.s.user.Role == sportello.RoleSpecialist
	set(p.claimBtn, k != nil && specialist && k.Status == sportello.StatusEscalated)
	set(p.releaseBtn, k != nil && k.Status == sportello.StatusClaimed && (mine || supervisor))
	set(p.noteBtn, k != nil)
	set(p.readyBtn, k != nil && mine && k.Status == sportello.StatusClaimed)
	set(p.resolveBtn, k != nil && specialist && (k.Status != sportello.StatusClaimed || mine))
	set(p.transferBtn, k != nil && (k.Status != sportello.StatusClaimed || mine || supervisor))
	p.replies.enable(k, mine)
}

func (p *queuePanel) choose(id string) {
	p.selected = id
	p.render()
}

// move selects the next (1) or previous (-1) case.
func (p *queuePanel) move(delta int) {
	if len(p.cases) == 0 {
		return
	}
	i := 0
	for j, k := range p.cases {
		if k.ID == p.selected {
			i = j
		}
	}
	p.selected = p.cases[(i+delta+len(p.cases))%len(p.cases)].ID
	p.render()
}

// available reports whether b's action may be done now, and says why
// not: a shortcut does what its button does, and nothing when the button
// is off.
func (p *queuePanel) available(b *tipButton) bool {
	if p.busy {
		return false
	}
	if b.Disabled() {
		p.status.SetText(tr("Not possible on the selected case."))
		return false
	}
	return true
}

func (p *queuePanel) claim() {
	if p.available(p.claimBtn) {
		p.act(sportello.CaseEvent{Kind: sportello.EventClaimed})
	}
}

func (p *queuePanel) release() {
	if p.available(p.releaseBtn) {
		p.act(sportello.CaseEvent{Kind: sportello.EventReleased})
	}
}

func (p *queuePanel) answerReady() {
	if p.available(p.readyBtn) {
		p.act(sportello.CaseEvent{Kind: sportello.EventAnswerReady})
	}
}

func (p *queuePanel) resolve() {
	if p.available(p.resolveBtn) {
		p.act(sportello.CaseEvent{Kind: sportello.EventResolved})
	}
}

func (p *queuePanel) addNote() {
	if !p.available(p.noteBtn) {
		return
	}
	if strings.TrimSpace(p.note.Text) == "" {
		p.status.SetText(tr("Write the note first."))
		p.s.win.Canvas().Focus(p.note)
		return
	}
	p.act(sportello.CaseEvent{Kind: sportello.EventNote})
}

func (p *queuePanel) transfer() {
	if !p.available(p.transferBtn) {
		return
	}
	i := p.desk.SelectedIndex()
	if i < 0 || i >= len(p.s.desks) {
		p.status.SetText(tr("Choose the desk to transfer the case to."))
		p.s.win.Canvas().Focus(p.desk)
		return
	}
	p.act(sportello.CaseEvent{Kind: sportello.EventEscalated, DeskID: p.s.desks[i].ID})
}

// act records an action on the selected case on syncd, with the note as
// typed; the note is kept when syncd refuses, so nothing is lost.
func (p *queuePanel) act(e sportello.CaseEvent) {
	k := p.current()
	if k == nil || p.s.cfg.Desks == nil {
		p.status.SetText(tr("Choose a case in the queue first."))
		return
	}
	if p.busy {
		return
	}
	e.Note = strings.TrimSpace(p.note.Text)
	p.busy = true
	p.enable(k)
	p.status.SetText(tr("Saving..."))
	caseID, name := k.ID, k.CitizenName
	p.s.wg.Add(1)
	go func() {
		defer p.s.wg.Done()
		ctx, cancel := context.WithTimeout(p.s.ctx, 15*time.Second)
		defer cancel()
		got, err := p.s.cfg.Desks.CaseAction(ctx, caseID, e)
		var holder string
		var fresh []*sportello.Case
		if sportello.ErrorCode(err) == sportello.ECONFLICT {
			// Someone was first: show the queue as it is now and who has the case.
			if fresh, _ = p.s.cfg.Desks.Queue(ctx); fresh != nil {
				for _, x := range fresh {
					if x.ID == caseID {
						holder = x.ClaimedBy
					}
				}
			}
		}
		do(func() {
			p.busy = false
			if err != nil {
				if fresh != nil {
					p.cases = fresh
					p.render()
				} else {
					p.enable(p.current())
				}
				if e.Kind == sportello.EventClaimed && holder != "" {
					p.status.SetText(tr("Already taken by") + " " + holder)
				} else {
					p.status.SetText(errorText(err))
				}
				p.s.cfg.Logger.Warn("desk action failed", "case_id", caseID, "kind", string(e.Kind), "error", err)
				return
			}
			if got.CitizenName == "" {
				got.CitizenName = name
			}
			p.note.SetText("")
			p.desk.ClearSelected()
			p.merge(got)
			p.status.SetText(tr("Done") + ": " + eventText(&sportello.CaseEvent{Kind: e.Kind}) + " · " + got.Subject)
		})
	}()
}

// merge puts a case as syncd returned it in the list, or drops it when it
// left the queue (resolved, or transferred to a desk the user does not work).
func (p *queuePanel) merge(k *sportello.Case) {
	stays := k.Status.AtDesk() && (p.desks == nil || p.desks[k.DeskID])
	for i, have := range p.cases {
		if have.ID != k.ID {
			continue
		}
		if stays {
			p.cases[i] = k
		} else {
			p.cases = append(p.cases[:i], p.cases[i+1:]...)
		}
		p.render()
		return
	}
	if stays {
		p.cases = append(p.cases, k)
	}
	p.render()
}

// queueRow is one case of the queue, selected by a tap.
type queueRow struct {
	widget.Label
	id     string
	tapped func(id string)
}

func newQueueRow(text, id string, tapped func(string)) *queueRow {
	r := &queueRow{id: id, tapped: tapped}
	r.Text = text
	r.Wrapping = fyne.TextWrapWord
	r.ExtendBaseWidget(r)
	return r
}

// Tapped selects the row's case.
func (r *queueRow) Tapped(*fyne.PointEvent) { r.tapped(r.id) }
