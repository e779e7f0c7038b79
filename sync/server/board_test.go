package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
	"github.com/sportello/sportello/sync/wire"
)

var rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err)
	}
	return loc
}()

// morning returns 28 April 2025 (a Monday, after the Friday of the
// Liberation Day holiday) at hh:mm in Rome.
func morning(hh, mm int) time.Time { return time.Date(2025, 4, 28, hh, mm, 0, 0, rome) }

// april returns a day of April 2025 at hh:mm in Rome.
func april(day, hh, mm int) time.Time { return time.Date(2025, 4, day, hh, mm, 0, 0, rome) }

// boardCity is the city of the scripted morning: two operators, a
// supervisor, an admin, three desks, and cases that reached the desks on
// the days before (see TestBoard_ScriptedMorning).
func boardCity() *demo.Data {
	escalated := func(id, desk string, at time.Time, more ...*sportello.CaseEvent) *sportello.Case {
		ev := []*sportello.CaseEvent{
			{ID: id + "-1", CaseID: id, Kind: sportello.EventOpened, At: at, Note: "Pratica " + id},
			{ID: id + "-2", CaseID: id, Kind: sportello.EventEscalated, At: at, DeskID: desk},
		}
		for i, e := range more {
			e.ID, e.CaseID = id+"-x"+string(rune('a'+i)), id
		}
		return &sportello.Case{ID: id, CitizenID: "c-rossi", Events: append(ev, more...)}
	}
	return &demo.Data{
		Users: []demo.User{
			{User: sportello.User{ID: "u-a", Username: "operatore", Name: "Giulia Bianchi", Role: sportello.RoleOperator}, Password: "demo"},
			{User: sportello.User{ID: "u-b", Username: "operatore2", Name: "Marco Ferri", Role: sportello.RoleOperator}, Password: "demo"},
			{User: sportello.User{ID: "u-sup", Username: "supervisore", Name: "Francesca Romano", Role: sportello.RoleSupervisor}, Password: "demo"},
			{User: sportello.User{ID: "u-adm", Username: "admin", Name: "Paolo Galli", Role: sportello.RoleAdmin}, Password: "demo"},
		},
		Desks: []sportello.Desk{{ID: "desk-anagrafe", Name: "Anagrafe"}, {ID: "desk-multe", Name: "Multe"}, {ID: "desk-tributi", Name: "Tributi"}},
		Citizens: []sportello.Citizen{
			{ID: "c-rossi", Kind: sportello.CitizenPerson, Name: "Maria Rossi", Phones: []string{"+390212345678"}},
			{ID: "c-verdi", Kind: sportello.CitizenPerson, Name: "Luca Verdi", Phones: []string{"+393351112233"}},
		},
		Cases: []*sportello.Case{
			escalated("k-wed", "desk-multe", april(23, 9, 0)),     // due Mon 28 19:00 (Fri 25 is a holiday)
			escalated("k-thu", "desk-multe", april(24, 9, 0)),     // at risk from Mon 28 19:00, due Tue 29 19:00
			escalated("k-thu2", "desk-tributi", april(24, 16, 0)), // at risk from Mon 28 19:00
			escalated("k-done", "desk-tributi", april(22, 10, 0), // resolved: not in the backlog
				&sportello.CaseEvent{Kind: sportello.EventResolved, At: april(23, 11, 0), Author: "Specialista", AuthorRole: sportello.RoleSupervisor}),
			{ID: "k-sun", CitizenID: "c-verdi", Events: []*sportello.CaseEvent{ // yesterday's call: not today's
				{ID: "k-sun-1", CaseID: "k-sun", Kind: sportello.EventOpened, At: april(27, 18, 0), Note: "Orari"},
				{ID: "k-sun-2", CaseID: "k-sun", Kind: sportello.EventWrapUp, At: april(27, 18, 0), AuthorID: "u-a", Author: "Giulia Bianchi",
					Outcome: sportello.OutcomeResolvedFirstContact},
			}},
		},
	}
}

