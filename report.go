package sportello

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// ReportPeriod is how long a supervisor's report covers: one day or one
// calendar month of the office's time zone.
type ReportPeriod string

// Report periods.
const (
	ReportDay   ReportPeriod = "day"
	ReportMonth ReportPeriod = "month"
)

// OutcomeResolvedAtDesk is the outcome a report gives a case resolved
// by its holder (a resolved event, not a wrap-up): it never appears on a
// wrap-up, and Outcome.Valid refuses it there.
const OutcomeResolvedAtDesk Outcome = "resolved_at_desk"

// ReportOutcomes lists the outcomes of a report's rows in the order they
// are shown: the wrap-up form's, then resolutions at a desk, then calls
// missed.
var ReportOutcomes = []Outcome{
	OutcomeResolvedFirstContact, OutcomeTransferred, OutcomeEscalated,
	OutcomeCallbackScheduled, OutcomeAppointmentBooked, OutcomeResolvedAtDesk, OutcomeMissed,
}

// ReportFact is one thing that happened to a case in a report's period,
// as a store reads it: a wrap-up (Outcome its outcome, missed calls
// included) or a resolution by a case's holder (OutcomeResolvedAtDesk).
//
// Category is the wrap-up's category, else the case's. DeskID is the desk
// an escalating wrap-up sent the case to, else the desk the case was last
// sent to before the event ("" for a case never escalated: the first
// level). FirstContact and TrueResolved are the wrap-up's true
// first-contact flags (see FCRCounts); they are false on resolutions and
// missed calls.
type ReportFact struct {
	CaseID       string    `json:"case_id"`
	Category     string    `json:"category"`
	DeskID       string    `json:"desk_id,omitempty"`
	DeskName     string    `json:"desk_name,omitempty"`
	Outcome      Outcome   `json:"outcome"`
	At           time.Time `json:"at"`
	OpenedAt     time.Time `json:"opened_at"`
	FirstContact bool      `json:"first_contact,omitempty"`
	TrueResolved bool      `json:"true_resolved,omitempty"`
	// AuthorID and Author are who recorded the fact: the operator of a
	// wrap-up (the one whose phone rang, for a missed call), the holder
	// who resolved a case at a desk.
	AuthorID string `json:"author_id,omitempty"`
	Author   string `json:"author,omitempty"`
}

// Resolves reports whether the fact closed its case: a wrap-up resolved
// at first contact, or a resolution at a desk.
func (f ReportFact) Resolves() bool {
	return f.Outcome == OutcomeResolvedFirstContact || f.Outcome == OutcomeResolvedAtDesk
}

// ReportRow is one category x desk x outcome of a report: how many
// wrap-ups or resolutions (Count), on how many cases, how many of them
// resolved their case, and the resolution time summed over those.
//
// Resolution time is wall-clock time, from the case's opening to the
// event that resolved it; a case reopened and resolved again counts from
// its first opening. A case opened by the call that resolves it at first
// contact takes 0. BusinessSeconds is the same span counted only inside
// the service hours of business days (SLAPolicy.ServiceTime): a case
// opened on Friday at 18:00 and resolved on Monday at 09:00 took 63
// hours, 2 of them business hours.
type ReportRow struct {
	Category          string  `json:"category"`
	DeskID            string  `json:"desk_id,omitempty"`
	DeskName          string  `json:"desk_name,omitempty"`
	Outcome           Outcome `json:"outcome"`
	Count             int     `json:"count"`
	Cases             int     `json:"cases"`
	Resolved          int     `json:"resolved"`
	ResolutionSeconds int64   `json:"resolution_seconds"`
	BusinessSeconds   int64   `json:"business_seconds"`
}

// AvgResolution returns the average wall-clock resolution time of the
// row's resolutions, 0 without any.
func (r ReportRow) AvgResolution() time.Duration {
	return avgSeconds(r.ResolutionSeconds, r.Resolved)
}

// AvgBusinessResolution returns the average resolution time of the row's
// resolutions in business hours, 0 without any.
func (r ReportRow) AvgBusinessResolution() time.Duration {
	return avgSeconds(r.BusinessSeconds, r.Resolved)
}

// ReportCategory is one category's totals: the cases with a wrap-up or a
// resolution in the period, and the wrap-ups (contacts, missed calls
// apart).
type ReportCategory struct {
	Category string `json:"category"`
	Cases    int    `json:"cases"`
	Contacts int    `json:"contacts"`
}

// ReportDesk is first-contact resolution of the wrap-ups about one desk
// (DeskID "" is the first level: cases never escalated), as recorded and
// true.
type ReportDesk struct {
	DeskID   string `json:"desk_id,omitempty"`
	DeskName string `json:"desk_name,omitempty"`
	FCRCounts
}

