package client_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
)

// TestClient_Report: against a real syncd, a supervisor reads today's
// report with an operator's wrap-up in it and exports it as CSV and PDF;
// an operator may not.
func TestClient_Report(t *testing.T) {
	d := *fixture
	d.Users = append(append([]demo.User{}, d.Users...),
		demo.User{User: sportello.User{ID: "u-sup", Username: "supervisore", Name: "Francesca Romano", Role: sportello.RoleSupervisor}, Password: "demo"})
	db := openStoreWith(t, &d)
	srv := openServer(t, db, "127.0.0.1:0")
	op, sup := signIn(t, srv.URL(), "operatore"), signIn(t, srv.URL(), "supervisore")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if _, err := op.RecordWrapUp(ctx, sportello.WrapUp{CallID: "call-r", CitizenID: "c-rossi", Category: "Anagrafe",
		Outcome: sportello.OutcomeResolvedFirstContact}); err != nil {
		t.Fatal(err)
	}
	rome, _ := time.LoadLocation("Europe/Rome")
	today := time.Now().In(rome).Format(time.DateOnly)
	r, err := sup.Report(ctx, sportello.ReportDay, today)
	if err != nil {
		t.Fatal(err)
	}
	if r.Date != today || len(r.Rows) != 1 || r.Rows[0].Category != "Anagrafe" || r.Totals.FCR.Resolved != 1 {
		t.Fatalf("report %+v", r)
	}
	csv, err := sup.ExportReport(ctx, sportello.ReportMonth, today, "csv", "")
	if err != nil || !strings.HasPrefix(string(csv), "row,period,date,") || !strings.Contains(string(csv), "detail,month,"+today[:7]+",Anagrafe,") {
		t.Fatalf("csv %q, %v", csv, err)
	}
	pdf, err := sup.ExportReport(ctx, sportello.ReportDay, today, "pdf", sportello.LangEnglish)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("pdf %.20q, %v", pdf, err)
	}
	if _, err := sup.ExportReport(ctx, sportello.ReportDay, today, "xlsx", ""); sportello.ErrorCode(err) != sportello.EINVALID {
		t.Fatalf("xlsx: %v", err)
	}
	if _, err := op.Report(ctx, sportello.ReportDay, today); sportello.ErrorCode(err) != sportello.EFORBIDDEN {
		t.Fatalf("an operator read the report: %v", err)
	}
}
