package report

import (
	"fmt"

	"github.com/go-pdf/fpdf"

	"github.com/sportello/sportello"
)

// breakdownTable draws a breakdown (per operator or per service) under a
// heading: contacts, missed calls, cases, resolved, the average
// resolution time on the wall clock and in business hours, and
// first-contact resolution as recorded and true. Nothing without rows.
func breakdownTable(pdf *fpdf.Fpdf, tr func(string) string, w words, lang, heading, first string, rows []sportello.ReportBreakdown) {
	if len(rows) == 0 {
		return
	}
	cols := []struct {
		head  string
		width float64
		align string
	}{
		{first, 38, "L"}, {w.count, 15, "R"}, {w.missedShort, 15, "R"}, {w.cases, 15, "R"}, {w.resolved, 14, "R"},
		{w.avgShort, 22, "R"}, {w.businessShort, 23, "R"}, {w.fcrShort, 19, "R"}, {w.trueShort, 19, "R"},
	}
	header := func() {
		pdf.SetFont("Helvetica", "B", 8)
		pdf.SetFillColor(225, 230, 240)
		for _, c := range cols {
			pdf.CellFormat(c.width, 6, tr(clip(pdf, c.head, c.width)), "1", 0, c.align, true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 8)
	}
	_, pageH := pdf.GetPageSize()
	_, _, _, bottom := pdf.GetMargins()
	if pdf.GetY()+7+6+5.5 > pageH-bottom {
		pdf.AddPage()
	}
	pdf.Ln(2)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 7, tr(heading), "", 1, "L", false, 0, "")
	header()
	for _, b := range rows {
		if pdf.GetY()+5.5 > pageH-bottom {
			pdf.AddPage()
			header()
		}
		name := b.Name
		if name == "" {
			name = w.noAuthor
		}
		avg, biz := "", ""
		if b.Resolved > 0 {
			avg, biz = DurationText(b.AvgResolution(), lang), DurationText(b.AvgBusinessResolution(), lang)
		}
		fcr, trueFCR := "", ""
		if b.FCR.WrapUps > 0 {
			fcr = fmt.Sprintf("%s (%d/%d)", percent(b.FCR.Rate()), b.FCR.Resolved, b.FCR.WrapUps)
		}
		if b.FCR.FirstContacts > 0 {
			trueFCR = fmt.Sprintf("%s (%d/%d)", percent(b.FCR.TrueRate()), b.FCR.TrueResolved, b.FCR.FirstContacts)
		}
		cells := []string{name, fmt.Sprint(b.Contacts), fmt.Sprint(b.Missed), fmt.Sprint(b.Cases), fmt.Sprint(b.Resolved), avg, biz, fcr, trueFCR}
		for i, c := range cols {
			pdf.CellFormat(c.width, 5.5, tr(clip(pdf, cells[i], c.width)), "1", 0, c.align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(3)
}
