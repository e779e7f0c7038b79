package server_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/storetest"
	"github.com/sportello/sportello/sync/wire"
)

// TestBoardAct_ScriptedMorning checks the board's agents' detail,
// callbacks, raised hands, intraday series and the supervisor's actions
// against numbers worked out by hand, on Monday 28 April 2025 in Rome
// (boardCity), with at most 1 overdue callback tolerated:
//
//	08:00 Giulia and Marco available
//	08:10 Giulia's phone rings: +390212345678, Maria Rossi
//	08:11 Giulia answers; 08:15 wrap-up; 08:18 wrap-up saved: resolved
//	      (call-1); 08:19 available            -> handle time 8 min
//	08:20 Marco records a missed call (call-3)
//	08:30 Giulia answers; 08:34 wrap-up; 08:40 callback cb1 (call-2,
//	      Luca Verdi, 09:00-10:00, pool, "Attende esito pratica"); available
//	                                            -> handle time 10 min
//	08:45 Giulia: callback cb3 (call-2b, Maria Rossi, 09:00-09:30, pool)
//	08:50 Marco: callback cb2 (call-4, Maria Rossi, 08:55-09:30, his own)
//	09:05 Giulia answers +393351112233 (Luca Verdi); 09:06 raises her hand;
//	      09:07 the supervisor answers it
//	09:20 Marco calls back cb2: answered and resolved (inside its window)
//	09:50 Giulia wrap-up; 09:55 resolved (call-6); hand lowered;
//	10:00 available                             -> handle time 55 min
//
// Giulia's average handle time: (8 + 10 + 55) / 3 = 24 min 20 s.
// At 09:45: cb1 due now; cb3 overdue (09:30 passed); cb2 done. Due
// today: cb3 (window closed) and cb2 (done today) = 2, in window 1 (cb2).
// At 10:30: cb1 and cb3 overdue (2 > 1: alert), due today 3, in window 1.
// Hours (wrap-ups not missed / resolved): 8h 4/1 (call-1, 2, 2b, 4),
// 9h 1/1 (call-6), 10h 0/0.
func TestBoardAct_ScriptedMorning(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(morning(7, 30))
	e := boardEnv(t, clk, nil, server.BoardConfig{Location: rome, CallbacksOverdueAlert: 1})
	giulia, marco, sup := e.signIn(t, "operatore"), e.signIn(t, "operatore2"), e.signIn(t, "supervisore")
	at := func(hh, mm int) { clk.Set(morning(hh, mm)) }
	callback := func(token, call, citizen, number, note string, from, to time.Time, owner string) {
		e.wrapUp(t, token, sportello.WrapUp{CallID: call, CitizenID: citizen, CallerNumber: number, Note: note,
			Outcome: sportello.OutcomeCallbackScheduled, CallbackFrom: from.UTC(), CallbackTo: to.UTC(), CallbackOwner: owner})
	}

	at(8, 0)
	e.presence(t, giulia, `{"state":"available"}`)
	e.presence(t, marco, `{"state":"available"}`)
	at(8, 10)
	e.presence(t, giulia, `{"state":"ringing","caller":"+390212345678","caller_name":"Maria Rossi"}`)
	t.Run("Ringing", func(t *testing.T) {
		b := e.board(t, sup)
		g := agent(t, b, "u-a")
		if g.State != sportello.AgentRinging || g.Caller != "+390212345678" || g.CallerName != "Maria Rossi" {
			t.Fatalf("Giulia %+v, want ringing with Maria Rossi's number", g)
		}
		if b.CallsInProgress != 0 {
			t.Fatalf("calls in progress %d: a ringing phone is not one", b.CallsInProgress)
		}
	})
	at(8, 11)
	e.presence(t, giulia, `{"state":"on_call","caller":"+390212345678","caller_name":"Maria Rossi"}`)
	at(8, 15)
	e.presence(t, giulia, `{"state":"wrap_up","caller":"+390212345678","caller_name":"Maria Rossi"}`)
	at(8, 18)
	e.wrapUp(t, giulia, sportello.WrapUp{CallID: "call-1", CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact})
	at(8, 19)
	e.presence(t, giulia, `{"state":"available"}`)
	at(8, 20)
	e.wrapUp(t, marco, sportello.WrapUp{CallID: "call-3", CitizenID: "c-verdi", Outcome: sportello.OutcomeMissed})
	at(8, 30)
	e.presence(t, giulia, `{"state":"on_call","caller":"+393351112233"}`)
	at(8, 34)
	e.presence(t, giulia, `{"state":"wrap_up","caller":"+393351112233"}`)
	at(8, 40)
	callback(giulia, "call-2", "c-verdi", "+393351112233", "Attende esito pratica", morning(9, 0), morning(10, 0), sportello.OwnerPool)
	e.presence(t, giulia, `{"state":"available"}`)
	at(8, 45)
	callback(giulia, "call-2b", "c-rossi", "+390212345678", "Richiamare per la TARI", morning(9, 0), morning(9, 30), sportello.OwnerPool)
	at(8, 50)
	callback(marco, "call-4", "c-rossi", "+390212345678", "Esito multa", morning(8, 55), morning(9, 30), sportello.OwnerSelf)

	at(9, 5)
	e.presence(t, giulia, `{"state":"on_call","caller":"+393351112233","caller_name":"Luca Verdi"}`)
	t.Run("RaiseAndAnswerHand", func(t *testing.T) {
		supWS, giuliaWS := e.dialWS(t, sup, 0), e.dialWS(t, giulia, 0)
		at(9, 6)
		status, body := e.call(t, "POST", "/v1/hand", giulia, strings.NewReader(`{"note":"Cittadino agitato"}`))
		if status != http.StatusOK {
			t.Fatalf("raise hand: %d %s", status, body)
		}
		b := waitBoard(t, supWS, func(b *sportello.Board) bool { return len(b.Hands) == 1 })
		h := b.Hands[0]
		if h.AgentID != "u-a" || h.AgentName != "Giulia Bianchi" || h.Note != "Cittadino agitato" || h.Caller != "+393351112233" ||
			h.CallerName != "Luca Verdi" || !h.At.Equal(morning(9, 6)) || h.AnsweredBy != "" {
			t.Fatalf("hand %+v", h)
		}
		if !slices.ContainsFunc(b.Alerts, func(a sportello.BoardAlert) bool { return a.Kind == sportello.AlertHandRaised }) {
			t.Fatalf("alerts %+v, want a raised hand", b.Alerts)
		}
		if f := waitHand(t, giuliaWS); f == nil || f.AnsweredBy != "" {
			t.Fatalf("Giulia's hand %+v, want raised and unanswered", f)
		}
		at(9, 7)
		status, body = e.call(t, "POST", "/v1/hands/u-a/answer", sup, nil)
		if status != http.StatusOK {
			t.Fatalf("answer hand: %d %s", status, body)
		}
		f := waitHand(t, giuliaWS)
		if f == nil || f.AnsweredBy != "Francesca Romano" || f.AnsweredByID != "u-sup" || !f.AnsweredAt.Equal(morning(9, 7)) {
			t.Fatalf("Giulia's hand %+v, want Francesca Romano coming", f)
		}
		b = waitBoard(t, supWS, func(b *sportello.Board) bool { return len(b.Hands) == 1 && b.Hands[0].AnsweredBy != "" })
		if slices.ContainsFunc(b.Alerts, func(a sportello.BoardAlert) bool { return a.Kind == sportello.AlertHandRaised }) {
			t.Fatalf("alerts %+v: an answered hand raises none", b.Alerts)
		}
		status, body = e.call(t, "POST", "/v1/hands/u-b/answer", sup, nil)
		wantError(t, status, body, http.StatusNotFound, sportello.ENOTFOUND, "no hand")
		// A new socket of Giulia's is told at once.
		if f := waitHand(t, e.dialWS(t, giulia, 0)); f == nil || f.AnsweredBy != "Francesca Romano" {
			t.Fatalf("hand on a new socket %+v", f)
		}
	})

	at(9, 20)
	cb2 := callbackOf(t, e, marco, "Esito multa")
	if status, body := e.call(t, "POST", "/v1/callbacks/"+cb2+"/attempts", marco, strings.NewReader(`{"outcome":"answered_resolved"}`)); status != http.StatusCreated {
		t.Fatalf("attempt: %d %s", status, body)
	}

	t.Run("At0945", func(t *testing.T) {
		at(9, 45)
		c := e.board(t, sup).Callbacks
		if c.DueNow != 1 || len(c.Overdue) != 1 || c.DueToday != 2 || c.InWindow != 1 || c.Target != 0.95 {
			t.Fatalf("callbacks %+v, want 1 due now, 1 overdue, 1 of 2 in window", c)
		}
		if o := c.Overdue[0]; o.Number != "+390212345678" || o.Reason != "Richiamare per la TARI" || o.CitizenName != "Maria Rossi" || !o.To.Equal(morning(9, 30)) {
			t.Fatalf("overdue %+v", o)
		}
	})

	at(9, 50)
	e.presence(t, giulia, `{"state":"wrap_up","caller":"+393351112233","caller_name":"Luca Verdi"}`)
	at(9, 55)
	e.wrapUp(t, giulia, sportello.WrapUp{CallID: "call-6", CitizenID: "c-verdi", Outcome: sportello.OutcomeResolvedFirstContact})
	if status, body := e.call(t, "DELETE", "/v1/hand", giulia, nil); status != http.StatusNoContent {
		t.Fatalf("lower hand: %d %s", status, body)
	}
	at(10, 0)
	e.presence(t, giulia, `{"state":"available"}`)

	t.Run("At1030", func(t *testing.T) {
		at(10, 30)
		b := e.board(t, sup)
		g, m := agent(t, b, "u-a"), agent(t, b, "u-b")
		if g.AvgHandle != 24*time.Minute+20*time.Second || g.HandledMeasured != 3 || g.CallsToday != 4 || g.MissedToday != 0 || g.Caller != "" {
			t.Fatalf("Giulia %+v, want 3 calls measured at 24m20s on average, 4 handled, no caller", g)
		}
		if m.MissedToday != 1 || m.CallsToday != 1 || m.HandledMeasured != 0 || m.AvgHandle != 0 {
			t.Fatalf("Marco %+v, want 1 missed, 1 handled, none measured", m)
		}
		if len(b.Hands) != 0 {
			t.Fatalf("hands %+v after Giulia lowered hers", b.Hands)
		}
		c := b.Callbacks
		if c.DueNow != 0 || len(c.Overdue) != 2 || c.DueToday != 3 || c.InWindow != 1 {
			t.Fatalf("callbacks %+v, want 2 overdue, 1 of 3 in window", c)
		}
		if c.Overdue[0].To.After(c.Overdue[1].To) || c.Overdue[1].Number != "+393351112233" || c.Overdue[1].Reason != "Attende esito pratica" {
			t.Fatalf("overdue %+v, want cb3 then cb1", c.Overdue)
		}
		if !slices.ContainsFunc(b.Alerts, func(a sportello.BoardAlert) bool {
			return a.Kind == sportello.AlertCallbacksOverdue && strings.Contains(a.Message, "2 callbacks")
		}) {
			t.Fatalf("alerts %+v, want 2 overdue callbacks", b.Alerts)
		}
		want := []sportello.BoardHour{{Hour: 8, Handled: 4, Resolved: 1}, {Hour: 9, Handled: 1, Resolved: 1}, {Hour: 10}}
		if !slices.Equal(b.Hours, want) {
			t.Fatalf("hours %+v, want %+v", b.Hours, want)
		}
	})

	t.Run("ReassignCallback", func(t *testing.T) {
		at(10, 35)
		cb3 := callbackOf(t, e, giulia, "Richiamare per la TARI")
		status, body := e.call(t, "POST", "/v1/callbacks/"+cb3+"/owner", sup, strings.NewReader(`{"owner":"u-b"}`))
		if status != http.StatusOK {
			t.Fatalf("reassign: %d %s", status, body)
		}
		b := e.board(t, sup)
		if i := slices.IndexFunc(b.Callbacks.Overdue, func(o sportello.BoardCallback) bool { return o.ID == cb3 }); i < 0 || b.Callbacks.Overdue[i].Owner != "u-b" {
			t.Fatalf("overdue %+v, want %s Marco's", b.Callbacks.Overdue, cb3)
		}
		for _, c := range []struct {
			id, body string
			status   int
			code     string
		}{
			{cb2, `{"owner":"pool"}`, http.StatusConflict, sportello.ECONFLICT}, // done already
			{cb3, `{"owner":"u-nobody"}`, http.StatusNotFound, sportello.ENOTFOUND},
			{cb3, `{"owner":"desk:nowhere"}`, http.StatusNotFound, sportello.ENOTFOUND},
			{cb3, `{"owner":"desk:"}`, http.StatusBadRequest, sportello.EINVALID},
			{"cb-nope", `{"owner":"pool"}`, http.StatusNotFound, sportello.ENOTFOUND},
		} {
			status, body := e.call(t, "POST", "/v1/callbacks/"+c.id+"/owner", sup, strings.NewReader(c.body))
			wantError(t, status, body, c.status, c.code, "")
		}
	})

	t.Run("MoveAgent", func(t *testing.T) {
		ctx := context.Background()
		move := func(body string) (int, []byte) {
			return e.call(t, "POST", "/v1/agents/u-b/desks", sup, strings.NewReader(body))
		}
		if status, body := move(`{"to":"desk-multe"}`); status != http.StatusNoContent {
			t.Fatalf("join: %d %s", status, body)
		}
		if status, body := move(`{"from":"desk-multe","to":"desk-tributi"}`); status != http.StatusNoContent {
			t.Fatalf("move: %d %s", status, body)
		}
		if desks, _ := e.db.UserDesks(ctx, "u-b"); !slices.Equal(desks, []string{"desk-tributi"}) {
			t.Fatalf("Marco's desks %v, want Tributi only", desks)
		}
		if m := agent(t, e.board(t, sup), "u-b"); !slices.Equal(m.Desks, []string{"desk-tributi"}) {
			t.Fatalf("Marco's desks on the board %v, want Tributi", m.Desks)
		}
		status, body := move(`{"from":"desk-multe","to":"desk-anagrafe"}`)
		wantError(t, status, body, http.StatusConflict, sportello.ECONFLICT, "not a member")
		if desks, _ := e.db.UserDesks(ctx, "u-b"); !slices.Equal(desks, []string{"desk-tributi"}) {
			t.Fatalf("Marco's desks %v after a refused move", desks)
		}
		status, body = move(`{"to":"desk-nowhere"}`)
		wantError(t, status, body, http.StatusNotFound, sportello.ENOTFOUND, "")
		status, body = move(`{}`)
		wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "")
		status, body = e.call(t, "POST", "/v1/agents/u-nobody/desks", sup, strings.NewReader(`{"to":"desk-multe"}`))
		wantError(t, status, body, http.StatusNotFound, sportello.ENOTFOUND, "")
	})

	t.Run("Refused", func(t *testing.T) {
		for _, body := range []string{`{"state":"available","caller":"+390212345678"}`, `{"state":"break","reason":"pausa","caller_name":"x"}`,
			`{"state":"on_call","caller":"a\u0000b"}`} {
			status, resp := e.call(t, "POST", "/v1/presence", giulia, strings.NewReader(body))
			wantError(t, status, resp, http.StatusBadRequest, sportello.EINVALID, "")
		}
		status, resp := e.call(t, "POST", "/v1/hand", giulia, strings.NewReader(`{"note":"`+strings.Repeat("x", sportello.MaxHandNote+1)+`"}`))
		wantError(t, status, resp, http.StatusBadRequest, sportello.EINVALID, "")
	})

	t.Run("NextDay", func(t *testing.T) {
		clk.Set(time.Date(2025, 4, 29, 8, 0, 0, 0, rome))
		b := e.board(t, sup)
		if g := agent(t, b, "u-a"); g.AvgHandle != 0 || g.HandledMeasured != 0 {
			t.Fatalf("Giulia %+v: nothing measured yet today", g)
		}
		if len(b.Hours) != 0 {
			t.Fatalf("hours %+v: no calls yet today", b.Hours)
		}
		// Yesterday's overdue callbacks are still overdue; none fell due today.
		if c := b.Callbacks; len(c.Overdue) != 2 || c.DueToday != 0 || c.Rate() != 1 {
			t.Fatalf("callbacks %+v", c)
		}
	})
}

