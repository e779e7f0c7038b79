package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/postgres/pgtest"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/storetest"
	"github.com/sportello/sportello/sync/wire"
)

// boardNode is a syncd node on the shared database with a short presence
// TTL (so that a silent node's agents expire within the test); Close
// it once.
func boardNode(t *testing.T, dsn string, ttl time.Duration) *server.Server {
	t.Helper()
	db := open(t, dsn, nil)
	srv := server.New(db, nil)
	srv.Addr = "127.0.0.1:0"
	srv.FilterChanges = true
	srv.Board.PresenceTTL = ttl
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	return srv
}

// boards subscribes to the boards pushed to c.
func boards(t *testing.T, c *client.Client) <-chan *sportello.Board {
	out := make(chan *sportello.Board, 100)
	t.Cleanup(c.SubscribeBoard(func(b *sportello.Board) {
		select {
		case out <- b:
		default:
		}
	}))
	return out
}

// waitBoard waits for a pushed board that ok accepts and returns it with
// how long it took.
func waitBoard(t *testing.T, who, what string, frames <-chan *sportello.Board, ok func(*sportello.Board) bool) (*sportello.Board, time.Duration) {
	t.Helper()
	start := time.Now()
	deadline := time.After(pushWait)
	var last *sportello.Board
	for {
		select {
		case b := <-frames:
			last = b
			if ok(b) {
				return b, time.Since(start)
			}
		case <-deadline:
			t.Fatalf("%s: no board with %s within %v; last %+v", who, what, pushWait, last)
		}
	}
}

// agentOf returns an agent of a board (zero when absent).
func agentOf(b *sportello.Board, id string) sportello.BoardAgent {
	for _, a := range b.Agents {
		if a.ID == id {
			return a
		}
	}
	return sportello.BoardAgent{}
}

