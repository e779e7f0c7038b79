package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
)

// TestClient_RaiseHand: an operator raises a hand, every supervisor's
// board shows it with the call, a supervisor answers and the operator's
// desktop is pushed who is coming; lowered, it leaves the board.
func TestClient_RaiseHand(t *testing.T) {
	d := *fixture
	d.Users = append(append([]demo.User{}, d.Users...),
		demo.User{User: sportello.User{ID: "u-sup", Username: "supervisore", Name: "Francesca Romano", Role: sportello.RoleSupervisor}, Password: "demo"})
	db := openStoreWith(t, &d)
	srv := openServer(t, db, "127.0.0.1:0")
	op, sup := signIn(t, srv.URL(), "operatore"), signIn(t, srv.URL(), "supervisore")
	var _ sportello.HandService = op
	var _ sportello.BoardActionService = sup

	boards := make(chan *sportello.Board, 64)
	defer sup.SubscribeBoard(func(b *sportello.Board) { boards <- b })()
	hands := make(chan *sportello.RaisedHand, 16)
	defer op.SubscribeHand(func(h *sportello.RaisedHand) { hands <- h })()
	ctx, stop := context.WithTimeout(context.Background(), timeout)
	defer stop()
	for _, c := range []interface{ Open(context.Context) error }{op, sup} {
		if err := c.Open(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := op.SetPresence(ctx, sportello.Presence{State: sportello.AgentOnCall, PresenceCall: sportello.PresenceCall{Caller: "+390212345678", CallerName: "Maria Rossi"}}); err != nil {
		t.Fatal(err)
	}
	h, err := op.RaiseHand(ctx, "Serve aiuto")
	if err != nil || h.Caller != "+390212345678" || h.CallerName != "Maria Rossi" {
		t.Fatalf("raise: %+v, %v", h, err)
	}
	waitFor := func(what string, ok func(*sportello.Board) bool) {
		t.Helper()
		deadline := time.After(timeout)
		for {
			select {
			case b := <-boards:
				if ok(b) {
					return
				}
			case <-deadline:
				t.Fatalf("no board with %s", what)
			}
		}
	}
	waitFor("the hand", func(b *sportello.Board) bool { return len(b.Hands) == 1 && b.Hands[0].AgentID == h.AgentID })
	if _, err := op.AnswerHand(ctx, h.AgentID); sportello.ErrorCode(err) != sportello.EFORBIDDEN {
		t.Fatalf("an operator answered a hand: %v", err)
	}
	if _, err := sup.AnswerHand(ctx, h.AgentID); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(timeout)
	for done := false; !done; {
		select {
		case got := <-hands:
			done = got != nil && got.AnsweredBy == "Francesca Romano"
		case <-deadline:
			t.Fatal("the operator was not told who is coming")
		}
	}
	if err := op.LowerHand(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor("no hand", func(b *sportello.Board) bool { return len(b.Hands) == 0 })
	select {
	case got := <-hands:
		for got != nil { // the answered hand may come again before the lowered one
			got = <-hands
		}
	case <-time.After(timeout):
		t.Fatal("the operator was not told the hand is down")
	}
}