// boardEnv serves boardCity on SQLite with the clock at clk.
func boardEnv(t *testing.T, clk *storetest.Clock, store func(*sqlite.DB) server.Store, cfg server.BoardConfig) *env {
	t.Helper()
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	db.Now = clk.Now
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Seed(context.Background(), boardCity()); err != nil {
		t.Fatal(err)
	}
	var st server.Store = db
	if store != nil {
		st = store(db)
	}
	srv := server.New(st, nil)
	srv.Now = clk.Now
	srv.Board = cfg
	srv.SessionTTL = 72 * time.Hour // the script runs into the next day
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &env{db: db, srv: srv, url: srv.URL()}
}

func (e *env) presence(t *testing.T, token, body string) {
	t.Helper()
	if status, resp := e.call(t, "POST", "/v1/presence", token, strings.NewReader(body)); status != http.StatusNoContent {
		t.Fatalf("presence %s: %d %s", body, status, resp)
	}
}

func (e *env) board(t *testing.T, token string) *sportello.Board {
	t.Helper()
	status, body := e.call(t, "GET", "/v1/board", token, nil)
	if status != http.StatusOK {
		t.Fatalf("board: %d %s", status, body)
	}
	var b sportello.Board
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatal(err)
	}
	return &b
}

// TestBoard_ScriptedMorning checks the board against numbers worked out
// by hand for a Monday morning after a holiday (25 April 2025, a Friday),
// with the SLA at 2 business days and at risk from 1 business day, due
// at the close of service (19:00) of the second business day after the
// escalation (sportello.SLAPolicy.BusinessDaysDue):
//
//	k-wed   Multe    escalated Wed 23 09:00: at risk from Thu 24 19:00, due Mon 28 19:00 (Thu 24, [Fri 25 holiday], Mon 28)
//	k-thu   Multe    escalated Thu 24 09:00: at risk from Mon 28 19:00, due Tue 29 19:00
//	k-thu2  Tributi  escalated Thu 24 16:00: at risk from Mon 28 19:00
//	k-done  Tributi  resolved on Wed 23: not counted
//	k-sun   Giulia's wrap-up of Sunday 27: not today's
//
// Monday: 08:00 Giulia available, 08:05 Marco available; wrap-ups 08:10
// Giulia resolved, 08:20 Giulia resolved, 08:30 Marco escalated to Multe,
// 08:40 Marco resolved, 09:00 Giulia transferred; 10:00 Giulia on a call,
// 10:25 Marco on a break.
func TestBoard_ScriptedMorning(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(morning(7, 30))
	e := boardEnv(t, clk, nil, server.BoardConfig{Location: rome, FCRMinWrapUps: 5})
	giulia, marco, sup := e.signIn(t, "operatore"), e.signIn(t, "operatore2"), e.signIn(t, "supervisore")

	at := func(hh, mm int) { clk.Set(morning(hh, mm)) }
	wrap := func(token, call, citizen string, o sportello.Outcome, desk string) {
		e.wrapUp(t, token, sportello.WrapUp{CallID: call, CitizenID: citizen, Outcome: o, DeskID: desk})
	}
	at(8, 0)
	e.presence(t, giulia, `{"state":"available"}`)
	at(8, 5)
	e.presence(t, marco, `{"state":"available"}`)
	at(8, 10)
	wrap(giulia, "call-1", "c-rossi", sportello.OutcomeResolvedFirstContact, "")
	at(8, 20)
	wrap(giulia, "call-2", "c-verdi", sportello.OutcomeResolvedFirstContact, "")
	at(8, 30)
	wrap(marco, "call-3", "c-rossi", sportello.OutcomeEscalated, "desk-multe")
	at(8, 40)
	wrap(marco, "call-4", "c-verdi", sportello.OutcomeResolvedFirstContact, "")

	t.Run("At0850", func(t *testing.T) {
		at(8, 50)
		b := e.board(t, sup)
		// 3 of 4 resolved (75%), but under the 5 wrap-ups an FCR alert
		// needs; k-wed is at risk (since Thu 24 19:00) and not yet due.
		wantFCR(t, b, 3, 4)
		wantDesk(t, b, "desk-multe", 3, april(23, 9, 0), 1, 0)
		wantDesk(t, b, "desk-tributi", 1, april(24, 16, 0), 0, 0)
		wantDesk(t, b, "desk-anagrafe", 0, time.Time{}, 0, 0)
		if len(b.Alerts) != 0 {
			t.Fatalf("alerts %+v, want none", b.Alerts)
		}
	})

	at(9, 0)
	wrap(giulia, "call-5", "c-rossi", sportello.OutcomeTransferred, "")
	at(9, 10)
	wrap(giulia, "call-6", "c-verdi", sportello.OutcomeMissed, "") // rang, nobody answered
	at(10, 0)
	e.presence(t, giulia, `{"state":"on_call"}`)
	e.presence(t, giulia, `{"state":"on_call"}`) // again: since stays 10:00
	at(10, 25)
	e.presence(t, marco, `{"state":"break","reason":"pausa caffè"}`)

	t.Run("At1030", func(t *testing.T) {
		at(10, 30)
		b := e.board(t, sup)
		if !b.At.Equal(morning(10, 30)) {
			t.Fatalf("computed at %s", b.At)
		}
		want := []sportello.BoardAgent{
			{ID: "u-a", Name: "Giulia Bianchi", Role: sportello.RoleOperator, State: sportello.AgentOnCall, Since: morning(10, 0).UTC(), CallsToday: 3},
			{ID: "u-b", Name: "Marco Ferri", Role: sportello.RoleOperator, State: sportello.AgentBreak, Reason: "pausa caffè", Since: morning(10, 25).UTC(), CallsToday: 2},
		}
		wantAgents(t, b, want)
		if b.CallsInProgress != 1 {
			t.Fatalf("calls in progress %d, want 1", b.CallsInProgress)
		}
		if b.MissedToday != 1 {
			t.Fatalf("missed today %d, want 1", b.MissedToday)
		}
		wantFCR(t, b, 3, 5) // 60%: the missed call is not a handled one
		// k-wed is still at risk (due at 19:00), k-thu not yet, Marco's
		// escalation of 08:30 is fresh.
		wantDesk(t, b, "desk-multe", 3, april(23, 9, 0), 1, 0)
		wantDesk(t, b, "desk-tributi", 1, april(24, 16, 0), 0, 0)
		// With no repeat contacts the true rate is 60% as well, under the
		// true target (the FCR target when none is set).
		if len(b.Alerts) != 2 || b.Alerts[0].Kind != sportello.AlertFCRBelowTarget || !strings.Contains(b.Alerts[0].Message, "60%") ||
			b.Alerts[1].Kind != sportello.AlertTrueFCRBelowTarget || !strings.Contains(b.Alerts[1].Message, "60%") {
			t.Fatalf("alerts %+v, want FCR and true FCR at 60%%", b.Alerts)
		}
	})

	t.Run("At1900", func(t *testing.T) {
		// Time passes with no change: at the close of Monday k-wed is
		// past its SLA, k-thu and k-thu2 at risk.
		at(18, 59)
		wantDesk(t, e.board(t, sup), "desk-tributi", 1, april(24, 16, 0), 0, 0)
		at(19, 0)
		b := e.board(t, sup)
		wantDesk(t, b, "desk-multe", 3, april(23, 9, 0), 1, 1)
		wantDesk(t, b, "desk-tributi", 1, april(24, 16, 0), 1, 0)
		if len(b.Alerts) != 3 || b.Alerts[2].Kind != sportello.AlertDeskPastSLA || b.Alerts[2].DeskID != "desk-multe" || b.Alerts[2].DeskName != "Multe" {
			t.Fatalf("alerts %+v, want FCR, true FCR and Multe past SLA", b.Alerts)
		}
	})

	t.Run("OfflineWhenTheSocketCloses", func(t *testing.T) {
		at(19, 5)
		ws := e.dialWS(t, marco, 0)
		readFrame(t, ws)
		ws.Close()
		deadline := time.Now().Add(timeout)
		for e.srv.Presence("u-b") != sportello.AgentOffline {
			if time.Now().After(deadline) {
				t.Fatal("Marco is not offline after his socket closed")
			}
			time.Sleep(10 * time.Millisecond)
		}
		b := e.board(t, sup)
		wantAgents(t, b, []sportello.BoardAgent{
			{ID: "u-a", Name: "Giulia Bianchi", Role: sportello.RoleOperator, State: sportello.AgentOnCall, Since: morning(10, 0).UTC(), CallsToday: 3},
			{ID: "u-b", Name: "Marco Ferri", Role: sportello.RoleOperator, State: sportello.AgentOffline, Since: morning(19, 5).UTC(), CallsToday: 2},
		})
	})

	t.Run("NextDay", func(t *testing.T) {
		clk.Set(time.Date(2025, 4, 29, 8, 0, 0, 0, rome))
		b := e.board(t, sup)
		wantFCR(t, b, 0, 0)
		if b.Agents[0].CallsToday != 0 || b.Agents[1].CallsToday != 0 {
			t.Fatalf("agents %+v: no calls yet today", b.Agents)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		for _, body := range []string{`{"state":"asleep"}`, `{"state":"available","reason":"x"}`, `{"state":"break","reason":"a\u0000b"}`,
			`{"state":"break","reason":"` + strings.Repeat("x", sportello.MaxPresenceReason+1) + `"}`, `{"state":"break","extra":1}`} {
			status, resp := e.call(t, "POST", "/v1/presence", giulia, strings.NewReader(body))
			wantError(t, status, resp, http.StatusBadRequest, sportello.EINVALID, "")
		}
	})
}

func wantAgents(t *testing.T, b *sportello.Board, want []sportello.BoardAgent) {
	t.Helper()
	if len(b.Agents) != len(want) {
		t.Fatalf("agents %+v, want %+v", b.Agents, want)
	}
	for i := range want {
		g, w := b.Agents[i], want[i]
		if g.ID != w.ID || g.Name != w.Name || g.Role != w.Role || g.State != w.State || g.Reason != w.Reason || !g.Since.Equal(w.Since) || g.CallsToday != w.CallsToday {
			t.Fatalf("agent %d = %+v, want %+v", i, g, w)
		}
	}
}

func wantFCR(t *testing.T, b *sportello.Board, resolved, wrapUps int) {
	t.Helper()
	if b.FCR.Resolved != resolved || b.FCR.WrapUps != wrapUps || b.FCR.Target != 0.8 {
		t.Fatalf("FCR %+v, want %d of %d against 0.8", b.FCR, resolved, wrapUps)
	}
}

func wantDesk(t *testing.T, b *sportello.Board, id string, open int, oldest time.Time, atRisk, breached int) {
	t.Helper()
	for _, d := range b.Desks {
		if d.ID != id {
			continue
		}
		if d.Open != open || !d.OldestAt.Equal(oldest) || d.AtRisk != atRisk || d.Breached != breached {
			t.Fatalf("desk %+v, want open %d, oldest %s, at risk %d, breached %d", d, open, oldest, atRisk, breached)
		}
		return
	}
	t.Fatalf("no desk %s on the board %+v", id, b.Desks)
}

// countingStore counts the store calls the board and the feed make.
type countingStore struct {
	*sqlite.DB
	desks, backlog, wrapUps, changes, head, scope, sessions atomic.Int64
	fcr                                                     atomic.Int64
}

func (c *countingStore) FCRCounts(ctx context.Context, week, day time.Time) (sportello.FCRCounts, sportello.FCRCounts, error) {
	c.fcr.Add(1)
	return c.DB.FCRCounts(ctx, week, day)
}

func (c *countingStore) Desks(ctx context.Context, userID string) ([]sportello.Desk, error) {
	c.desks.Add(1)
	return c.DB.Desks(ctx, userID)
}

func (c *countingStore) DeskBacklog(ctx context.Context) ([]wire.DeskCase, error) {
	c.backlog.Add(1)
	return c.DB.DeskBacklog(ctx)
}

func (c *countingStore) WrapUpCounts(ctx context.Context, since time.Time) ([]wire.WrapUpCount, error) {
	c.wrapUps.Add(1)
	return c.DB.WrapUpCounts(ctx, since)
}

func (c *countingStore) ChangesSince(ctx context.Context, cursor int64, limit int) ([]sportello.Change, error) {
	c.changes.Add(1)
	return c.DB.ChangesSince(ctx, cursor, limit)
}

func (c *countingStore) Head(ctx context.Context) (int64, error) {
	c.head.Add(1)
	return c.DB.Head(ctx)
}

func (c *countingStore) FeedScope(ctx context.Context, token, userID string) ([]string, []string, []string, error) {
	c.scope.Add(1)
	return c.DB.FeedScope(ctx, token, userID)
}

func (c *countingStore) UserBySession(ctx context.Context, token string) (*sportello.User, time.Time, error) {
	c.sessions.Add(1)
	return c.DB.UserBySession(ctx, token)
}

func (c *countingStore) snapshot() map[string]int64 {
	return map[string]int64{"Desks": c.desks.Load(), "DeskBacklog": c.backlog.Load(), "WrapUpCounts": c.wrapUps.Load(),
		"ChangesSince": c.changes.Load(), "Head": c.head.Load(), "FeedScope": c.scope.Load(), "UserBySession": c.sessions.Load(),
		"FCRCounts": c.fcr.Load()}
}

// TestBoard_ComputedOnce runs the same scripted changes with 1 and with
// 50 supervisors' sockets open and counts the store calls: the board is
// read from the store once per change, not once per viewer, so the
// counts are the same. Each socket gets every board (waited for after
// each change), and an operator's socket gets none.
func TestBoard_ComputedOnce(t *testing.T) {
	run := func(t *testing.T, viewers int) map[string]int64 {
		clk := &storetest.Clock{}
		clk.Set(morning(8, 0))
		var counter *countingStore
		e := boardEnv(t, clk, func(db *sqlite.DB) server.Store { counter = &countingStore{DB: db}; return counter },
			server.BoardConfig{Location: rome, Debounce: 5 * time.Millisecond})
		giulia, sup, adm := e.signIn(t, "operatore"), e.signIn(t, "supervisore"), e.signIn(t, "admin")
		opWS := e.dialWS(t, giulia, 0)
		var sockets []*websocket.Conn
		for i := range viewers {
			token := sup
			if i%2 == 1 {
				token = adm
			}
			sockets = append(sockets, e.dialWS(t, token, 0))
		}
		// nextBoard reads ws until a board with n wrap-ups today.
		nextBoard := func(ws *websocket.Conn, n int) *sportello.Board {
			t.Helper()
			for {
				f := readAnyFrame(t, ws)
				if f.Type == wire.FrameBoard && f.Board.FCR.WrapUps == n {
					return f.Board
				}
			}
		}
		for _, ws := range sockets {
			nextBoard(ws, 0)
		}
		// Giulia's socket has read its hello and backlog (a pong comes
		// after them) before the counting starts.
		if err := opWS.WriteJSON(wire.Ping()); err != nil {
			t.Fatal(err)
		}
		for readAnyFrame(t, opWS).Type != wire.FramePong {
		}
		before := counter.snapshot()
		const changes = 5
		for i := 1; i <= changes; i++ {
			clk.Set(morning(8, 10*i))
			e.wrapUp(t, giulia, sportello.WrapUp{CallID: "call-" + itoa(int64(i)), CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact})
			for _, ws := range sockets {
				if b := nextBoard(ws, i); b.Agents[0].CallsToday != i {
					t.Fatalf("board after %d wrap-ups: %+v", i, b.Agents)
				}
			}
		}
		after := counter.snapshot()
		for k := range after {
			after[k] -= before[k]
		}
		// Giulia's own socket had the changes and no board.
		for seen := 0; seen < changes*3; { // opened, call, wrap-up per wrap-up
			switch f := readAnyFrame(t, opWS); f.Type {
			case wire.FrameBoard:
				t.Fatal("the operator's socket got a board")
			case wire.FrameChange:
				seen++
			}
		}
		opWS.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, data, err := opWS.ReadMessage(); err == nil {
			t.Fatalf("the operator's socket got %s", data)
		}
		return after
	}
	one := run(t, 1)
	fifty := run(t, 50)
	t.Logf("store calls over 5 changes: 1 viewer %v, 50 viewers %v", one, fifty)
	for k, n := range one {
		if fifty[k] != n {
			t.Errorf("%s: %d calls with 1 viewer, %d with 50", k, n, fifty[k])
		}
	}
	for _, k := range []string{"Desks", "DeskBacklog", "WrapUpCounts", "FCRCounts"} {
		if one[k] != 5 {
			t.Errorf("%s read %d times over 5 changes, want once per change", k, one[k])
		}
	}
}
