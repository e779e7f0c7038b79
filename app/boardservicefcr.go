package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// renderServiceFCR shows today's first-contact resolution per service,
// as recorded and true, each service under the target (either way)
// marked; nothing without wrap-ups today. It comes after the agents:
// with dozens of them they are what the supervisor watches first.
func (p *boardPanel) renderServiceFCR(b *sportello.Board) {
	p.services.RemoveAll()
	if b == nil || len(b.FCR.Services) == 0 {
		return
	}
	p.services.Add(widget.NewSeparator())
	p.services.Add(widget.NewLabelWithStyle(tr("First-contact resolution per service"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, sv := range b.FCR.Services {
		text, under := serviceFCRText(sv, b.FCR.Target)
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		if under {
			l.Importance = widget.WarningImportance
		}
		p.services.Add(l)
	}
}

// serviceFCRText is one service's line, "Anagrafe · FCR as recorded 80%
// (4/5), true 75% (3/4)", and whether either rate is under the target
// (a rate without wrap-ups, or without first contacts, is not).
func serviceFCRText(sv sportello.ServiceFCR, target float64) (string, bool) {
	name := sv.Service
	if name == "" {
		name = tr("no category")
	}
	text := fmt.Sprintf("%s · %s %d%% (%d/%d), %s %d%% (%d/%d)", name,
		tr("FCR as recorded"), percent(sv.Rate()), sv.Resolved, sv.WrapUps,
		tr("true"), percent(sv.TrueRate()), sv.TrueResolved, sv.FirstContacts)
	under := (sv.WrapUps > 0 && sv.Rate() < target) || (sv.FirstContacts > 0 && sv.TrueRate() < target)
	if under {
		text += " · " + tr("UNDER THE TARGET")
	}
	return text, under
}
