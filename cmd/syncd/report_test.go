package main_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/report/reporttest"
	"github.com/sportello/sportello/sync/sqlite"
)

// TestMain_Report: "syncd report" writes November 2026's report as a PDF
// file (read back with pdftotext) and 30 November's as CSV on stdout:
// a call at 23:30 UTC on 30 November is 1 December in Rome, so neither
// counts it; bad flags are refused.
func TestMain_Report(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "syncd.db")
	db := sqlite.New(path)
	var now time.Time
	db.Now = func() time.Time { return now }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	op := sportello.User{ID: "u-op", Username: "operatore", Name: "Giulia Bianchi", Role: sportello.RoleOperator}
	if err := db.Seed(ctx, &demo.Data{
		Users:    []demo.User{{User: op, Password: "password-lunga"}},
		Desks:    []sportello.Desk{{ID: "desk-anagrafe", Name: "Anagrafe"}},
		Citizens: []sportello.Citizen{{ID: "c-rossi", Kind: sportello.CitizenPerson, Name: "Maria Rossi", Phones: []string{"+390212345678"}}},
	}); err != nil {
		t.Fatal(err)
	}
	for i, w := range []struct {
		at string
		w  sportello.WrapUp
	}{
		{"2026-11-02T09:00:00Z", sportello.WrapUp{CitizenID: "c-rossi", Category: "Stato civile", Outcome: sportello.OutcomeResolvedFirstContact}},
		{"2026-11-30T10:00:00Z", sportello.WrapUp{CitizenID: "c-rossi", Category: "Attività produttive", Outcome: sportello.OutcomeEscalated, DeskID: "desk-anagrafe"}},
		{"2026-11-30T11:00:00Z", sportello.WrapUp{CallerNumber: "+390299999999", Category: "Attività produttive", Outcome: sportello.OutcomeTransferred}},
		{"2026-11-30T23:30:00Z", sportello.WrapUp{CallerNumber: "+390299999998", Category: "Tributi", Outcome: sportello.OutcomeTransferred}},
	} {
		now, _ = time.Parse(time.RFC3339, w.at)
		w.w.CallID = "call-" + string(rune('a'+i))
		if _, err := db.RecordWrapUp(ctx, &op, w.w); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	out := filepath.Join(dir, "novembre.pdf")
	m, _ := newMain("")
	run(t, m, "report", "--db", path, "--period", "month", "--date", "2026-11", "--format", "pdf", "--out", out)
	m.Close()
	pdf, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := reporttest.PDFText(t, pdf)
	for _, s := range []string{"Rapporto mensile", "Periodo: novembre 2026", "Attività produttive 2", "Stato civile 1", "Pratiche 3"} {
		if !strings.Contains(text, s) {
			t.Errorf("the PDF's text has no %q:\n%s", s, text)
		}
	}
	if strings.Contains(text, "Tributi") {
		t.Errorf("December's call is in November's report:\n%s", text)
	}

	m, stdout := newMain("")
	run(t, m, "report", "--db", path, "--date", "2026-11-30")
	records, err := csv.NewReader(strings.NewReader(stdout.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, r := range records[1:] {
		if r[0] == "detail" {
			details = append(details, strings.Join(r[3:9], ","))
		}
	}
	want := "Attività produttive,,,transferred,1,1|Attività produttive,desk-anagrafe,Anagrafe,escalated,1,1"
	if strings.Join(details, "|") != want {
		t.Fatalf("30 November's rows %q, want %q", details, want)
	}

	// --breakdown adds a row per operator (Giulia wrote both calls of the
	// 30th) and per service.
	m, stdout = newMain("")
	run(t, m, "report", "--db", path, "--date", "2026-11-30", "--breakdown", "all")
	records, err = csv.NewReader(strings.NewReader(stdout.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var breakdown []string
	for _, r := range records[1:] {
		if r[0] == "operator" || r[0] == "service" {
			breakdown = append(breakdown, r[0]+":"+r[3]+":"+r[7]+":"+r[16]+":"+r[17])
		}
	}
	if want := "operator::2:u-op:Giulia Bianchi|service:Attività produttive:2::"; strings.Join(breakdown, "|") != want {
		t.Fatalf("breakdown rows %q, want %q", breakdown, want)
	}
	pdfOut := filepath.Join(dir, "operatori.pdf")
	m, _ = newMain("")
	run(t, m, "report", "--db", path, "--period", "month", "--date", "2026-11", "--format", "pdf", "--breakdown", "operator", "--out", pdfOut)
	m.Close()
	if pdf, err = os.ReadFile(pdfOut); err != nil {
		t.Fatal(err)
	}
	if text := reporttest.PDFText(t, pdf); !strings.Contains(text, "Per operatore") || !strings.Contains(text, "Giulia Bianchi") || strings.Contains(text, "Per servizio") {
		t.Errorf("the PDF with operators has:\n%s", text)
	}

	for _, args := range [][]string{
		{"report"},
		{"report", "--db", path, "--breakdown", "desk"},
		{"report", "--db", path, "--period", "week"},
		{"report", "--db", path, "--date", "30/11/2026"},
		{"report", "--db", path, "--format", "xlsx"},
	} {
		m, _ := newMain("")
		if err := m.ParseFlags(context.Background(), args); err == nil {
			t.Errorf("syncd %v accepted", args)
		}
	}
}
