package report

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sportello/sportello"
)

// FCRTarget is the service's first-contact resolution target, drawn as a
// line on the per-desk chart.
const FCRTarget = 0.8

// words are a report's fixed words per language.
type words struct {
	months                                        [12]string
	day, month, period, from, to, generated       string
	category, desk, outcome, count, cases         string
	resolved, avgResolution, avgShort, firstLevel string
	totals, contacts, missed, fcr, trueFCR        string
	casesPerCategory, fcrPerDesk, target, none    string
	// The breakdowns (breakdown.go) and business hours.
	avgBusiness, businessShort, byOperator, byService string
	operator, service, noAuthor, fcrShort, trueShort  string
	missedShort                                       string
	outcomes                                          map[sportello.Outcome]string
}

var dictionary = map[string]words{
	sportello.LangItalian: {
		months: [12]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
		day:    "Rapporto giornaliero", month: "Rapporto mensile", period: "Periodo", from: "dalle", to: "alle", generated: "Generato il",
		category: "Categoria", desk: "Sportello", outcome: "Esito", count: "Contatti", cases: "Pratiche",
		resolved: "Risolte", avgResolution: "Tempo medio di risoluzione", avgShort: "Tempo medio", firstLevel: "Primo livello",
		totals: "Totali", contacts: "Contatti (chiamate gestite)", missed: "Chiamate perse",
		fcr: "Risolto al primo contatto (registrato)", trueFCR: "Risolto al primo contatto (reale, senza ricontatti)",
		casesPerCategory: "Pratiche per categoria", fcrPerDesk: "Risoluzione al primo contatto per sportello",
		target: "obiettivo", none: "Nessuna chiamata né pratica risolta in questo periodo.",
		avgBusiness: "Tempo medio di risoluzione in ore di servizio", businessShort: "Ore di servizio",
		byOperator: "Per operatore", byService: "Per servizio", operator: "Operatore", service: "Servizio",
		noAuthor: "(nessuno)", fcrShort: "FCR reg.", trueShort: "FCR reale", missedShort: "Perse",
		outcomes: map[sportello.Outcome]string{
			sportello.OutcomeResolvedFirstContact: "Risolto al primo contatto", sportello.OutcomeTransferred: "Trasferito",
			sportello.OutcomeEscalated: "Inoltrato allo sportello", sportello.OutcomeCallbackScheduled: "Richiamata programmata",
			sportello.OutcomeAppointmentBooked: "Appuntamento prenotato", sportello.OutcomeResolvedAtDesk: "Risolto dallo sportello",
			sportello.OutcomeMissed: "Chiamata persa",
		},
	},
	sportello.LangEnglish: {
		months: [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		day:    "Daily report", month: "Monthly report", period: "Period", from: "from", to: "to", generated: "Generated on",
		category: "Category", desk: "Desk", outcome: "Outcome", count: "Contacts", cases: "Cases",
		resolved: "Resolved", avgResolution: "Average resolution time", avgShort: "Average time", firstLevel: "First level",
		totals: "Totals", contacts: "Contacts (calls handled)", missed: "Missed calls",
		fcr: "First-contact resolution (recorded)", trueFCR: "First-contact resolution (true, repeat contacts removed)",
		casesPerCategory: "Cases per category", fcrPerDesk: "First-contact resolution per desk",
		target: "target", none: "No calls and no cases resolved in this period.",
		avgBusiness: "Average resolution time in business hours", businessShort: "Business hours",
		byOperator: "By operator", byService: "By service", operator: "Operator", service: "Service",
		noAuthor: "(nobody)", fcrShort: "FCR rec.", trueShort: "True FCR", missedShort: "Missed",
		outcomes: map[sportello.Outcome]string{
			sportello.OutcomeResolvedFirstContact: "Resolved at first contact", sportello.OutcomeTransferred: "Transferred",
			sportello.OutcomeEscalated: "Escalated to a desk", sportello.OutcomeCallbackScheduled: "Callback scheduled",
			sportello.OutcomeAppointmentBooked: "Appointment booked", sportello.OutcomeResolvedAtDesk: "Resolved by the desk",
			sportello.OutcomeMissed: "Missed call",
		},
	},
}

// OutcomeText names an outcome in lang (Italian unless LangEnglish).
func OutcomeText(o sportello.Outcome, lang string) string {
	if s, ok := wordsOf(lang).outcomes[o]; ok {
		return s
	}
	return string(o)
}

// DeskText names a report's desk in lang: the first level for "".
func DeskText(id, name, lang string) string {
	switch {
	case id == "":
		return wordsOf(lang).firstLevel
	case name == "":
		return id
	}
	return name
}

// DurationText writes a resolution time for people: "2 g 3 h 5 min",
// "45 min" ("d" for days in English).
func DurationText(d time.Duration, lang string) string {
	dayUnit := "g"
	if lang == sportello.LangEnglish {
		dayUnit = "d"
	}
	mins := int64(d / time.Minute)
	days, hours, m := mins/(24*60), mins/60%24, mins%60
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", days, dayUnit))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%d h", hours))
	}
	if m > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d min", m))
	}
	return strings.Join(parts, " ")
}