// ReportTotals are a report's totals: distinct cases, contacts
// (wrap-ups, missed calls apart), missed calls, resolutions and their
// summed wall-clock time, and first-contact resolution.
type ReportTotals struct {
	Cases             int       `json:"cases"`
	Contacts          int       `json:"contacts"`
	Missed            int       `json:"missed"`
	Resolved          int       `json:"resolved"`
	ResolutionSeconds int64     `json:"resolution_seconds"`
	BusinessSeconds   int64     `json:"business_seconds"`
	FCR               FCRCounts `json:"fcr"`
}

// AvgResolution returns the average wall-clock resolution time of the
// period's resolutions, 0 without any.
func (t ReportTotals) AvgResolution() time.Duration {
	return avgSeconds(t.ResolutionSeconds, t.Resolved)
}

// AvgBusinessResolution returns the average resolution time of the
// period's resolutions in business hours, 0 without any.
func (t ReportTotals) AvgBusinessResolution() time.Duration {
	return avgSeconds(t.BusinessSeconds, t.Resolved)
}

// Report is a supervisor's daily or monthly report: per category x desk x
// outcome, counts and average resolution time, with totals, cases per
// category and first-contact resolution per desk. From and To (UTC) are
// the period's bounds in the office's zone: From included, To excluded,
// so a day is 23 or 25 hours long when daylight saving time changes.
type Report struct {
	Period     ReportPeriod     `json:"period"`
	Date       string           `json:"date"` // 2026-11-26 for a day, 2026-11 for a month
	Zone       string           `json:"zone"`
	From       time.Time        `json:"from"`
	To         time.Time        `json:"to"`
	Generated  time.Time        `json:"generated"`
	Rows       []ReportRow      `json:"rows"`
	Categories []ReportCategory `json:"categories"`
	Desks      []ReportDesk     `json:"desks"`
	Totals     ReportTotals     `json:"totals"`
	// Operators and Services break the period down per operator (who
	// recorded the facts) and per service (category); see
	// ReportBreakdown (reportbreakdown.go).
	Operators []ReportBreakdown `json:"operators,omitempty"`
	Services  []ReportBreakdown `json:"services,omitempty"`
}

// ReportService gives supervisors the report of a period (date is
// YYYY-MM-DD; for a month, any day of it, or YYYY-MM) and exports it as a
// file: format "csv" or "pdf", lang LangItalian or LangEnglish (PDF).
type ReportService interface {
	Report(ctx context.Context, period ReportPeriod, date string) (*Report, error)
	ExportReport(ctx context.Context, period ReportPeriod, date, format, lang string) ([]byte, error)
}

// ReportRange returns the bounds (UTC) of the period of date in loc, and
// the date as the report names it (YYYY-MM-DD, or YYYY-MM for a month).
// A month accepts YYYY-MM or any YYYY-MM-DD of it.
func ReportRange(period ReportPeriod, date string, loc *time.Location) (from, to time.Time, name string, err error) {
	if loc == nil {
		loc = time.UTC
	}
	date = strings.TrimSpace(date)
	switch period {
	case ReportDay:
		d, err := time.ParseInLocation(time.DateOnly, date, loc)
		if err != nil {
			return from, to, "", Errorf(EINVALID, "the date %q is not YYYY-MM-DD", date)
		}
		from = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
		to = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
		return from.UTC(), to.UTC(), from.Format(time.DateOnly), nil
	case ReportMonth:
		d, err := time.ParseInLocation("2006-01", date, loc)
		if err != nil {
			if d, err = time.ParseInLocation(time.DateOnly, date, loc); err != nil {
				return from, to, "", Errorf(EINVALID, "the month %q is not YYYY-MM", date)
			}
		}
		from = time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, loc)
		to = time.Date(d.Year(), d.Month()+1, 1, 0, 0, 0, 0, loc)
		return from.UTC(), to.UTC(), from.Format("2006-01"), nil
	}
	return from, to, "", Errorf(EINVALID, "unknown report period %q: day or month", period)
}

// NewReport makes the report of a period from the facts a store read in
// it, with business hours on DefaultReportHours(zone): see NewReportOn.
func NewReport(period ReportPeriod, date, zone string, from, to, generated time.Time, facts []ReportFact) *Report {
	return NewReportOn(DefaultReportHours(zone), period, date, zone, from, to, generated, facts)
}

