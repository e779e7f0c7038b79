package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/postgres"
	"github.com/sportello/sportello/sync/postgres/pgtest"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/storetest"
)

// pushWait bounds how long a change may take from one node's commit to a
// desktop of another node.
const pushWait = 5 * time.Second

// node is one syncd on the shared database: its own store (pool and
// LISTEN connection) and server.
func node(t *testing.T, dsn string) *server.Server {
	t.Helper()
	db := open(t, dsn, nil)
	srv := server.New(db, nil)
	srv.Addr = "127.0.0.1:0"
	srv.FilterChanges = true
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// signIn returns a client of srv signed in as username and its changes,
// connected to the live feed.
func signIn(t *testing.T, srv *server.Server, username string) (*client.Client, <-chan sportello.Change) {
	t.Helper()
	c := client.New(srv.URL(), nil)
	c.Backoff = func(int) time.Duration { return 20 * time.Millisecond }
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), pushWait)
	defer cancel()
	if _, err := c.Login(ctx, username, storetest.Password); err != nil {
		t.Fatal(err)
	}
	online := make(chan struct{}, 1)
	changes := make(chan sportello.Change, 100)
	t.Cleanup(c.Subscribe(func(s sportello.SyncState) {
		if s.Online {
			select {
			case online <- struct{}{}:
			default:
			}
		}
	}, func(ch sportello.Change) {
		select {
		case changes <- ch:
		default:
		}
	}))
	if err := c.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-online:
	case <-time.After(pushWait):
		t.Fatalf("%s not online on %s within %v", username, srv.URL(), pushWait)
	}
	return c, changes
}

// receive waits for the changes of seqs, in order, and returns how long
// the last took to come.
func receive(t *testing.T, who string, changes <-chan sportello.Change, caseID string, seqs ...int64) {
	t.Helper()
	deadline := time.After(pushWait)
	for _, want := range seqs {
		select {
		case ch := <-changes:
			if ch.Seq != want || ch.CaseID != caseID || ch.Event == nil {
				t.Fatalf("%s got change %+v, want seq %d of case %s", who, ch, want, caseID)
			}
		case <-deadline:
			t.Fatalf("%s did not get change %d within %v", who, want, pushWait)
		}
	}
}

// TestMultiNode_FanOut runs two syncd nodes on one PostgreSQL database: a
// wrap-up recorded through node A reaches a desktop signed in to node B
// (a supervisor holding the citizen's card: a supervisor's feed is its
// own working set) and the other way round within a bounded wait, each
// change once and in seq order, through LISTEN/NOTIFY.
func TestMultiNode_FanOut(t *testing.T) {
	dsn := pgtest.DSN(t)
	seed := open(t, dsn, nil)
	if err := seed.Seed(context.Background(), storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	a, b := node(t, dsn), node(t, dsn)

	supB, onB := signIn(t, b, "supervisore")
	opA, onA := signIn(t, a, "operatore")
	ctx, cancel := context.WithTimeout(context.Background(), pushWait)
	defer cancel()
	if _, err := supB.LookupCaller(ctx, "+390212345678", "call-0"); err != nil { // Maria Rossi's card
		t.Fatal(err)
	}

	start := time.Now()
	k, err := opA.RecordWrapUp(ctx, sportello.WrapUp{CallID: "call-1", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred, Note: "Trasferita"})
	if err != nil {
		t.Fatal(err)
	}
	receive(t, "B's supervisor", onB, k.ID, 1, 2, 3)
	t.Logf("A -> B: three changes in %v", time.Since(start))
	receive(t, "A's operator", onA, k.ID, 1, 2, 3) // its own node too

	// The other way: a wrap-up through B reaches A's operator, who wrote on the case.
	opB, _ := signIn(t, b, "operatore2")
	start = time.Now()
	if _, err := opB.RecordWrapUp(ctx, sportello.WrapUp{CallID: "call-2", CaseID: k.ID, Outcome: sportello.OutcomeResolvedFirstContact}); err != nil {
		t.Fatal(err)
	}
	receive(t, "A's operator", onA, k.ID, 4, 5)
	t.Logf("B -> A: two changes in %v", time.Since(start))
	receive(t, "B's supervisor", onB, k.ID, 4, 5)
}

// TestDB_Changes: the notification stream sends the head when it starts
// listening and every newer head as commits happen, from any store on the
// database, and closes when its context ends.
func TestDB_Changes(t *testing.T) {
	dsn := pgtest.DSN(t)
	a, b := open(t, dsn, nil), open(t, dsn, nil)
	ctx := context.Background()
	if err := a.Seed(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	lctx, cancel := context.WithCancel(ctx)
	heads := b.Changes(lctx)
	next := func(want int64) {
		t.Helper()
		deadline := time.After(pushWait)
		for {
			select {
			case seq := <-heads:
				if seq == want {
					return
				} else if seq > want {
					t.Fatalf("head %d, want %d", seq, want)
				}
			case <-deadline:
				t.Fatalf("no head %d within %v", want, pushWait)
			}
		}
	}
	next(0)
	if _, err := a.RecordWrapUp(ctx, &storetest.Operator, sportello.WrapUp{CallID: "c", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}); err != nil {
		t.Fatal(err)
	}
	next(3)
	// A refused write commits nothing and announces nothing.
	if _, err := a.RecordWrapUp(ctx, &storetest.Operator, sportello.WrapUp{CallID: "c", CaseID: "nope", Outcome: sportello.OutcomeTransferred}); err == nil {
		t.Fatal("a wrap-up on no case was recorded")
	}
	if _, err := b.RecordWrapUp(ctx, &storetest.Operator, sportello.WrapUp{CallID: "c", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}); err != nil {
		t.Fatal(err)
	}
	next(6)
	cancel()
	select {
	case _, ok := <-heads:
		for ok {
			_, ok = <-heads
		}
	case <-time.After(pushWait):
		t.Fatal("the channel was not closed after its context ended")
	}
	var _ server.Notifier = (*postgres.DB)(nil)
}
