package server

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/report"
)

// ReportStore is the part of the store behind the supervisor's daily and
// monthly reports (sync/report makes and exports them).
type ReportStore interface {
	// ReportFacts returns the wrap-ups and desk resolutions in [from, to).
	ReportFacts(ctx context.Context, from, to time.Time) ([]sportello.ReportFact, error)
}

// Log keys of reports.
const (
	logPeriod = "period"
	logDate   = "date"
	logFormat = "format"
)

// handleReport serves GET /v1/reports?period=day|month&date=YYYY-MM-DD
// &format=json|csv|pdf&lang=it|en&breakdown=operator|service|all: the
// report of the day or month (in the board's zone, Europe/Rome) of date,
// today's by default, as JSON (sportello.Report), CSV (docs/REPORTS.md)
// or PDF, with the breakdowns asked for (none by default). Resolution
// times in business hours count the SLA policy's service hours.
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	q := r.URL.Query()
	format, err := report.ParseFormat(q.Get("format"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	breakdown, err := report.ParseBreakdown(q.Get("breakdown"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	period := sportello.ReportPeriod(q.Get("period"))
	if period == "" {
		period = sportello.ReportDay
	}
	cfg := s.boardOf().cfg()
	loc := cfg.Location
	date := q.Get("date")
	if date == "" {
		date = s.Now().In(loc).Format(time.DateOnly)
	}
	hours := cfg.SLA
	hours.Location = loc // the report's zone, whatever the SLA's
	rep, err := report.MakeOn(r.Context(), s.store, hours, period, date, s.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	breakdown.Apply(rep)
	var body bytes.Buffer
	switch format {
	case report.FormatJSON:
		s.writeJSON(w, http.StatusOK, rep)
		return
	case report.FormatCSV:
		err = report.CSV(&body, rep)
	case report.FormatPDF:
		var pdf []byte
		pdf, err = report.PDF(rep, q.Get("lang"))
		body.Write(pdf)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger.Info("report exported", logAgent, u.Username, logPeriod, string(period), logDate, rep.Date, logFormat, string(format))
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="`+report.FileName(rep, format)+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(body.Bytes())
}
