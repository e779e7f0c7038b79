package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/report"
)

// CommandReport writes the daily or monthly report (docs/REPORTS.md).
const CommandReport = "report"

// ReportCommand is what "report" writes: the report of Period (day or
// month) of Date in Europe/Rome, as Format, in Lang, to Out (stdout
// when empty), with the breakdowns per operator and per service that
// Breakdown asks for.
type ReportCommand struct {
	Period    sportello.ReportPeriod
	Date      string
	Format    report.Format
	Lang      string
	Out       string
	Breakdown report.Breakdown
}

// parseReport reads "report --db PATH [--period day|month] [--date
// YYYY-MM-DD|YYYY-MM] [--format csv|pdf|json] [--lang it|en] [--out FILE]
// [--breakdown operator|service|all]".
func (m *Main) parseReport(args []string) error {
	fs := m.newFlagSet("report")
	db := fs.String("db", "", "SQLite database file, or a postgres:// URL")
	period := fs.String("period", string(sportello.ReportDay), "day or month (Europe/Rome)")
	date := fs.String("date", "", "YYYY-MM-DD, or YYYY-MM for a month (default: today)")
	format := fs.String("format", string(report.FormatCSV), "csv, pdf or json")
	lang := fs.String("lang", sportello.LangItalian, "language of the PDF: it or en")
	out := fs.String("out", "", "file to write (default: standard output)")
	breakdown := fs.String("breakdown", "", "add per-operator and per-service breakdowns: operator, service or all")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *db == "" {
		return errors.New("syncd report needs --db PATH")
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		return errors.New(sportello.ErrorMessage(err))
	}
	b, err := report.ParseBreakdown(*breakdown)
	if err != nil {
		return errors.New(sportello.ErrorMessage(err))
	}
	p := sportello.ReportPeriod(*period)
	if *date == "" {
		*date = m.Now().In(report.Rome()).Format(time.DateOnly)
	}
	if _, _, _, err := sportello.ReportRange(p, *date, report.Rome()); err != nil {
		return errors.New(sportello.ErrorMessage(err))
	}
	m.DB = *db
	m.Report = ReportCommand{Period: p, Date: *date, Format: f, Lang: *lang, Out: *out, Breakdown: b}
	return nil
}

// writeReport reads the period's facts from the store and writes the
// report; a file is written whole or not at all.
func (m *Main) writeReport(ctx context.Context) error {
	if err := m.openStore(); err != nil {
		return err
	}
	c := m.Report
	r, err := report.Make(ctx, m.Store, c.Period, c.Date, report.Rome(), m.Now())
	if err != nil {
		return err
	}
	c.Breakdown.Apply(r)
	var buf bytes.Buffer
	switch c.Format {
	case report.FormatCSV:
		err = report.CSV(&buf, r)
	case report.FormatPDF:
		var pdf []byte
		pdf, err = report.PDF(r, c.Lang)
		buf.Write(pdf)
	default:
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	}
	if err != nil {
		return err
	}
	if c.Out == "" {
		_, err := m.Stdout.Write(buf.Bytes())
		return err
	}
	tmp := c.Out + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, c.Out); err != nil {
		os.Remove(tmp)
		return err
	}
	fmt.Fprintf(m.Stderr, "wrote the %s report of %s (%d cases, %d rows) to %s\n", r.Period, r.Date, r.Totals.Cases, len(r.Rows), c.Out)
	return nil
}
