// Package reporttest helps test the reports' exports: it reads a PDF's
// text with poppler's real pdftotext and gives a small report to export.
package reporttest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// PDFText runs pdftotext on a PDF and returns its text with runs of
// spaces made one; without pdftotext the test is skipped, or fails under
// SPORTELLO_REQUIRE_REAL=1.
func PDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("SPORTELLO_REQUIRE_REAL") == "1" {
			t.Fatalf("pdftotext is not installed (poppler-utils): %v", err)
		}
		t.Skipf("pdftotext is not installed: %v", err)
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return spaces.ReplaceAllString(strings.ReplaceAll(string(out), "\u00a0", " "), " ")
}

var spaces = regexp.MustCompile(`[ \t]+`)

// Day is 25 October 2026 in Rome (25 hours: clocks go back).
var Day = time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)

// Facts are a small day at a desk with accented names: Attività
// produttive has 3 cases (one resolved at first contact after 2 hours,
// one escalated to Città e quartieri and resolved there 6 hours later, one
// missed call), Tributi 1 transferred call.
func Facts() []sportello.ReportFact {
	at := time.Date(2026, 10, 25, 8, 0, 0, 0, time.UTC)
	return []sportello.ReportFact{
		{CaseID: "k1", Category: "Attività produttive", Outcome: sportello.OutcomeResolvedFirstContact, At: at.Add(2 * time.Hour), OpenedAt: at, FirstContact: true, TrueResolved: true},
		{CaseID: "k2", Category: "Attività produttive", DeskID: "d-citta", DeskName: "Città e quartieri", Outcome: sportello.OutcomeEscalated, At: at, OpenedAt: at, FirstContact: true},
		{CaseID: "k2", Category: "Attività produttive", DeskID: "d-citta", DeskName: "Città e quartieri", Outcome: sportello.OutcomeResolvedAtDesk, At: at.Add(6 * time.Hour), OpenedAt: at},
		{CaseID: "k3", Category: "Attività produttive", Outcome: sportello.OutcomeMissed, At: at, OpenedAt: at},
		{CaseID: "k4", Category: "Tributi", Outcome: sportello.OutcomeTransferred, At: at, OpenedAt: at, FirstContact: true},
	}
}

// Report is the report of Facts on Day.
func Report() *sportello.Report {
	from := time.Date(2026, 10, 24, 22, 0, 0, 0, time.UTC)
	return sportello.NewReport(sportello.ReportDay, "2026-10-25", "Europe/Rome", from, from.Add(25*time.Hour), from.Add(26*time.Hour), Facts())
}

// BreakdownFacts are three operators' facts around Milan's holidays of 7
// and 8 December 2026 (Europe/Rome, service hours Mon-Fri 08:00-19:00 and
// Sat 08:00-14:00), with resolution times worked out by hand:
//
//	k1 Tributi  Giulia (u-a) resolved at first contact Wed 9 09:00, opened Fri 4 18:00:
//	            111 h on the wall clock, 8 business hours (Fri 1, Sat 6, Mon 7 and Tue 8 holidays, Wed 1)
//	k2 Tributi  Marco (u-b) escalated Wed 9 10:00 (opened then)
//	k2 Tributi  Sara (u-s) resolved at the desk Thu 10 10:00: 24 h, 11 business hours (Wed 9, Thu 2)
//	k3 Anagrafe Giulia missed call Wed 9 11:00
//	k4 Anagrafe Marco resolved at first contact Wed 9 12:00, opened then: 0 (repeated later: not true)
func BreakdownFacts() []sportello.ReportFact {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err)
	}
	at := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, rome).UTC() }
	giulia := func(f sportello.ReportFact) sportello.ReportFact {
		f.AuthorID, f.Author = "u-a", "Giulia Bianchi"
		return f
	}
	marco := func(f sportello.ReportFact) sportello.ReportFact {
		f.AuthorID, f.Author = "u-b", "Marco Ferri"
		return f
	}
	sara := func(f sportello.ReportFact) sportello.ReportFact {
		f.AuthorID, f.Author = "u-s", "Sara Conti"
		return f
	}
	return []sportello.ReportFact{
		giulia(sportello.ReportFact{CaseID: "k1", Category: "Tributi", Outcome: sportello.OutcomeResolvedFirstContact, At: at(9, 9), OpenedAt: at(4, 18), FirstContact: true, TrueResolved: true}),
		marco(sportello.ReportFact{CaseID: "k2", Category: "Tributi", DeskID: "d-tributi", DeskName: "Tributi", Outcome: sportello.OutcomeEscalated, At: at(9, 10), OpenedAt: at(9, 10), FirstContact: true}),
		sara(sportello.ReportFact{CaseID: "k2", Category: "Tributi", DeskID: "d-tributi", DeskName: "Tributi", Outcome: sportello.OutcomeResolvedAtDesk, At: at(10, 10), OpenedAt: at(9, 10)}),
		giulia(sportello.ReportFact{CaseID: "k3", Category: "Anagrafe", Outcome: sportello.OutcomeMissed, At: at(9, 11), OpenedAt: at(9, 11)}),
		marco(sportello.ReportFact{CaseID: "k4", Category: "Anagrafe", Outcome: sportello.OutcomeResolvedFirstContact, At: at(9, 12), OpenedAt: at(9, 12), FirstContact: true}),
	}
}

// BreakdownReport is the December 2026 report of BreakdownFacts, with
// business hours on sportello.DefaultReportHours.
func BreakdownReport() *sportello.Report {
	from := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	to := time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)
	return sportello.NewReport(sportello.ReportMonth, "2026-12", "Europe/Rome", from, to, to, BreakdownFacts())
}
