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
	"github.com/sportello/sportello/sync/report"
	"github.com/sportello/sportello/sync/report/reporttest"
)

// TestServer_Report: GET /v1/reports gives today's report (Rome's day)
// by default, as JSON, as CSV with the documented header and as a PDF
// whose text pdftotext reads; a bad period, date or format is EINVALID.
func TestServer_Report(t *testing.T) {
	e := newCityEnv(t)
	op := e.signIn(t, "operatore")
	e.wrapUp(t, op, sportello.WrapUp{CallID: "r-1", CitizenID: "c-rossi", Category: "Attività produttive", Outcome: sportello.OutcomeResolvedFirstContact})
	e.wrapUp(t, op, sportello.WrapUp{CallID: "r-2", CitizenID: "c-neri", Category: "Attività produttive", Outcome: sportello.OutcomeEscalated, DeskID: "desk-tributi", Note: "Da verificare"})
	e.wrapUp(t, op, sportello.WrapUp{CallID: "r-3", CitizenID: "c-rossi", Category: "Tributi", Outcome: sportello.OutcomeTransferred})
	sv := e.signIn(t, "supervisore")
	today := time.Now().In(report.Rome()).Format(time.DateOnly)

	status, body := e.call(t, "GET", "/v1/reports", sv, nil)
	if status != http.StatusOK {
		t.Fatalf("json: %d %s", status, body)
	}
	var r sportello.Report
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	want := sportello.ReportTotals{Cases: 3, Contacts: 3, FCR: sportello.FCRCounts{WrapUps: 3, Resolved: 1, FirstContacts: 3, TrueResolved: 1}, Resolved: 1}
	if r.Period != sportello.ReportDay || r.Date != today || r.Zone != "Europe/Rome" || r.Totals != want || len(r.Rows) != 3 {
		t.Fatalf("report %+v, want today %s with totals %+v", r, today, want)
	}
	if len(r.Categories) != 2 || r.Categories[0] != (sportello.ReportCategory{Category: "Attività produttive", Cases: 2, Contacts: 2}) {
		t.Fatalf("categories %+v", r.Categories)
	}

	status, body = e.call(t, "GET", "/v1/reports?period=day&date="+today+"&format=csv", sv, nil)
	if status != http.StatusOK {
		t.Fatalf("csv: %d %s", status, body)
	}
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(records[0], ",") != strings.Join(report.CSVHeader, ",") || len(records) != 1+3+2+1 ||
		strings.Join(records[2][:10], ",") != "detail,day,"+today+",Attività produttive,desk-tributi,Tributi,escalated,1,1,0" {
		t.Fatalf("csv %q", records)
	}

	status, body = e.call(t, "GET", "/v1/reports?period=month&date="+today+"&format=pdf", sv, nil)
	if status != http.StatusOK || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Fatalf("pdf: %d %.40q", status, body)
	}
	text := reporttest.PDFText(t, body)
	for _, s := range []string{"Rapporto mensile", "Periodo: ", "Attività produttive 2", "Tributi 1"} {
		if !strings.Contains(text, s) {
			t.Errorf("the PDF's text has no %q:\n%s", s, text)
		}
	}

	for _, q := range []string{"period=week", "period=day&date=2025-13-01", "format=xlsx", "period=month&date=novembre"} {
		status, body := e.call(t, "GET", "/v1/reports?"+q, sv, nil)
		wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "")
	}
}
