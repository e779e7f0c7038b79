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
