package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// ShortcutAssignCase gives the chosen waiting case to the chosen
// specialist from the board (Alt+G: "assegna").
var ShortcutAssignCase = &desktop.CustomShortcut{KeyName: fyne.KeyG, Modifier: fyne.KeyModifierAlt}

// assignPanel is the board's part for giving a case waiting at a desk to
// one of the desk's specialists: the cases nobody holds (those of the
// Sportello tab's queue, which a supervisor's desktop reads for every
// desk and reads again on each change at a desk: the board adds no read
// of its own), the specialists on the board who work at the chosen
// case's desk, and the button.
type assignPanel struct {
	p      *boardPanel
	box    *fyne.Container
	cases  *widget.Select
	to     *widget.Select
	button *tipButton
	status *widget.Label // what the last assignment did, on the board itself

	// State, touched only on Fyne's goroutine.
	waiting     []*sportello.Case
	specialists []sportello.BoardAgent // of the chosen case's desk
}

func newAssignPanel(p *boardPanel) *assignPanel {
	a := &assignPanel{p: p}
	a.cases = widget.NewSelect(nil, func(string) { a.chooseCase() })
	a.cases.PlaceHolder = tr("Case waiting at a desk")
	a.to = widget.NewSelect(nil, nil)
	a.to.PlaceHolder = tr("Specialist")
	a.button = newTipButton(tr("Assign to the specialist"), ShortcutAssignCase, a.assign)
	a.status = widget.NewLabel("")
	a.status.Wrapping = fyne.TextWrapWord
	a.box = container.NewVBox(widget.NewLabelWithStyle(tr("Assign a case to a specialist"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewHBox(a.cases, a.to, a.button), a.status)
	if a.service() == nil {
		a.box.Hide()
	}
	return a
}

// service is the assigning service, nil when the desktop has none (or no
// desk queue to pick cases from).
func (a *assignPanel) service() sportello.AssignService {
	s, _ := a.p.s.cfg.BoardActions.(sportello.AssignService)
	if a.p.s.queue == nil {
		return nil
	}
	return s
}

// render follows a new board: the specialists of the chosen case's desk
// follow the agents on the board.
func (a *assignPanel) render(b *sportello.Board) {
	if a.service() == nil {
		return
	}
	if b == nil { // signed out: forget the cases and what was said
		a.showCases(nil)
		a.status.SetText("")
		return
	}
	a.showCases(a.p.s.queue.cases)
}

// queueRead gives the board's assign panel the cases the desk queue just
// read (queue.go calls it after each read).
func (s *operatorScreen) queueRead() {
	if s.board != nil && s.board.act != nil && s.board.act.assign.service() != nil {
		s.board.act.assign.showCases(s.queue.cases)
	}
}

// showCases lists the cases nobody holds, keeping the choice when the
// case is still waiting.
func (a *assignPanel) showCases(cases []*sportello.Case) {
	var waiting []*sportello.Case
	var options []string
	for _, k := range cases {
		if k.Status != sportello.StatusEscalated {
			continue
		}
		waiting = append(waiting, k)
		options = append(options, a.caseText(k))
	}
	if slices.Equal(options, a.cases.Options) && slices.EqualFunc(waiting, a.waiting, func(x, y *sportello.Case) bool { return x.ID == y.ID }) {
		a.chooseCase() // the same cases: only the specialists may differ
		return
	}
	chosen := a.chosenCase()
	a.waiting = waiting
	a.cases.SetOptions(options)
	a.cases.ClearSelected()
	if chosen != nil {
		for i, k := range a.waiting {
			if k.ID == chosen.ID {
				a.cases.SetSelectedIndex(i)
			}
		}
	}
	a.chooseCase()
}

// caseText is a waiting case in the list: subject or category, citizen,
// desk and since when.
func (a *assignPanel) caseText(k *sportello.Case) string {
	parts := []string{cmp.Or(k.Subject, k.Category)}
	if k.CitizenName != "" {
		parts = append(parts, k.CitizenName)
	}
	parts = append(parts, a.deskName(k.DeskID))
	if !k.EscalatedAt.IsZero() {
		parts = append(parts, tr("since")+" "+a.p.s.date(k.EscalatedAt))
	}
	return strings.Join(parts, " · ")
}

func (a *assignPanel) deskName(id string) string {
	if b := a.p.board; b != nil {
		for _, d := range b.Desks {
			if d.ID == id {
				return d.Name
			}
		}
	}
	return id
}

func (a *assignPanel) chosenCase() *sportello.Case {
	i := a.cases.SelectedIndex()
	if i < 0 || i >= len(a.waiting) {
		return nil
	}
	return a.waiting[i]
}

// chooseCase lists the specialists on the board who work at the chosen
// case's desk.
func (a *assignPanel) chooseCase() {
	k, b := a.chosenCase(), a.p.board
	var prev string
	if i := a.to.SelectedIndex(); i >= 0 && i < len(a.specialists) {
		prev = a.specialists[i].ID
	}
	var specialists []sportello.BoardAgent
	var names []string
	if k != nil && b != nil {
		for _, ag := range b.Agents {
			if ag.Role == sportello.RoleSpecialist && slices.Contains(ag.Desks, k.DeskID) {
				specialists = append(specialists, ag)
				names = append(names, ag.Name+" · "+agentStateText(ag.State))
			}
		}
	}
	same := slices.EqualFunc(specialists, a.specialists, func(x, y sportello.BoardAgent) bool { return x.ID == y.ID })
	a.specialists = specialists
	if same && slices.Equal(names, a.to.Options) {
		return // the choice stays as it is
	}
	a.to.SetOptions(names)
	a.to.ClearSelected()
	for i, s := range a.specialists {
		if s.ID == prev {
			a.to.SetSelectedIndex(i)
		}
	}
}

// assign gives the chosen case to the chosen specialist; the change comes
// back through the feed and the next board, the list is read again.
func (a *assignPanel) assign() {
	svc := a.service()
	if svc == nil || !a.p.viewer() {
		return
	}
	k, i := a.chosenCase(), a.to.SelectedIndex()
	if k == nil || i < 0 || i >= len(a.specialists) {
		a.showError(sportello.Errorf(sportello.EINVALID, "choose a case and a specialist"))
		return
	}
	caseID, who := k.ID, a.specialists[i]
	s := a.p.s
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		defer cancel()
		_, err := svc.AssignCase(ctx, caseID, who.ID)
		do(func() {
			if err != nil {
				a.showError(err)
				return
			}
			a.status.Importance = widget.SuccessImportance
			a.status.SetText(fmt.Sprintf(tr("Case assigned to %s"), who.Name))
			s.queue.refresh() // the change is pushed too; this one shows it at once
		})
	}()
}

// showError says on the board why the assignment was refused (ECONFLICT
// names who holds the case).
func (a *assignPanel) showError(err error) {
	a.status.Importance = widget.DangerImportance
	a.status.SetText(errorText(err))
	a.p.s.cfg.Logger.Warn("assign a case", "error", err)
}
