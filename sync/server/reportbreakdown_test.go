package server_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/storetest"
)

// TestServer_ReportBreakdown: the report's breakdowns per operator and per
// service come only when asked for (breakdown=operator|service|all), and
// resolution time is counted in business hours on syncd's SLA calendar.
// Giulia resolves on the phone, on Monday 28 April 2025 at 10:00, the
// case k-thu that reached Multe on Thursday 24 at 09:00: 97 hours on the
// wall clock, 18 business hours (Thu 09-19 10 h, Fri 25 Liberazione, Sat
// 08-14 6 h, Mon 08-10 2 h) = 349,200 s and 64,800 s.
func TestServer_ReportBreakdown(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(morning(10, 0))
	e := boardEnv(t, clk, nil, server.BoardConfig{Location: rome})
	e.wrapUp(t, e.login(t, "operatore"), sportello.WrapUp{CallID: "rb-1", CaseID: "k-thu", CitizenID: "c-rossi", Category: "Multe", Outcome: sportello.OutcomeResolvedFirstContact})
	e.wrapUp(t, e.login(t, "operatore2"), sportello.WrapUp{CallID: "rb-2", CitizenID: "c-verdi", Category: "Anagrafe", Outcome: sportello.OutcomeTransferred})
	sv := e.login(t, "supervisore")
	get := func(query string) (int, []byte) {
		t.Helper()
		return e.call(t, "GET", "/v1/reports?period=day&date=2025-04-28"+query, sv, nil)
	}

	status, body := get("")
	var plain sportello.Report
	if status != http.StatusOK || json.Unmarshal(body, &plain) != nil || plain.Operators != nil || plain.Services != nil {
		t.Fatalf("without breakdown: %d %s", status, body)
	}
	if plain.Totals.ResolutionSeconds != 349200 || plain.Totals.BusinessSeconds != 64800 {
		t.Fatalf("totals %+v: want 349200 s on the wall clock and 64800 s in business hours", plain.Totals)
	}

	status, body = get("&breakdown=all")
	var r sportello.Report
	if status != http.StatusOK || json.Unmarshal(body, &r) != nil {
		t.Fatalf("breakdown=all: %d %s", status, body)
	}
	if len(r.Operators) != 2 || r.Operators[0].Name != "Giulia Bianchi" || r.Operators[0].Key != "u-a" || r.Operators[0].Resolved != 1 ||
		r.Operators[0].AvgBusinessResolution() != 18*time.Hour || r.Operators[0].AvgResolution() != 97*time.Hour ||
		r.Operators[1].Name != "Marco Ferri" || r.Operators[1].Contacts != 1 || r.Operators[1].Resolved != 0 {
		t.Fatalf("operators %+v", r.Operators)
	}
	if len(r.Services) != 2 || r.Services[0].Key != "Anagrafe" || r.Services[1].Key != "Multe" || r.Services[1].FCR.Resolved != 1 {
		t.Fatalf("services %+v", r.Services)
	}

	status, body = get("&breakdown=operator&format=csv")
	if status != http.StatusOK {
		t.Fatalf("csv: %d %s", status, body)
	}
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var operators, services int
	for _, rec := range records {
		switch rec[0] {
		case "operator":
			operators++
			if rec[16] == "u-a" && (rec[10] != "349200" || rec[15] != "64800" || rec[17] != "Giulia Bianchi") {
				t.Fatalf("Giulia's row %q", rec)
			}
		case "service":
			services++
		}
	}
	if operators != 2 || services != 0 {
		t.Fatalf("csv with operators only: %d operator rows, %d service rows\n%q", operators, services, records)
	}

	status, body = get("&breakdown=service&format=pdf&lang=en")
	if status != http.StatusOK || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Fatalf("pdf: %d %.40q", status, body)
	}
	status, body = get("&breakdown=desk")
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "breakdown")
	if strings.Contains(string(body), "Giulia") {
		t.Fatal("a refused breakdown leaked the report")
	}
}
