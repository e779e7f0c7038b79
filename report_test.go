package sportello_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// TestReportRange: a report's bounds in Rome's zone, 23 and 25 hours on
// the days daylight saving time starts and ends, months across a change,
// and the dates refused.
func TestReportRange(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		period         sportello.ReportPeriod
		date           string
		from, to, name string
		hours          float64
	}{
		{sportello.ReportDay, "2026-11-26", "2026-11-25T23:00:00Z", "2026-11-26T23:00:00Z", "2026-11-26", 24},
		{sportello.ReportDay, "2026-03-29", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", "2026-03-29", 23},
		{sportello.ReportDay, "2026-10-25", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", "2026-10-25", 25},
		{sportello.ReportMonth, "2026-10", "2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z", "2026-10", 31*24 + 1},
		{sportello.ReportMonth, "2026-03-15", "2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z", "2026-03", 31*24 - 1},
		{sportello.ReportMonth, "2026-12", "2026-11-30T23:00:00Z", "2026-12-31T23:00:00Z", "2026-12", 31 * 24},
	} {
		from, to, name, err := sportello.ReportRange(tc.period, tc.date, rome)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.period, tc.date, err)
		}
		if from.Format(time.RFC3339) != tc.from || to.Format(time.RFC3339) != tc.to || name != tc.name || to.Sub(from).Hours() != tc.hours {
			t.Errorf("%s %s: %s - %s (%s, %v h), want %s - %s (%s, %v h)", tc.period, tc.date, from.Format(time.RFC3339), to.Format(time.RFC3339), name, to.Sub(from).Hours(), tc.from, tc.to, tc.name, tc.hours)
		}
	}
	for _, bad := range []struct {
		period sportello.ReportPeriod
		date   string
	}{{sportello.ReportDay, "2026-11"}, {sportello.ReportDay, "26/11/2026"}, {sportello.ReportMonth, "novembre"}, {"week", "2026-11-26"}} {
		if _, _, _, err := sportello.ReportRange(bad.period, bad.date, rome); sportello.ErrorCode(err) != sportello.EINVALID {
			t.Errorf("%s %q: %v, want EINVALID", bad.period, bad.date, err)
		}
	}
}

// TestNewReport: rows, cases per category and FCR per desk from facts;
// a case counted once per row however many facts it has there.
func TestNewReport(t *testing.T) {
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	facts := []sportello.ReportFact{
		{CaseID: "k1", Category: "Anagrafe", Outcome: sportello.OutcomeMissed, At: at, OpenedAt: at},
		{CaseID: "k1", Category: "Anagrafe", Outcome: sportello.OutcomeMissed, At: at, OpenedAt: at},
		{CaseID: "k1", Category: "Anagrafe", Outcome: sportello.OutcomeResolvedFirstContact, At: at.Add(90 * time.Minute), OpenedAt: at, FirstContact: true, TrueResolved: true},
		{CaseID: "k2", Category: "Tributi", DeskID: "d-t", DeskName: "Tributi", Outcome: sportello.OutcomeEscalated, At: at, OpenedAt: at, FirstContact: true},
		{CaseID: "k2", Category: "Tributi", DeskID: "d-t", DeskName: "Tributi", Outcome: sportello.OutcomeResolvedAtDesk, At: at.Add(30 * time.Minute), OpenedAt: at},
		{CaseID: "k3", Category: "Tributi", DeskID: "d-a", DeskName: "Anagrafe", Outcome: sportello.OutcomeTransferred, At: at, OpenedAt: at, FirstContact: true},
	}
	r := sportello.NewReport(sportello.ReportDay, "2026-11-26", "Europe/Rome", at, at.Add(24*time.Hour), at, facts)
	if len(r.Rows) != 5 || r.Rows[0].Outcome != sportello.OutcomeResolvedFirstContact || r.Rows[1].Outcome != sportello.OutcomeMissed ||
		r.Rows[1].Count != 2 || r.Rows[1].Cases != 1 || r.Rows[2].DeskName != "Anagrafe" || r.Rows[3].Outcome != sportello.OutcomeEscalated {
		t.Fatalf("rows %+v", r.Rows)
	}
	if got := r.Rows[0].AvgResolution(); got != 90*time.Minute {
		t.Fatalf("resolution %v", got)
	}
	if r.Categories[0] != (sportello.ReportCategory{Category: "Tributi", Cases: 2, Contacts: 2}) || r.Categories[1] != (sportello.ReportCategory{Category: "Anagrafe", Cases: 1, Contacts: 1}) {
		t.Fatalf("categories %+v", r.Categories)
	}
	if len(r.Desks) != 3 || r.Desks[0].DeskID != "" || r.Desks[0].Rate() != 1 || r.Desks[1].DeskName != "Anagrafe" || r.Desks[2].WrapUps != 1 || r.Desks[2].Rate() != 0 {
		t.Fatalf("desks %+v", r.Desks)
	}
	// A Thursday morning in service hours: business time is wall time.
	want := sportello.ReportTotals{Cases: 3, Contacts: 3, Missed: 2, Resolved: 2, ResolutionSeconds: 120 * 60, BusinessSeconds: 120 * 60,
		FCR: sportello.FCRCounts{WrapUps: 3, Resolved: 1, FirstContacts: 3, TrueResolved: 1}}
	if r.Totals != want || r.Totals.AvgResolution() != time.Hour {
		t.Fatalf("totals %+v, want %+v", r.Totals, want)
	}
}
