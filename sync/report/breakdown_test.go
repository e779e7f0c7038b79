package report_test

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/report"
	"github.com/sportello/sportello/sync/report/reporttest"
)

// TestCSV_Breakdown: the total and the rows per operator and per service
// of reporttest.BreakdownFacts, with resolution times on the wall clock and
// in business hours worked out in its comment (seconds: 111 h = 399600,
// 8 h = 28800, 24 h = 86400, 11 h = 39600).
func TestCSV_Breakdown(t *testing.T) {
	r := reporttest.BreakdownReport()
	var buf bytes.Buffer
	if err := report.CSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, rec := range records {
		if rec[0] == "total" || rec[0] == "operator" || rec[0] == "service" {
			got = append(got, rec)
		}
	}
	m := "2026-12"
	want := [][]string{
		// (399600 + 0 + 86400) / 3 = 162000; (28800 + 0 + 39600) / 3 = 22800.
		{"total", "month", m, "", "", "", "", "5", "4", "3", "162000", "3", "2", "3", "1", "22800", "", ""},
		{"operator", "month", m, "", "", "", "", "2", "2", "1", "399600", "1", "1", "1", "1", "28800", "u-a", "Giulia Bianchi"},
		{"operator", "month", m, "", "", "", "", "2", "2", "1", "0", "2", "1", "2", "0", "0", "u-b", "Marco Ferri"},
		{"operator", "month", m, "", "", "", "", "1", "1", "1", "86400", "0", "0", "0", "0", "39600", "u-s", "Sara Conti"},
		{"service", "month", m, "Anagrafe", "", "", "", "2", "2", "1", "0", "1", "1", "1", "0", "0", "", ""},
		// (399600 + 86400) / 2 = 243000; (28800 + 39600) / 2 = 34200.
		{"service", "month", m, "Tributi", "", "", "", "3", "2", "2", "243000", "2", "1", "2", "1", "34200", "", ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("csv\n%q\nwant\n%q", got, want)
	}
	if len(records[0]) != len(report.CSVHeader) || records[0][15] != "avg_resolution_business_seconds" {
		t.Fatalf("header %q", records[0])
	}
	if b := r.Operators[1]; b.Contacts != 2 || b.Missed != 0 || r.Operators[0].Missed != 1 || r.Services[0].Missed != 1 {
		t.Fatalf("contacts and missed: %+v", r.Operators)
	}

	// Only what the breakdown asks for is exported.
	only, err := report.ParseBreakdown("service")
	if err != nil {
		t.Fatal(err)
	}
	only.Apply(r)
	buf.Reset()
	if err := report.CSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	if s := buf.String(); strings.Contains(s, "\noperator,") || !strings.Contains(s, "\nservice,") {
		t.Fatalf("service only:\n%s", s)
	}
}

// TestParseBreakdown: the names a breakdown is asked by.
func TestParseBreakdown(t *testing.T) {
	for s, want := range map[string]report.Breakdown{
		"": {}, "none": {}, "operator": {Operators: true}, "service": {Services: true},
		"all": {Operators: true, Services: true}, "operator,service": {Operators: true, Services: true},
	} {
		if got, err := report.ParseBreakdown(s); err != nil || got != want {
			t.Errorf("ParseBreakdown(%q) = %+v, %v; want %+v", s, got, err, want)
		}
	}
	if _, err := report.ParseBreakdown("desk"); sportello.ErrorCode(err) != sportello.EINVALID {
		t.Fatalf("desk: %v", err)
	}
}

// TestPDF_Breakdown: pdftotext (real) finds the average resolution in
// business hours among the totals and the tables per operator and per
// service, in Italian and in English; without breakdowns there are no
// such tables.
func TestPDF_Breakdown(t *testing.T) {
	pdf, err := report.PDF(reporttest.BreakdownReport(), sportello.LangItalian)
	if err != nil {
		t.Fatal(err)
	}
	text := reporttest.PDFText(t, pdf)
	for _, s := range []string{
		"Tempo medio di risoluzione 1 g 21 h",                      // 162000 s
		"Tempo medio di risoluzione in ore di servizio 6 h 20 min", // 22800 s
		"Per operatore",
		"Operatore Contatti Perse Pratiche Risolte Tempo medio Ore di servizio FCR reg. FCR reale",
		"Giulia Bianchi 1 1 2 1 4 g 15 h 8 h 100% (1/1) 100% (1/1)",
		"Marco Ferri 2 0 2 1 0 min 0 min 50% (1/2) 0% (0/2)",
		"Sara Conti 0 0 1 1 1 g 11 h",
		"Per servizio",
		"Tributi 2 0 2 2 2 g 19 h 30 min 9 h 30 min 50% (1/2) 50% (1/2)", // 67.5 h and 9.5 h
		"Anagrafe 1 1 2 1 0 min 0 min 100% (1/1) 0% (0/1)",
	} {
		if !strings.Contains(squeeze(text), squeeze(s)) {
			t.Errorf("the PDF's text has no %q:\n%s", s, text)
		}
	}
	pdf, err = report.PDF(reporttest.BreakdownReport(), sportello.LangEnglish)
	if err != nil {
		t.Fatal(err)
	}
	text = reporttest.PDFText(t, pdf)
	for _, s := range []string{"Average resolution time in business hours 6 h 20 min", "By operator", "By service", "Giulia Bianchi 1 1 2 1 4 d 15 h 8 h"} {
		if !strings.Contains(squeeze(text), squeeze(s)) {
			t.Errorf("the English PDF's text has no %q:\n%s", s, text)
		}
	}
	r := reporttest.BreakdownReport()
	report.Breakdown{}.Apply(r)
	if pdf, err = report.PDF(r, ""); err != nil {
		t.Fatal(err)
	}
	if text := reporttest.PDFText(t, pdf); strings.Contains(text, "Per operatore") || strings.Contains(text, "Per servizio") {
		t.Fatalf("breakdowns not asked for are in the PDF:\n%s", text)
	}
}
