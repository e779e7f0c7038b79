package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
)

// TestBoard_ReadsOnlyWhatChanged: after a change the board reads again
// only the sections it can move: a wrap-up on a new case the wrap-ups,
// not the desks or their queues; an escalation the queues; moving an
// agent the desks; and everything once Refresh has passed. The week's
// first-contact resolution, read in full only with everything, adds
// today's to the days before (a call on Tuesday, then Wednesday's).
func TestBoard_ReadsOnlyWhatChanged(t *testing.T) {
	base := time.Date(2025, 4, 30, 8, 0, 0, 0, rome) // a Wednesday
	clk := &storetest.Clock{}
	clk.Set(base.AddDate(0, 0, -1))
	var counter *countingStore
	e := boardEnv(t, clk, func(db *sqlite.DB) server.Store { counter = &countingStore{DB: db}; return counter },
		server.BoardConfig{Location: rome, Debounce: 5 * time.Millisecond})
	giulia, sup := e.signIn(t, "operatore"), e.signIn(t, "supervisore")
	e.wrapUp(t, giulia, sportello.WrapUp{CallID: "call-0", CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact})
	clk.Set(base)
	ws := e.dialWS(t, sup, 0)
	waitBoard(t, ws, func(b *sportello.Board) bool { return b.FCR.Week.WrapUps == 1 && b.FCR.WrapUps == 0 })
	step := func(name string, at time.Duration, do func(), shown func(*sportello.Board) bool, want map[string]int64) {
		t.Helper()
		clk.Set(base.Add(at))
		before := counter.snapshot()
		do()
		waitBoard(t, ws, shown)
		// Reads of everything keep to the spacing (ReadShare): they may
		// come a moment after the board showed the change.
		after := counter.snapshot()
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); after = counter.snapshot() {
			done := true
			for k, n := range want {
				done = done && after[k]-before[k] >= n
			}
			if done {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		for k, n := range want {
			if got := after[k] - before[k]; got != n {
				t.Errorf("%s: %s read %d times, want %d", name, k, got, n)
			}
		}
	}
	openAt := func(b *sportello.Board, desk string) int {
		for _, d := range b.Desks {
			if d.ID == desk {
				return d.Open
			}
		}
		return -1
	}
	tributi := openAt(e.board(t, sup), "desk-tributi")

	step("a wrap-up resolving a new case", 5*time.Second, func() {
		e.wrapUp(t, giulia, sportello.WrapUp{CallID: "call-1", CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact})
	}, func(b *sportello.Board) bool {
		return b.FCR.WrapUps == 1 && b.FCR.Week.WrapUps == 2 && b.FCR.Week.Resolved == 2
	},
		map[string]int64{"WrapUpCounts": 1, "FCRCounts": 1, "Desks": 0, "DeskBacklog": 0})
	step("an escalation", 10*time.Second, func() {
		e.wrapUp(t, giulia, sportello.WrapUp{CallID: "call-2", CitizenID: "c-verdi", Outcome: sportello.OutcomeEscalated, DeskID: "desk-tributi", Note: "Rimborso"})
	}, func(b *sportello.Board) bool {
		return openAt(b, "desk-tributi") == tributi+1 && b.FCR.Week.WrapUps == 3 && b.FCR.Week.Resolved == 2
	},
		map[string]int64{"WrapUpCounts": 1, "DeskBacklog": 1, "Desks": 0})
	step("moving an agent", 15*time.Second, func() {
		if status, body := e.call(t, "POST", "/v1/agents/u-a/desks", sup, strings.NewReader(`{"to":"desk-multe"}`)); status != http.StatusNoContent {
			t.Fatalf("move: %d %s", status, body)
		}
	}, func(b *sportello.Board) bool { return len(agent(t, b, "u-a").Desks) == 1 }, map[string]int64{"Desks": 1, "DeskBacklog": 0})
	step("a presence after Refresh", 2*time.Minute, func() { e.presence(t, giulia, `{"state":"available"}`) },
		func(b *sportello.Board) bool { return agent(t, b, "u-a").State == sportello.AgentAvailable },
		map[string]int64{"Desks": 1, "DeskBacklog": 1, "WrapUpCounts": 1})
	step("a presence", 2*time.Minute+time.Second, func() { e.presence(t, giulia, `{"state":"break","reason":"pausa"}`) },
		func(b *sportello.Board) bool { return agent(t, b, "u-a").State == sportello.AgentBreak },
		map[string]int64{"Desks": 0, "DeskBacklog": 0, "WrapUpCounts": 0, "FCRCounts": 0})
}
