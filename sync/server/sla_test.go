package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
	"github.com/sportello/sportello/sync/wire"
)

// slaCity has three cases at two desks, escalated before Easter 2026.
func slaCity() *demo.Data {
	d := boardCity()
	esc := func(id, desk, category string, at time.Time) *sportello.Case {
		return &sportello.Case{ID: id, CitizenID: "c-verdi", Events: []*sportello.CaseEvent{
			{ID: id + "-1", CaseID: id, Kind: sportello.EventOpened, At: at, Category: category, Note: "Pratica " + id},
			{ID: id + "-2", CaseID: id, Kind: sportello.EventEscalated, At: at, DeskID: desk},
		}}
	}
	local := func(day, hh, mm int) time.Time { return time.Date(2026, 4, day, hh, mm, 0, 0, rome) }
	d.Cases = []*sportello.Case{
		esc("k-res", "desk-anagrafe", "Residenza", local(3, 9, 0)), // desk: 16 h -> Sat 4 14:00, at risk from 10:00
		esc("k-cie", "desk-anagrafe", "CIE", local(3, 15, 0)),      // desk+category: 8 h -> Sat 4 12:00, at risk from 10:00
		esc("k-tari", "desk-tributi", "TARI", local(1, 9, 0)),      // default 2 business days -> Thu 2, Fri 3: due Fri 3 19:00 (the close)
		esc("k-multa", "desk-multe", "Multe", local(4, 9, 0)),      // Saturday: Tue 7 (after Easter Monday), Wed 8: due Wed 8 19:00, at risk from Tue 7 19:00
	}
	return d
}

// TestServer_QueueBySLA: the supervisor's queue is ordered by SLA due time
// with the flags, computed on the service hours at the injected clock;
// the board counts the same flags.
func TestServer_QueueBySLA(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(time.Date(2026, 4, 4, 10, 30, 0, 0, rome))
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	db.Now = clk.Now
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Seed(context.Background(), slaCity()); err != nil {
		t.Fatal(err)
	}
	srv := server.New(db, nil)
	srv.Now = clk.Now
	srv.SessionTTL = 7 * 24 * time.Hour // the test runs into the next week
	srv.Board = server.BoardConfig{Location: rome, SLA: sportello.SLAPolicy{
		Desks:      map[string]sportello.SLATarget{"desk-anagrafe": {Hours: 16, RiskHours: 4}},
		Categories: map[string]sportello.SLATarget{sportello.SLAKey("desk-anagrafe", "CIE"): {Hours: 8, RiskHours: 2}},
	}}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e := &env{db: db, srv: srv, url: srv.URL()}
	sup := e.signIn(t, "supervisore")

	queue := func() []*sportello.Case {
		t.Helper()
		status, body := e.call(t, "GET", "/v1/queue", sup, nil)
		var q wire.QueueResponse
		if err := json.Unmarshal(body, &q); err != nil || status != http.StatusOK {
			t.Fatalf("queue: %d %s", status, body)
		}
		return q.Cases
	}
	type want struct {
		id               string
		due              time.Time
		atRisk, breached bool
	}
	check := func(got []*sportello.Case, wants []want) {
		t.Helper()
		if len(got) != len(wants) {
			t.Fatalf("queue has %d cases, want %d", len(got), len(wants))
		}
		for i, w := range wants {
			k := got[i]
			if k.ID != w.id || k.SLA == nil || !k.SLA.Due.Equal(w.due) || k.SLA.AtRisk != w.atRisk || k.SLA.Breached != w.breached {
				t.Fatalf("queue[%d] = %s %+v, want %+v", i, k.ID, k.SLA, w)
			}
		}
	}
	local := func(day, hh, mm int) time.Time { return time.Date(2026, 4, day, hh, mm, 0, 0, rome) }
	check(queue(), []want{
		{"k-tari", local(3, 19, 0), false, true},
		{"k-cie", local(4, 12, 0), true, false},
		{"k-res", local(4, 14, 0), true, false},
		{"k-multa", local(8, 19, 0), false, false},
	})
	b := e.board(t, sup)
	wantDesk(t, b, "desk-anagrafe", 2, local(3, 9, 0).UTC(), 2, 0)
	wantDesk(t, b, "desk-tributi", 1, local(1, 9, 0).UTC(), 0, 1)
	wantDesk(t, b, "desk-multe", 1, local(4, 9, 0).UTC(), 0, 0)

	// Saturday 13:00: the CIE case is past due, Residenza still at risk;
	// Wednesday 8 at 09:00 Multe's case is at risk.
	clk.Set(local(4, 13, 0))
	check(queue(), []want{
		{"k-tari", local(3, 19, 0), false, true},
		{"k-cie", local(4, 12, 0), false, true},
		{"k-res", local(4, 14, 0), true, false},
		{"k-multa", local(8, 19, 0), false, false},
	})
	clk.Set(local(8, 9, 0))
	check(queue(), []want{
		{"k-tari", local(3, 19, 0), false, true},
		{"k-cie", local(4, 12, 0), false, true},
		{"k-res", local(4, 14, 0), false, true},
		{"k-multa", local(8, 19, 0), true, false},
	})
}
