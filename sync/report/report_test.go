package report_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/report"
	"github.com/sportello/sportello/sync/report/reporttest"
)

// TestCSV: the header, a detail row per category x desk x outcome with
// its average resolution in seconds, a row per desk and the total.
func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	r := reporttest.Report()
	report.Breakdown{}.Apply(r) // none: the rows as before breakdowns
	if err := report.CSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	d := "2026-10-25"
	want := [][]string{
		report.CSVHeader,
		{"detail", "day", d, "Attività produttive", "", "", "resolved_first_contact", "1", "1", "1", "7200", "", "", "", "", "0", "", ""},
		{"detail", "day", d, "Attività produttive", "", "", "missed", "1", "1", "0", "0", "", "", "", "", "0", "", ""},
		{"detail", "day", d, "Attività produttive", "d-citta", "Città e quartieri", "escalated", "1", "1", "0", "0", "", "", "", "", "0", "", ""},
		{"detail", "day", d, "Attività produttive", "d-citta", "Città e quartieri", "resolved_at_desk", "1", "1", "1", "21600", "", "", "", "", "0", "", ""},
		{"detail", "day", d, "Tributi", "", "", "transferred", "1", "1", "0", "0", "", "", "", "", "0", "", ""},
		{"desk", "day", d, "", "", "", "", "", "", "", "", "2", "1", "2", "1", "", "", ""},
		{"desk", "day", d, "", "d-citta", "Città e quartieri", "", "", "", "", "", "1", "0", "1", "0", "", "", ""},
		{"total", "day", d, "", "", "", "", "5", "4", "2", "14400", "3", "1", "3", "1", "0", "", ""},
	}
	if !reflect.DeepEqual(records, want) {
		t.Fatalf("csv\n%q\nwant\n%q", records, want)
	}
}

// TestCSV_Formula: a category that a spreadsheet would run is quoted.
func TestCSV_Formula(t *testing.T) {
	facts := reporttest.Facts()[:1]
	facts[0].Category = "=HYPERLINK(\"http://x\")"
	r := sportello.NewReport(sportello.ReportDay, "2026-10-25", "Europe/Rome", reporttest.Day, reporttest.Day, reporttest.Day, facts)
	var buf bytes.Buffer
	if err := report.CSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil || records[1][3] != "'=HYPERLINK(\"http://x\")" {
		t.Fatalf("records %q, %v", records, err)
	}
}

// TestPDF: pdftotext (poppler's, real) finds the title, the period, the
// accented category with its count of cases on the chart, the desk's
// first-contact resolution and the totals, in Italian and in English.
func TestPDF(t *testing.T) {
	pdf, err := report.PDF(reporttest.Report(), sportello.LangItalian)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 20)])
	}
	text := reporttest.PDFText(t, pdf)
	for _, s := range []string{
		"Rapporto giornaliero – Sportello",
		"Periodo: 25 ottobre 2026 (dalle 25/10/2026 00:00 alle 26/10/2026 00:00, Europe/Rome)",
		"Attività produttive Primo livello Risolto al primo contatto 1 1 1 2 h",
		"Attività produttive Città e quartieri Risolto dallo sportello 1 1 1 6 h",
		"Tempo medio di risoluzione 4 h",
		"Risolto al primo contatto (registrato) 33% (1/3)",
		"Pratiche per categoria",
		"Attività produttive 3", // the chart's bar and its count
		"Tributi 1",
		"Risoluzione al primo contatto per sportello",
		"Primo livello 50% (1/2)",
		"Città e quartieri 0% (0/1)",
		"obiettivo 80%",
	} {
		if !strings.Contains(squeeze(text), squeeze(s)) {
			t.Errorf("the PDF's text has no %q:\n%s", s, text)
		}
	}
	pdf, err = report.PDF(reporttest.Report(), sportello.LangEnglish)
	if err != nil {
		t.Fatal(err)
	}
	text = reporttest.PDFText(t, pdf)
	for _, s := range []string{"Daily report", "Period: 25 October 2026", "Cases per category", "Attività produttive 3", "First level 50% (1/2)"} {
		if !strings.Contains(text, s) {
			t.Errorf("the English PDF's text has no %q:\n%s", s, text)
		}
	}
}

// TestPDF_Empty: a period without calls still renders, and says so.
func TestPDF_Empty(t *testing.T) {
	r := sportello.NewReport(sportello.ReportMonth, "2026-11", "Europe/Rome", reporttest.Day, reporttest.Day.AddDate(0, 1, 0), reporttest.Day, nil)
	pdf, err := report.PDF(r, "")
	if err != nil {
		t.Fatal(err)
	}
	text := reporttest.PDFText(t, pdf)
	for _, s := range []string{"Rapporto mensile", "Periodo: ottobre 2026", "Nessuna chiamata"} {
		if !strings.Contains(squeeze(text), squeeze(s)) {
			t.Errorf("the PDF's text has no %q:\n%s", s, text)
		}
	}
}

// squeeze drops spaces: pdftotext keeps or drops the one in "2 h" as
// the glyphs' spacing says.
func squeeze(s string) string { return strings.ReplaceAll(s, " ", "") }

// TestPDF_LongTable: a table longer than a page repeats its header on
// the next page.
func TestPDF_LongTable(t *testing.T) {
	var facts []sportello.ReportFact
	for i := range 120 {
		facts = append(facts, sportello.ReportFact{CaseID: fmt.Sprint(i), Category: fmt.Sprintf("Categoria %03d", i),
			Outcome: sportello.OutcomeTransferred, At: reporttest.Day, OpenedAt: reporttest.Day})
	}
	r := sportello.NewReport(sportello.ReportMonth, "2026-10", "Europe/Rome", reporttest.Day, reporttest.Day, reporttest.Day, facts)
	pdf, err := report.PDF(r, "")
	if err != nil {
		t.Fatal(err)
	}
	text := reporttest.PDFText(t, pdf)
	if n := strings.Count(text, "Categoria Sportello Esito"); n < 2 {
		t.Fatalf("the header shows %d times:\n%s", n, text)
	}
	if !strings.Contains(text, "Categoria 119 Primo livello Trasferito 1 1 0") {
		t.Fatalf("the last row is missing:\n%s", text)
	}
}