// agent returns an agent of the board by id.
func agent(t *testing.T, b *sportello.Board, id string) sportello.BoardAgent {
	t.Helper()
	i := slices.IndexFunc(b.Agents, func(a sportello.BoardAgent) bool { return a.ID == id })
	if i < 0 {
		t.Fatalf("no agent %s on the board: %+v", id, b.Agents)
	}
	return b.Agents[i]
}

// callbackOf returns the id of the callback with a reason, from the list
// of the callbacks token may work.
func callbackOf(t *testing.T, e *env, token, reason string) string {
	t.Helper()
	for _, cb := range e.callbacks(t, token) {
		if cb.Reason == reason {
			return cb.ID
		}
	}
	t.Fatalf("no callback %q", reason)
	return ""
}

// waitBoard reads pushed boards until ok says one is the one wanted.
func waitBoard(t *testing.T, ws *websocket.Conn, ok func(*sportello.Board) bool) *sportello.Board {
	t.Helper()
	for {
		if f := readAnyFrame(t, ws); f.Type == wire.FrameBoard && ok(f.Board) {
			return f.Board
		}
	}
}

// waitHand reads frames until a hand frame and returns its hand.
func waitHand(t *testing.T, ws *websocket.Conn) *sportello.RaisedHand {
	t.Helper()
	for {
		if f := readAnyFrame(t, ws); f.Type == wire.FrameHand {
			return f.Hand
		}
	}
}

