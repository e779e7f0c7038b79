package main_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sportello/sportello"
	main "github.com/sportello/sportello/cmd/loadgen"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
)

// TestBoard_ScriptedDayThroughLoadgen plays a scripted morning through
// loadgen's agents (RunBoardScript: the client code path of "loadgen
// board") into a real syncd on SQLite with an injected clock, and checks
// the board against numbers worked out by hand. Tuesday 24 November 2026,
// Europe/Rome, three operators:
//
//	Operatore 1  08:01 rings, 08:02 answers, 08:06 wrap-up (resolved), 08:08 available   handle 6m
//	             08:12 rings, 08:13 answers, 08:20 wrap-up (resolved), 08:22 available   handle 9m
//	Operatore 2  08:03 rings, 08:04 answers, 08:10 wrap-up (transferred), 08:11 available handle 7m
//	             08:27 break "pausa"
//	Operatore 3  08:25 rings, 08:26 answers: still on the call at 08:30
//
// At 08:30: 1 call in progress; 2 of 3 wrap-ups resolved at first
// contact; Operatore 1 available since 08:22 with 2 calls and an average
// handle time of 7m30s; Operatore 2 on a break since 08:27 with 1 call of
// 7m; Operatore 3 on a call since 08:26 with the caller shown.
func TestBoard_ScriptedDayThroughLoadgen(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 24, 8, 0, 0, 0, rome)
	clk := &storetest.Clock{}
	clk.Set(day.AddDate(0, 0, -10))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The demo city and loadgen's users, made ten days before.
	path := filepath.Join(t.TempDir(), "syncd.db")
	data := main.NewMain()
	out := &bytes.Buffer{}
	data.Stdout, data.Stderr, data.Now = out, out, clk.Now
	if err := data.ParseFlags(ctx, []string{"data", "--db", path, "--citizens", "0", "--events", "0", "--desktops", "10"}); err != nil {
		t.Fatal(err)
	}
	if err := data.Run(ctx); err != nil {
		t.Fatalf("loadgen data: %v\n%s", err, out)
	}
	data.Close()

	db := sqlite.New(path)
	db.Now = clk.Now
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := server.New(db, nil)
	srv.Addr, srv.Now = "127.0.0.1:0", clk.Now
	srv.Board = server.BoardConfig{Location: rome, Debounce: 5 * time.Millisecond}
	srv.SessionTTL = 30 * 24 * time.Hour
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	clk.Set(day)

	mins := func(m int) time.Duration { return time.Duration(m) * time.Minute }
	c1, c3 := demo.KnownCaller, "+390298765432"
	steps := []main.BoardStep{
		{At: 0, Agent: 0, State: sportello.AgentAvailable},
		{At: 0, Agent: 1, State: sportello.AgentAvailable},
		{At: 0, Agent: 2, State: sportello.AgentAvailable},
		{At: mins(1), Agent: 0, State: sportello.AgentRinging, Caller: c1},
		{At: mins(2), Agent: 0, State: sportello.AgentOnCall, Caller: c1},
		{At: mins(3), Agent: 1, State: sportello.AgentRinging, Caller: c1},
		{At: mins(4), Agent: 1, State: sportello.AgentOnCall, Caller: c1},
		{At: mins(6), Agent: 0, State: sportello.AgentWrapUp, Caller: c1, Outcome: sportello.OutcomeResolvedFirstContact},
		{At: mins(8), Agent: 0, State: sportello.AgentAvailable},
		{At: mins(10), Agent: 1, State: sportello.AgentWrapUp, Caller: c1, Outcome: sportello.OutcomeTransferred},
		{At: mins(11), Agent: 1, State: sportello.AgentAvailable},
		{At: mins(12), Agent: 0, State: sportello.AgentRinging, Caller: c1},
		{At: mins(13), Agent: 0, State: sportello.AgentOnCall, Caller: c1},
		{At: mins(20), Agent: 0, State: sportello.AgentWrapUp, Caller: c1, Outcome: sportello.OutcomeResolvedFirstContact},
		{At: mins(22), Agent: 0, State: sportello.AgentAvailable},
		{At: mins(25), Agent: 2, State: sportello.AgentRinging, Caller: c3},
		{At: mins(26), Agent: 2, State: sportello.AgentOnCall, Caller: c3},
		{At: mins(27), Agent: 1, State: sportello.AgentBreak, Reason: "pausa"},
	}
	lg := main.NewMain()
	lg.Stdout, lg.Stderr = out, out
	defer lg.Close()
	if err := lg.RunBoardScript(ctx, srv.URL(), steps, func(at time.Duration) { clk.Set(day.Add(at)) }); err != nil {
		t.Fatalf("script: %v\n%s", err, out)
	}
	clk.Set(day.Add(mins(30)))

	sup := client.New(srv.URL(), nil)
	if _, err := sup.Login(ctx, "lg-sv0001", main.Password); err != nil {
		t.Fatal(err)
	}
	b, err := sup.Board(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !b.At.Equal(day.Add(mins(30)).UTC()) {
		t.Fatalf("board computed at %s, want 08:30", b.At.In(rome))
	}
	if b.CallsInProgress != 1 || b.MissedToday != 0 {
		t.Fatalf("calls in progress %d, missed %d; want 1 and 0", b.CallsInProgress, b.MissedToday)
	}
	if b.FCR.Resolved != 2 || b.FCR.WrapUps != 3 {
		t.Fatalf("FCR %d of %d, want 2 of 3", b.FCR.Resolved, b.FCR.WrapUps)
	}
	type want struct {
		state   sportello.AgentState
		reason  string
		since   time.Duration
		calls   int
		handled int
		avg     time.Duration
		caller  string
	}
	wants := map[string]want{
		"Operatore 1": {sportello.AgentAvailable, "", mins(22), 2, 2, 7*time.Minute + 30*time.Second, ""},
		"Operatore 2": {sportello.AgentBreak, "pausa", mins(27), 1, 1, 7 * time.Minute, ""},
		"Operatore 3": {sportello.AgentOnCall, "", mins(26), 0, 0, 0, c3},
	}
	seen := 0
	for _, a := range b.Agents {
		w, ok := wants[a.Name]
		if !ok {
			continue
		}
		seen++
		got := want{a.State, a.Reason, a.Since.Sub(day.UTC()), a.CallsToday, a.HandledMeasured, a.AvgHandle, a.Caller}
		if got != w {
			t.Errorf("%s: %+v, want %+v", a.Name, got, w)
		}
	}
	if seen != len(wants) {
		t.Fatalf("%d of the %d scripted agents on the board: %+v", seen, len(wants), b.Agents)
	}
}
