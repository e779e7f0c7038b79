package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// renderBreakdowns adds to the report's totals the average resolution
// time in business hours and, when syncd sent them, the lines per
// operator and per service.
func (p *reportsPanel) renderBreakdowns(r *sportello.Report) {
	p.totals.Add(widget.NewLabel(fmt.Sprintf(tr("Average resolution time in business hours: %s"), resolutionText(r.Totals.AvgBusinessResolution()))))
	for _, part := range []struct {
		title string
		rows  []sportello.ReportBreakdown
	}{{tr("Per operator"), r.Operators}, {tr("Per service"), r.Services}} {
		if len(part.rows) == 0 {
			continue
		}
		p.totals.Add(widget.NewLabelWithStyle(part.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, b := range part.rows {
			p.totals.Add(widget.NewLabel(breakdownText(b)))
		}
	}
}

// breakdownText is one operator's or service's line: "Giulia Bianchi ·
// contacts 3 · missed 1 · resolved 2 · average 2 h, 1 h in business
// hours · FCR 50% (1/2), true 100% (1/1)".
func breakdownText(b sportello.ReportBreakdown) string {
	name := b.Name
	if name == "" {
		name = tr("(nobody)")
	}
	s := fmt.Sprintf(tr("%s · contacts %d · missed %d · resolved %d"), name, b.Contacts, b.Missed, b.Resolved)
	if b.Resolved > 0 {
		s += " · " + fmt.Sprintf(tr("average %s, %s in business hours"), resolutionText(b.AvgResolution()), resolutionText(b.AvgBusinessResolution()))
	}
	if b.FCR.WrapUps > 0 {
		s += " · " + fmt.Sprintf(tr("FCR %s (%d/%d), true %s (%d/%d)"), percentText(b.FCR.Rate()), b.FCR.Resolved, b.FCR.WrapUps,
			percentText(b.FCR.TrueRate()), b.FCR.TrueResolved, b.FCR.FirstContacts)
	}
	return s
}