// NewReportOn makes the report of a period from the facts a store read in
// it: rows by category, desk and outcome (in ReportOutcomes order), cases
// per category (most first), first-contact resolution per desk (first
// level first, then by name), totals, and the breakdowns per operator and
// per service. Resolution times are counted both on the wall clock and in
// the service hours of hours' business calendar.
func NewReportOn(hours SLAPolicy, period ReportPeriod, date, zone string, from, to, generated time.Time, facts []ReportFact) *Report {
	type rowKey struct {
		category, desk string
		outcome        Outcome
	}
	rows := map[rowKey]*ReportRow{}
	rowCases := map[rowKey]map[string]bool{}
	cats := map[string]*ReportCategory{}
	catCases := map[string]map[string]bool{}
	desks := map[string]*ReportDesk{}
	allCases := map[string]bool{}
	var tot ReportTotals
	clock := newServiceClock(hours)
	business := make([]int64, len(facts)) // each resolution's business seconds, for the breakdowns too
	for i, f := range facts {
		k := rowKey{f.Category, f.DeskID, f.Outcome}
		r := rows[k]
		if r == nil {
			r = &ReportRow{Category: f.Category, DeskID: f.DeskID, DeskName: f.DeskName, Outcome: f.Outcome}
			rows[k], rowCases[k] = r, map[string]bool{}
		}
		r.Count++
		rowCases[k][f.CaseID] = true
		c := cats[f.Category]
		if c == nil {
			c = &ReportCategory{Category: f.Category}
			cats[f.Category], catCases[f.Category] = c, map[string]bool{}
		}
		catCases[f.Category][f.CaseID] = true
		allCases[f.CaseID] = true
		if f.Resolves() {
			secs := int64(max(0, f.At.Sub(f.OpenedAt)) / time.Second)
			biz := int64(clock.between(f.OpenedAt, f.At) / time.Second)
			business[i] = biz
			r.Resolved++
			r.ResolutionSeconds += secs
			r.BusinessSeconds += biz
			tot.Resolved++
			tot.ResolutionSeconds += secs
			tot.BusinessSeconds += biz
		}
		switch f.Outcome {
		case OutcomeMissed:
			tot.Missed++
			continue
		case OutcomeResolvedAtDesk:
			continue
		}
		// A wrap-up: a contact, counted for first-contact resolution.
		c.Contacts++
		tot.Contacts++
		fc := FCRCounts{WrapUps: 1}
		if f.Outcome == OutcomeResolvedFirstContact {
			fc.Resolved = 1
		}
		if f.FirstContact {
			fc.FirstContacts = 1
		}
		if f.TrueResolved {
			fc.TrueResolved = 1
		}
		d := desks[f.DeskID]
		if d == nil {
			d = &ReportDesk{DeskID: f.DeskID, DeskName: f.DeskName}
			desks[f.DeskID] = d
		}
		d.FCRCounts = sumFCR(d.FCRCounts, fc)
		tot.FCR = sumFCR(tot.FCR, fc)
	}
	tot.Cases = len(allCases)

	rep := &Report{Period: period, Date: date, Zone: zone, From: from.UTC(), To: to.UTC(), Generated: generated.UTC(),
		Rows: []ReportRow{}, Categories: []ReportCategory{}, Desks: []ReportDesk{}, Totals: tot}
	for k, r := range rows {
		r.Cases = len(rowCases[k])
		rep.Rows = append(rep.Rows, *r)
	}
	slices.SortFunc(rep.Rows, func(a, b ReportRow) int {
		return cmp.Or(strings.Compare(a.Category, b.Category), compareDesks(a.DeskID, a.DeskName, b.DeskID, b.DeskName),
			cmp.Compare(outcomeOrder(a.Outcome), outcomeOrder(b.Outcome)), strings.Compare(string(a.Outcome), string(b.Outcome)))
	})
	for name, c := range cats {
		c.Cases = len(catCases[name])
		rep.Categories = append(rep.Categories, *c)
	}
	slices.SortFunc(rep.Categories, func(a, b ReportCategory) int {
		return cmp.Or(cmp.Compare(b.Cases, a.Cases), strings.Compare(a.Category, b.Category))
	})
	for _, d := range desks {
		rep.Desks = append(rep.Desks, *d)
	}
	slices.SortFunc(rep.Desks, func(a, b ReportDesk) int {
		return compareDesks(a.DeskID, a.DeskName, b.DeskID, b.DeskName)
	})
	rep.Operators, rep.Services = breakdowns(facts, business) // reportbreakdown.go
	return rep
}

// compareDesks orders the first level ("") first, then desks by name.
func compareDesks(aID, aName, bID, bName string) int {
	if (aID == "") != (bID == "") {
		if aID == "" {
			return -1
		}
		return 1
	}
	return cmp.Or(strings.Compare(aName, bName), strings.Compare(aID, bID))
}

func outcomeOrder(o Outcome) int {
	if i := slices.Index(ReportOutcomes, o); i >= 0 {
		return i
	}
	return len(ReportOutcomes)
}

func sumFCR(a, b FCRCounts) FCRCounts {
	return FCRCounts{WrapUps: a.WrapUps + b.WrapUps, Resolved: a.Resolved + b.Resolved,
		FirstContacts: a.FirstContacts + b.FirstContacts, TrueResolved: a.TrueResolved + b.TrueResolved}
}

func avgSeconds(sum int64, n int) time.Duration {
	if n == 0 {
		return 0
	}
	return time.Duration(sum) * time.Second / time.Duration(n)
}