// TestMultiNode_BoardShared runs two syncd nodes on one PostgreSQL
// database: an agent's state, caller, handle time and raised hand
// reported through node A are pushed to a supervisor's board on node B
// (LISTEN/NOTIFY on sportello_board); B's supervisor answers the hand and
// A pushes it to the agent; who is available at a desk reads the same
// through either node; a restart of A keeps the hand and the handle
// times; the agents of a node that went silent show offline after the
// TTL.
func TestMultiNode_BoardShared(t *testing.T) {
	const ttl = 1500 * time.Millisecond
	dsn := pgtest.DSN(t)
	seed := open(t, dsn, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := seed.Seed(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	if err := seed.AddDeskMember(ctx, storetest.Operator.ID, "desk-anagrafe"); err != nil {
		t.Fatal(err)
	}
	a, b := boardNode(t, dsn, ttl), boardNode(t, dsn, ttl)
	t.Cleanup(func() { b.Close() })
	aClosed := false
	t.Cleanup(func() {
		if !aClosed {
			a.Close()
		}
	})

	supB, _ := signIn(t, b, "supervisore")
	onB := boards(t, supB)
	opA, _ := signIn(t, a, "operatore")
	hands := make(chan *sportello.RaisedHand, 10)
	t.Cleanup(opA.SubscribeHand(func(h *sportello.RaisedHand) { hands <- h }))
	giulia := storetest.Operator.ID

	// On a call through A: B's board shows it, with the caller.
	call := sportello.PresenceCall{Caller: "+390212345678", CallerName: "Maria Rossi"}
	start := time.Now()
	if err := opA.SetPresence(ctx, sportello.Presence{State: sportello.AgentOnCall, PresenceCall: call}); err != nil {
		t.Fatal(err)
	}
	waitBoard(t, "B's supervisor", "Giulia on a call", onB, func(bd *sportello.Board) bool {
		ag := agentOf(bd, giulia)
		return ag.State == sportello.AgentOnCall && ag.Caller == call.Caller && bd.CallsInProgress == 1
	})
	t.Logf("A's on_call on B's board in %v", time.Since(start))

	// Her hand, raised through A, on B's board with its alert.
	start = time.Now()
	if _, err := opA.RaiseHand(ctx, "aiuto"); err != nil {
		t.Fatal(err)
	}
	waitBoard(t, "B's supervisor", "Giulia's hand", onB, func(bd *sportello.Board) bool {
		return len(bd.Hands) == 1 && bd.Hands[0].AgentID == giulia && bd.Hands[0].Note == "aiuto" && bd.Hands[0].Caller == call.Caller &&
			slices.ContainsFunc(bd.Alerts, func(al sportello.BoardAlert) bool { return al.Kind == sportello.AlertHandRaised })
	})
	t.Logf("A's raised hand on B's board in %v", time.Since(start))
	// Answered through B: A pushes it to her desktop.
	if _, err := supB.AnswerHand(ctx, giulia); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(pushWait)
	for answered := false; !answered; {
		select {
		case h := <-hands:
			answered = h != nil && h.AnsweredBy == storetest.Supervisor.Name
		case <-deadline:
			t.Fatalf("Giulia's desktop on A not told that %s is coming", storetest.Supervisor.Name)
		}
	}

	// The call ends: available, one handle time measured; who is
	// available at Anagrafe is Giulia, read through either node.
	if err := opA.SetPresence(ctx, sportello.Presence{State: sportello.AgentAvailable}); err != nil {
		t.Fatal(err)
	}
	waitBoard(t, "B's supervisor", "Giulia available with a handle time", onB, func(bd *sportello.Board) bool {
		ag := agentOf(bd, giulia)
		return ag.State == sportello.AgentAvailable && ag.HandledMeasured == 1 && bd.CallsInProgress == 0 // AvgHandle rounds to 0s
	})
	for _, c := range []*client.Client{supB, opA} {
		av, err := c.DeskAvailability(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(av, func(d sportello.DeskAvailability) bool { return d.DeskID == "desk-anagrafe" })
		if i < 0 || !slices.Equal(av[i].Available, []string{storetest.Operator.Name}) {
			t.Fatalf("availability %+v, want Giulia available at Anagrafe", av)
		}
	}

	// Giulia also signs in through B and reports the same state there:
	// her presence now comes through B, so her socket on A closing (A
	// restarts: a new node) leaves her available; the hand and the
	// handle time are still there, on a board read through the new node.
	opB, _ := signIn(t, b, "operatore")
	if err := opB.SetPresence(ctx, sportello.Presence{State: sportello.AgentAvailable}); err != nil {
		t.Fatal(err)
	}
	aClosed = true
	opA.Close()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a2 := boardNode(t, dsn, ttl)
	t.Cleanup(func() { a2.Close() })
	supA2, _ := signIn(t, a2, "supervisore")
	bd, err := supA2.Board(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(bd.Hands) != 1 || bd.Hands[0].AgentID != giulia || bd.Hands[0].AnsweredBy != storetest.Supervisor.Name {
		t.Fatalf("hands after A's restart %+v, want Giulia's, answered", bd.Hands)
	}
	if ag := agentOf(bd, giulia); ag.State != sportello.AgentAvailable || ag.HandledMeasured != 1 {
		t.Fatalf("Giulia after A's restart %+v, want available (through B) with 1 call measured", ag)
	}
	// Her socket on B closing sets her offline, on every node.
	opB.Close()
	waitBoard(t, "B's supervisor", "Giulia offline once her socket on B closed", onB, func(bd *sportello.Board) bool {
		return agentOf(bd, giulia).State == sportello.AgentOffline
	})
	for deadline := time.Now().Add(pushWait); agentOf(mustBoard(t, supA2), giulia).State != sportello.AgentOffline; {
		if time.Now().After(deadline) {
			t.Fatalf("Giulia not offline on the new A's board within %v", pushWait)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A node that dies without a word: its agent shows on B until its
	// heartbeat is older than the TTL, then offline.
	now := time.Now()
	if err := seed.NodeHeartbeat(ctx, "node-dead", now); err != nil {
		t.Fatal(err)
	}
	marco := storetest.Operator2
	if err := seed.SavePresence(ctx, wire.AgentPresence{UserID: marco.ID, Name: marco.Name, Role: marco.Role, State: sportello.AgentOnCall,
		Since: now, Node: "node-dead"}); err != nil {
		t.Fatal(err)
	}
	waitBoard(t, "B's supervisor", "Marco on a call through the other node", onB, func(bd *sportello.Board) bool {
		return agentOf(bd, marco.ID).State == sportello.AgentOnCall
	})
	_, took := waitBoard(t, "B's supervisor", "Marco offline once his node went silent", onB, func(bd *sportello.Board) bool {
		return agentOf(bd, marco.ID).State == sportello.AgentOffline
	})
	if took < ttl/2 {
		t.Fatalf("Marco offline after %v, before his node's TTL (%v)", took, ttl)
	}
	t.Logf("a silent node's agent offline after %v (TTL %v)", took, ttl)
}

// mustBoard reads the board through c.
func mustBoard(t *testing.T, c *client.Client) *sportello.Board {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), pushWait)
	defer cancel()
	b, err := c.Board(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
