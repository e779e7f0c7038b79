package server_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
)

// benchAgents is the size of BenchmarkBoardRecompute's contact center:
// cmd/loadgen's board benchmark's 500 agents.
const benchAgents = 500

// boardBenchServer is syncd on a SQLite city with benchAgents agents
// that reported a state and took 6 calls each this morning (a tenth
// escalated to a desk, a tenth scheduling a callback).
func boardBenchServer(b *testing.B) *server.Server {
	b.Helper()
	clk := &storetest.Clock{}
	clk.Set(time.Date(2025, 4, 28, 11, 0, 0, 0, rome))
	db := sqlite.New(filepath.Join(b.TempDir(), "syncd.db"))
	db.Now = clk.Now
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if err := db.Seed(ctx, storetest.Fixture()); err != nil {
		b.Fatal(err)
	}
	srv := server.New(db, nil)
	srv.Now = clk.Now
	srv.Board = server.BoardConfig{Location: rome}
	if err := srv.Open(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	states := []sportello.AgentState{sportello.AgentAvailable, sportello.AgentOnCall, sportello.AgentWrapUp, sportello.AgentRinging}
	for i := range benchAgents {
		u := &sportello.User{ID: fmt.Sprintf("u-agent-%03d", i), Username: fmt.Sprintf("agent%03d", i), Name: fmt.Sprintf("Operatore %d", i), Role: sportello.RoleOperator}
		for k := range 6 {
			clk.Set(time.Date(2025, 4, 28, 8, 0, 0, 0, rome).Add(time.Duration(k*benchAgents+i) * time.Second))
			w := sportello.WrapUp{CallID: fmt.Sprintf("call-%d-%d", i, k), CitizenID: "c-panificio", Outcome: sportello.OutcomeResolvedFirstContact}
			switch (i + k) % 10 {
			case 3:
				w.Outcome, w.DeskID, w.Note = sportello.OutcomeEscalated, "desk-tributi", "Rimborso"
			case 7:
				w.Outcome, w.CallerNumber, w.CallbackOwner = sportello.OutcomeCallbackScheduled, "+390287654321", sportello.OwnerPool
				w.CallbackFrom, w.CallbackTo, w.Note = clk.Now().Add(time.Hour).UTC(), clk.Now().Add(2*time.Hour).UTC(), "Richiamare"
			}
			if _, err := db.RecordWrapUp(ctx, u, w); err != nil {
				b.Fatal(err)
			}
		}
		clk.Set(time.Date(2025, 4, 28, 11, 0, 0, 0, rome))
		p := sportello.Presence{State: states[i%len(states)]}
		if p.State != sportello.AgentAvailable {
			p.Caller = "+390212345678"
		}
		if err := srv.SetPresenceForTest(ctx, u, p); err != nil {
			b.Fatal(err)
		}
	}
	return srv
}

// BenchmarkBoardRecompute times one recompute of the board after a
// change, at 500 agents: the store's reads and the computing (JSON and
// the comparison with the last board included).
func BenchmarkBoardRecompute(b *testing.B) {
	srv := boardBenchServer(b)
	ctx := context.Background()
	// Before the sections: every change read everything.
	b.Run("all-reads", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			if err := srv.BoardRecompute(ctx); err != nil {
				b.Fatal(err)
			}
		}
		// The frame every board decodes (boardframe_export_test.go).
		b.ReportMetric(float64(len(srv.BoardFrameForTest())), "frame-bytes")
	})
	// A wrap-up's changes on a new case: opened, call, wrap-up.
	wrapUp := []sportello.Change{
		{Kind: sportello.ChangeKindCaseEvent, Event: &sportello.CaseEvent{Kind: sportello.EventOpened}},
		{Kind: sportello.ChangeKindCaseEvent, Event: &sportello.CaseEvent{Kind: sportello.EventCall}},
		{Kind: sportello.ChangeKindCaseEvent, Event: &sportello.CaseEvent{Kind: sportello.EventWrapUp, Outcome: sportello.OutcomeResolvedFirstContact}},
	}
	b.Run("after-a-wrap-up", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			if err := srv.BoardRecomputeAfter(ctx, wrapUp); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A presence: no read, the computing only.
	b.Run("after-a-presence", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			if err := srv.BoardRecomputeAfter(ctx, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// reportCPU reports the process's CPU time per op when the returned
// function is called: on a busy machine ns/op is mostly waiting.
func reportCPU(b *testing.B) func() {
	start, ok := processCPU()
	return func() {
		if end, ok2 := processCPU(); ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		}
	}
}