// TestBoardAct_OverdueBacklog: with more overdue callbacks than the board
// lists, it lists the oldest sportello.MaxBoardOverdue and counts them
// all, and the alert says how many (a backlog of thousands made a board
// frame past what a desktop reads).
func TestBoardAct_OverdueBacklog(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(morning(8, 0))
	e := boardEnv(t, clk, nil, server.BoardConfig{Location: rome, CallbacksOverdueAlert: 1})
	giulia, sup := e.signIn(t, "operatore"), e.signIn(t, "supervisore")
	n := sportello.MaxBoardOverdue + 5
	for i := range n {
		to := morning(9, 0).Add(time.Duration(i) * time.Minute)
		e.wrapUp(t, giulia, sportello.WrapUp{CallID: fmt.Sprintf("call-%d", i), CitizenID: "c-rossi", CallerNumber: "+390212345678", Note: fmt.Sprintf("richiamata %d", i),
			Outcome: sportello.OutcomeCallbackScheduled, CallbackFrom: morning(8, 30).UTC(), CallbackTo: to.UTC(), CallbackOwner: sportello.OwnerPool})
	}
	clk.Set(morning(11, 0))
	b := e.board(t, sup)
	c := b.Callbacks
	if len(c.Overdue) != sportello.MaxBoardOverdue || c.OverdueCount != n || c.OverdueTotal() != n {
		t.Fatalf("%d overdue listed, %d counted; want %d listed, %d counted", len(c.Overdue), c.OverdueCount, sportello.MaxBoardOverdue, n)
	}
	if !c.Overdue[0].To.Equal(morning(9, 0)) || !c.Overdue[len(c.Overdue)-1].To.Equal(morning(9, 0).Add(time.Duration(sportello.MaxBoardOverdue-1)*time.Minute)) {
		t.Fatalf("listed from %v to %v, want the oldest", c.Overdue[0].To, c.Overdue[len(c.Overdue)-1].To)
	}
	if !slices.ContainsFunc(b.Alerts, func(a sportello.BoardAlert) bool {
		return a.Kind == sportello.AlertCallbacksOverdue && strings.Contains(a.Message, fmt.Sprintf("%d callbacks", n))
	}) {
		t.Fatalf("alerts %+v, want %d callbacks overdue", b.Alerts, n)
	}
}