// PeriodText names a report's period in lang: "25 ottobre 2026",
// "ottobre 2026".
func PeriodText(r *sportello.Report, lang string) string {
	w := wordsOf(lang)
	loc, err := time.LoadLocation(r.Zone)
	if err != nil {
		loc = Rome()
	}
	from := r.From.In(loc)
	if r.Period == sportello.ReportMonth {
		return fmt.Sprintf("%s %d", w.months[from.Month()-1], from.Year())
	}
	return fmt.Sprintf("%d %s %d", from.Day(), w.months[from.Month()-1], from.Year())
}

func wordsOf(lang string) words {
	if w, ok := dictionary[lang]; ok {
		return w
	}
	return dictionary[sportello.LangItalian]
}

func percent(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }

// PDF renders r as an A4 PDF in lang (Italian unless LangEnglish): title,
// period, the table of categories x desks x outcomes, totals and two bar
// charts drawn with rectangles. Text goes through fpdf's cp1252
// translator, so accented Italian renders in the core fonts.
func PDF(r *sportello.Report, lang string) ([]byte, error) {
	w := wordsOf(lang)
	title := w.day
	if r.Period == sportello.ReportMonth {
		title = w.month
	}
	loc, err := time.LoadLocation(r.Zone)
	if err != nil {
		loc = Rome()
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(title+" "+r.Date, true)
	pdf.SetCreator("Sportello", false)
	pdf.SetCreationDate(r.Generated)
	pdf.SetModificationDate(r.Generated)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(0, 9, tr(title+" – Sportello"), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	stamp := "02/01/2006 15:04"
	pdf.CellFormat(0, 5.5, tr(fmt.Sprintf("%s: %s (%s %s %s %s, %s)", w.period, PeriodText(r, lang),
		w.from, r.From.In(loc).Format(stamp), w.to, r.To.In(loc).Format(stamp), r.Zone)), "", 1, "L", false, 0, "")
	pdf.SetTextColor(100, 100, 100)
	pdf.CellFormat(0, 5.5, tr(w.generated+" "+r.Generated.In(loc).Format(stamp)), "", 1, "L", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(3)

	// The table.
	cols := []struct {
		head  string
		width float64
		align string
	}{
		{w.category, 32, "L"}, {w.desk, 30, "L"}, {w.outcome, 40, "L"}, {w.count, 15, "R"},
		{w.cases, 15, "R"}, {w.resolved, 14, "R"}, {w.avgShort, 34, "R"},
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
	header()
	_, pageH := pdf.GetPageSize()
	_, _, _, bottom := pdf.GetMargins()
	for _, row := range r.Rows {
		if pdf.GetY()+5.5 > pageH-bottom {
			pdf.AddPage() // the header again on every page of the table
			header()
		}
		avg := ""
		if row.Resolved > 0 {
			avg = DurationText(row.AvgResolution(), lang)
		}
		cells := []string{row.Category, DeskText(row.DeskID, row.DeskName, lang), OutcomeText(row.Outcome, lang),
			fmt.Sprint(row.Count), fmt.Sprint(row.Cases), fmt.Sprint(row.Resolved), avg}
		for i, c := range cols {
			pdf.CellFormat(c.width, 5.5, tr(clip(pdf, cells[i], c.width)), "1", 0, c.align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	if len(r.Rows) == 0 {
		pdf.CellFormat(0, 6, tr(w.none), "", 1, "L", false, 0, "")
	}
	pdf.Ln(4)

	// Totals.
	t := r.Totals
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 7, tr(w.totals), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 9)
	lines := [][2]string{
		{w.cases, fmt.Sprint(t.Cases)},
		{w.contacts, fmt.Sprint(t.Contacts)},
		{w.missed, fmt.Sprint(t.Missed)},
		{w.resolved, fmt.Sprint(t.Resolved)},
		{w.avgResolution, DurationText(t.AvgResolution(), lang)},
		{w.avgBusiness, DurationText(t.AvgBusinessResolution(), lang)},
		{w.fcr, fmt.Sprintf("%s (%d/%d)", percent(t.FCR.Rate()), t.FCR.Resolved, t.FCR.WrapUps)},
		{w.trueFCR, fmt.Sprintf("%s (%d/%d)", percent(t.FCR.TrueRate()), t.FCR.TrueResolved, t.FCR.FirstContacts)},
	}
	for _, l := range lines {
		pdf.CellFormat(95, 5.5, tr(l[0]), "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 5.5, tr(l[1]), "", 1, "L", false, 0, "")
	}
	pdf.Ln(4)

	// Charts: bars drawn with rectangles, scaled to the largest value.
	var cats []bar
	for _, c := range r.Categories {
		cats = append(cats, bar{label: c.Category, value: float64(c.Cases), text: fmt.Sprint(c.Cases)})
	}
	chart(pdf, tr, w.casesPerCategory, cats, 0, "", [3]int{60, 110, 180})
	var desks []bar
	for _, d := range r.Desks {
		desks = append(desks, bar{label: DeskText(d.DeskID, d.DeskName, lang), value: d.Rate(),
			text: fmt.Sprintf("%s (%d/%d)", percent(d.Rate()), d.Resolved, d.WrapUps)})
	}
	chart(pdf, tr, w.fcrPerDesk, desks, 1, fmt.Sprintf("%s %s", w.target, percent(FCRTarget)), [3]int{70, 150, 90})
	breakdownTable(pdf, tr, w, lang, w.byOperator, w.operator, r.Operators) // breakdown.go
	breakdownTable(pdf, tr, w, lang, w.byService, w.service, r.Services)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("report pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// bar is one bar of a chart: its label, length and the text after it.
type bar struct {
	label, text string
	value       float64
}

// chart draws a horizontal bar chart under a heading; scale is the value
// of a full bar (0: the largest value) and target, when named, a
// vertical line at FCRTarget of the scale.
func chart(pdf *fpdf.Fpdf, tr func(string) string, heading string, bars []bar, scale float64, target string, rgb [3]int) {
	const labelW, barMax, barH, gap = 45.0, 95.0, 5.0, 1.5
	if len(bars) == 0 {
		return
	}
	if pdf.GetY()+10+float64(len(bars))*(barH+gap) > 282 {
		pdf.AddPage()
	}
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 7, tr(heading), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 8)
	if scale == 0 {
		for _, b := range bars {
			scale = max(scale, b.value)
		}
	}
	left, top := pdf.GetX(), pdf.GetY()
	pdf.SetFillColor(rgb[0], rgb[1], rgb[2])
	for i, b := range bars {
		y := top + float64(i)*(barH+gap)
		pdf.SetXY(left, y)
		pdf.CellFormat(labelW, barH, tr(clip(pdf, b.label, labelW)), "", 0, "L", false, 0, "")
		length := 0.0
		if scale > 0 {
			length = barMax * b.value / scale
		}
		if length > 0 {
			pdf.Rect(left+labelW, y+0.5, length, barH-1, "F")
		}
		pdf.SetXY(left+labelW+length+1.5, y)
		pdf.CellFormat(40, barH, tr(b.text), "", 0, "L", false, 0, "")
	}
	bottom := top + float64(len(bars))*(barH+gap)
	if target != "" {
		x := left + labelW + barMax*FCRTarget
		pdf.SetDrawColor(200, 40, 40)
		pdf.SetLineWidth(0.4)
		pdf.Line(x, top-1, x, bottom)
		pdf.SetTextColor(200, 40, 40)
		pdf.SetXY(x-10, bottom)
		pdf.CellFormat(20, 4, tr(target), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
		pdf.SetDrawColor(0, 0, 0)
		pdf.SetLineWidth(0.2)
		bottom += 4
	}
	pdf.SetXY(left, bottom+3)
}

// clip shortens s so that it fits in width mm in the current font.
func clip(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width-2 {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && pdf.GetStringWidth(string(r)+"…") > width-2 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
