package client_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/client"
)

// TestClient_Board: an operator's desktop reports its state, a
// supervisor's gets the board pushed, and after syncd restarts (which
// forgets presence) the operator's client reports its last state again.
func TestClient_Board(t *testing.T) {
	d := *fixture
	d.Users = append(append([]demo.User{}, d.Users...),
		demo.User{User: sportello.User{ID: "u-sup", Username: "supervisore", Name: "Francesca Romano", Role: sportello.RoleSupervisor}, Password: "demo"})
	db := openStoreWith(t, &d)
	srv := openServer(t, db, "127.0.0.1:0")
	url := srv.URL()
	op, sup := signIn(t, url, "operatore"), signIn(t, url, "supervisore")
	var _ sportello.BoardService = sup
	var _ sportello.PresenceService = op

	boards := make(chan *sportello.Board, 64)
	cancel := sup.SubscribeBoard(func(b *sportello.Board) { boards <- b })
	defer cancel()
	ctx, stop := context.WithTimeout(context.Background(), timeout)
	defer stop()
	for _, c := range []*client.Client{op, sup} {
		if err := c.Open(ctx); err != nil {
			t.Fatal(err)
		}
	}
	waitAgent := func(what string, state sportello.AgentState) {
		t.Helper()
		deadline := time.After(timeout)
		for {
			select {
			case b := <-boards:
				for _, a := range b.Agents {
					if a.ID == "u-a" && a.State == state {
						return
					}
				}
			case <-deadline:
				t.Fatalf("no board with Giulia %s", what)
			}
		}
	}
	if err := op.SetPresence(ctx, sportello.Presence{State: sportello.AgentOnCall}); err != nil {
		t.Fatal(err)
	}
	waitAgent("on a call", sportello.AgentOnCall)
	b, err := sup.Board(ctx)
	if err != nil || len(b.Agents) != 1 || b.Agents[0].State != sportello.AgentOnCall || b.CallsInProgress != 1 {
		t.Fatalf("board %+v, %v", b, err)
	}
	if _, err := op.Board(ctx); sportello.ErrorCode(err) != sportello.EFORBIDDEN {
		t.Fatalf("an operator read the board: %v", err)
	}
	if err := sup.SetPresence(ctx, sportello.Presence{State: sportello.AgentAvailable}); sportello.ErrorCode(err) != sportello.EFORBIDDEN {
		t.Fatalf("a supervisor reported a state: %v", err)
	}

	// syncd restarts: presence lived in its memory.
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv2 := openServer(t, db, strings.TrimPrefix(url, "http://"))
	deadline := time.Now().Add(timeout)
	for srv2.Presence("u-a") != sportello.AgentOnCall {
		if time.Now().After(deadline) {
			t.Fatal("the operator's client did not report its state again after reconnecting")
		}
		time.Sleep(10 * time.Millisecond)
	}
	waitAgent("on a call after the restart", sportello.AgentOnCall)
}
