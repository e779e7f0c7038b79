// Package report makes the supervisor's daily and monthly reports
// (sportello.Report) from a store's facts and exports them as CSV and as
// PDF with github.com/go-pdf/fpdf: title, period, the table, totals and
// two bar charts (cases per category, first-contact resolution per desk).
// The CSV's columns are documented in docs/REPORTS.md.
package report

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Rome where the OS has no zone database

	"github.com/sportello/sportello"
)

// Facts is where a report is read from: a store's wrap-ups and desk
// resolutions in [from, to).
type Facts interface {
	ReportFacts(ctx context.Context, from, to time.Time) ([]sportello.ReportFact, error)
}

// Rome returns Europe/Rome, the office's zone (UTC if the zone database
// is missing, which time/tzdata prevents).
func Rome() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return loc
}

// Make reads and computes the report of the period of date in loc
// (Europe/Rome when nil), stamped generated at now.
func Make(ctx context.Context, src Facts, period sportello.ReportPeriod, date string, loc *time.Location, now time.Time) (*sportello.Report, error) {
	if loc == nil {
		loc = Rome()
	}
	from, to, name, err := sportello.ReportRange(period, date, loc)
	if err != nil {
		return nil, err
	}
	facts, err := src.ReportFacts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return sportello.NewReport(period, name, loc.String(), from, to, now, facts), nil
}

// MakeOn is Make with resolution times in business hours counted on
// hours (syncd's SLA policy: its service hours, calendar and location)
// instead of sportello.DefaultReportHours.
func MakeOn(ctx context.Context, src Facts, hours sportello.SLAPolicy, period sportello.ReportPeriod, date string, now time.Time) (*sportello.Report, error) {
	loc := hours.Location
	if loc == nil {
		loc = Rome()
		hours.Location = loc
	}
	from, to, name, err := sportello.ReportRange(period, date, loc)
	if err != nil {
		return nil, err
	}
	facts, err := src.ReportFacts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return sportello.NewReportOn(hours, period, name, loc.String(), from, to, now, facts), nil
}

// Breakdown says which breakdowns an export carries: per operator, per
// service (category), both or neither.
type Breakdown struct {
	Operators, Services bool
}

// ParseBreakdown reads a breakdown's name: "" or "none", "operator",
// "service", "all", or "operator,service".
func ParseBreakdown(s string) (Breakdown, error) {
	var b Breakdown
	for _, part := range strings.Split(s, ",") {
		switch strings.TrimSpace(part) {
		case "", "none":
		case "operator", "operators":
			b.Operators = true
		case "service", "services":
			b.Services = true
		case "all":
			b.Operators, b.Services = true, true
		default:
			return b, sportello.Errorf(sportello.EINVALID, "unknown report breakdown %q: operator, service, all or none", s)
		}
	}
	return b, nil
}

// Apply keeps in r only the breakdowns b asks for.
func (b Breakdown) Apply(r *sportello.Report) {
	if !b.Operators {
		r.Operators = nil
	}
	if !b.Services {
		r.Services = nil
	}
}

// Format is how a report is exported.
type Format string

// Export formats.
const (
	FormatJSON Format = "json"
	FormatCSV  Format = "csv"
	FormatPDF  Format = "pdf"
)

// ParseFormat checks a format's name ("" is JSON).
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case "":
		return FormatJSON, nil
	case FormatJSON, FormatCSV, FormatPDF:
		return f, nil
	}
	return "", sportello.Errorf(sportello.EINVALID, "unknown report format %q: csv, pdf or json", s)
}

// ContentType is the MIME type of a format.
func (f Format) ContentType() string {
	switch f {
	case FormatCSV:
		return "text/csv; charset=utf-8"
	case FormatPDF:
		return "application/pdf"
	}
	return "application/json"
}

// FileName is the name an export of r is saved under, such as
// sportello-report-day-2026-10-25.pdf.
func FileName(r *sportello.Report, f Format) string {
	return "sportello-report-" + string(r.Period) + "-" + r.Date + "." + string(f)
}

// CSVHeader is the CSV's first line; docs/REPORTS.md says what each
// column holds.
var CSVHeader = []string{
	"row", "period", "date", "category", "desk_id", "desk", "outcome", "count", "cases", "resolved",
	"avg_resolution_seconds", "fcr_wrap_ups", "fcr_resolved", "fcr_first_contacts", "fcr_true_resolved",
	"avg_resolution_business_seconds", "operator_id", "operator",
}

// CSV writes r as CSV (RFC 4180, UTF-8, comma-separated): the header,
// one "detail" row per category x desk x outcome, one "desk" row of
// first-contact resolution per desk, one "total" row, then the
// breakdowns r carries (see Breakdown): one "operator" row per operator
// and one "service" row per service.
func CSV(w io.Writer, r *sportello.Report) error {
	cw := csv.NewWriter(w)
	num := func(n int) string { return strconv.Itoa(n) }
	avg := func(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }
	fcr := func(f sportello.FCRCounts) []string {
		return []string{num(f.WrapUps), num(f.Resolved), num(f.FirstContacts), num(f.TrueResolved)}
	}
	records := [][]string{CSVHeader}
	for _, row := range r.Rows {
		records = append(records, []string{"detail", string(r.Period), r.Date, cell(row.Category), row.DeskID, cell(row.DeskName),
			string(row.Outcome), num(row.Count), num(row.Cases), num(row.Resolved), avg(row.AvgResolution()), "", "", "", "",
			avg(row.AvgBusinessResolution()), "", ""})
	}
	for _, d := range r.Desks {
		records = append(records, append(append([]string{"desk", string(r.Period), r.Date, "", d.DeskID, cell(d.DeskName),
			"", "", "", "", ""}, fcr(d.FCRCounts)...), "", "", ""))
	}
	t, count := r.Totals, 0
	for _, row := range r.Rows {
		count += row.Count
	}
	records = append(records, append(append([]string{"total", string(r.Period), r.Date, "", "", "",
		"", num(count), num(t.Cases), num(t.Resolved), avg(t.AvgResolution())}, fcr(t.FCR)...), avg(t.AvgBusinessResolution()), "", ""))
	for _, b := range r.Operators {
		records = append(records, append(append([]string{"operator", string(r.Period), r.Date, "", "", "",
			"", num(b.Facts), num(b.Cases), num(b.Resolved), avg(b.AvgResolution())}, fcr(b.FCR)...), avg(b.AvgBusinessResolution()), b.Key, cell(b.Name)))
	}
	for _, b := range r.Services {
		records = append(records, append(append([]string{"service", string(r.Period), r.Date, cell(b.Name), "", "",
			"", num(b.Facts), num(b.Cases), num(b.Resolved), avg(b.AvgResolution())}, fcr(b.FCR)...), avg(b.AvgBusinessResolution()), "", ""))
	}
	if err := cw.WriteAll(records); err != nil {
		return fmt.Errorf("report csv: %w", err)
	}
	return nil
}

// cell keeps a spreadsheet from running a name as a formula: text that
// starts with = + - or @ gets a leading ' (as "syncd audit export").
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}
