package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/postgres"
	"github.com/sportello/sportello/sync/postgres/pgtest"
)

// roundTrips counts a store's calls to PostgreSQL: each query, and each
// batch of queries, is one round trip once its statements are prepared
// on the connection.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.n.Add(1)
	return ctx
}

func (r *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (r *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.n.Add(1)
	return ctx
}

func (r *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (r *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// openTraced opens a store whose calls to PostgreSQL are counted, on a new
// database seeded with a small generated city.
func openTraced(t *testing.T) (*postgres.DB, *demo.Data, string, *roundTrips) {
	t.Helper()
	d := demo.Generate(1, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	dsn := pgtest.DSN(t)
	db := postgres.New(dsn)
	rt := &roundTrips{}
	postgres.SetTracer(db, rt)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Seed(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return db, d, dsn, rt
}

// opID is the client-made op id number n.
func opID(n int) string { return fmt.Sprintf("0193a3b2-0000-7000-8000-%012x", n) }

// gapFree fails unless the change log's seqs run without a gap to the head.
func gapFree(t *testing.T, dsn string) int64 {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n, lo, hi, head int64
	if err := conn.QueryRow(ctx, `SELECT count(*), min(seq), max(seq), (SELECT seq FROM change_head) FROM changes`).Scan(&n, &lo, &hi, &head); err != nil {
		t.Fatal(err)
	}
	if hi-lo+1 != n || head != hi {
		t.Fatalf("changes: %d from %d to %d, head %d: not gap-free", n, lo, hi, head)
	}
	return head
}

// A group of wrap-ups costs about one round trip per op (issue 4): each
// op's writes go in one batch with the next op's reads, and the group adds
// the batch that begins it (the writers' lock taken once) and the commit.
// Before, each op made 12 to 17 calls one at a time, all under the lock.
// A resent group is answered from the replays, and an op refused in Go
// costs nothing more.
func TestGroupCommit_RoundTripsPerWrapUp(t *testing.T) {
	db, d, dsn, rt := openTraced(t)
	ctx := context.Background()
	actor := &d.Users[0].User
	opened, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: "c", CitizenID: d.Citizens[0].ID, Outcome: sportello.OutcomeTransferred})
	if err != nil {
		t.Fatal(err)
	}
	const m = 30
	ops := make([]sportello.WrapUpOp, m)
	for i := range ops {
		w := sportello.WrapUp{ID: opID(i + 1), CallID: "c", CitizenID: d.Citizens[i%len(d.Citizens)].ID,
			Outcome: sportello.OutcomeResolvedFirstContact, Category: "anagrafe", Note: "nota", KBEntries: []string{"kb-1"}}
		switch i % 3 {
		case 1: // adds to a case
			w.CaseID, w.CitizenID, w.Outcome = opened.ID, d.Citizens[0].ID, sportello.OutcomeTransferred
		case 2: // opens a case for the caller's number
			w.CitizenID, w.CallerNumber = "", d.Citizens[i%len(d.Citizens)].Phones[0]
		}
		ops[i] = sportello.WrapUpOp{Actor: actor, WrapUp: w}
	}
	ops[m-1].WrapUp.CaseID = "no-such-case" // refused in Go
	before := rt.n.Load()
	results := db.RecordWrapUps(ctx, ops)
	calls := rt.n.Load() - before
	for i, r := range results[:m-1] {
		if r.Err != nil || r.Replayed {
			t.Fatalf("op %d: %v, replayed %v", i, r.Err, r.Replayed)
		}
	}
	if sportello.ErrorCode(results[m-1].Err) != sportello.ENOTFOUND {
		t.Fatalf("op on a missing case: %v, want %s", results[m-1].Err, sportello.ENOTFOUND)
	}
	t.Logf("%d calls to PostgreSQL for a group of %d wrap-ups", calls, m)
	if calls > m+2 {
		t.Fatalf("%d calls to PostgreSQL for a group of %d wrap-ups, want at most %d", calls, m, m+2)
	}
	if c, err := db.Case(ctx, opened.ID); err != nil || len(c.Events) != 3+2*(m/3) {
		t.Fatalf("the case added to: %v, %d events, want %d", err, len(c.Events), 3+2*(m/3))
	}
	gapFree(t, dsn)

	before = rt.n.Load()
	again := db.RecordWrapUps(ctx, ops[:m-1])
	calls = rt.n.Load() - before
	for i, r := range again {
		if r.Err != nil || !r.Replayed || r.Case.ID != results[i].Case.ID || len(r.Case.Events) != len(results[i].Case.Events) {
			t.Fatalf("resent op %d: %v, replayed %v, case %+v; want %+v", i, r.Err, r.Replayed, r.Case, results[i].Case)
		}
	}
	t.Logf("%d calls to PostgreSQL for a resent group of %d wrap-ups", calls, m-1)
	if calls > m {
		t.Fatalf("%d calls to PostgreSQL for a resent group of %d wrap-ups, want at most %d", calls, m-1, m)
	}
}

// Case events queued while a group commits share the next one at about
// one round trip each, as wrap-ups do.
func TestGroupCommit_RoundTripsPerCaseEvent(t *testing.T) {
	db, d, dsn, rt := openTraced(t)
	ctx := context.Background()
	actor := &d.Users[0].User
	opened, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: "c", CitizenID: d.Citizens[0].ID, Outcome: sportello.OutcomeTransferred})
	if err != nil {
		t.Fatal(err)
	}
	leading, release := holdWriters(t, dsn)
	before := rt.n.Load()
	lead := make(chan error, 1)
	go func() {
		_, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: "c", CitizenID: d.Citizens[1].ID, Outcome: sportello.OutcomeResolvedFirstContact})
		lead <- err
	}()
	leading()
	const m = 30
	type result struct {
		c   *sportello.Case
		err error
	}
	done := make(chan result, m)
	for i := range m {
		go func() {
			c, _, err := db.RecordCaseEvent(ctx, actor, opened.ID, sportello.CaseEvent{ID: opID(100 + i), Kind: sportello.EventNote, Note: "nota"}, nil)
			done <- result{c, err}
		}()
	}
	waitQueued(t, db, m)
	release()
	if err := <-lead; err != nil {
		t.Fatal(err)
	}
	for range m {
		if r := <-done; r.err != nil || r.c.CitizenName != d.Citizens[0].Name {
			t.Fatalf("note: %v, case %+v", r.err, r.c)
		}
	}
	// The leading wrap-up alone: its first batch, its writes, the commit.
	calls := rt.n.Load() - before
	t.Logf("%d calls to PostgreSQL for a wrap-up and a group of %d case events", calls, m)
	if calls > 3+m+2 {
		t.Fatalf("%d calls to PostgreSQL for a wrap-up and a group of %d case events, want at most %d", calls, m, 3+m+2)
	}
	if c, err := db.Case(ctx, opened.ID); err != nil || len(c.Events) != 3+m {
		t.Fatalf("the case: %v, %d events, want %d", err, len(c.Events), 3+m)
	}
	gapFree(t, dsn)
}

// An op whose write PostgreSQL refuses (here a trigger) is rolled back to
// its savepoint alone: the op after it, whose reads went in the failed
// batch, reads again and sees the group's earlier writes, seqs stay
// gap-free, and the group's head is announced even when the last op fails.
func TestGroupCommit_WriteRefused(t *testing.T) {
	db, d, dsn, rt := openTraced(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `
		CREATE FUNCTION refuse_note() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.note = 'rifiuta' THEN RAISE EXCEPTION 'note refused'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER refuse_note BEFORE INSERT ON case_events FOR EACH ROW EXECUTE FUNCTION refuse_note();`); err != nil {
		t.Fatal(err)
	}
	listenCtx, stop := context.WithCancel(ctx)
	defer stop()
	heads := db.Changes(listenCtx)
	<-heads // listening, from the head before the group
	actor := &d.Users[0].User
	newCase := "0193a3b2-0000-7000-8000-0000000c0002"
	w := func(caseID, note string) sportello.WrapUpOp {
		return sportello.WrapUpOp{Actor: actor, WrapUp: sportello.WrapUp{CallID: "c", CitizenID: d.Citizens[0].ID, CaseID: caseID, Outcome: sportello.OutcomeTransferred, Note: note}}
	}
	first := w("", "")
	first.WrapUp.NewCaseID = newCase
	before := rt.n.Load()
	results := db.RecordWrapUps(ctx, []sportello.WrapUpOp{first, w(newCase, "rifiuta"), w(newCase, "ok"), w("", "ok"), w(newCase, "rifiuta")})
	// Each refusal costs two calls more, and the group is not tried
	// again op by op.
	calls := rt.n.Load() - before
	t.Logf("%d calls to PostgreSQL for a group of 5 wrap-ups, 2 refused", calls)
	if calls > 5+2+2*2 {
		t.Fatalf("%d calls to PostgreSQL for a group of 5 wrap-ups, 2 refused; want at most %d", calls, 5+2+2*2)
	}
	for i, bad := range []bool{false, true, false, false, true} {
		if bad != (results[i].Err != nil) {
			t.Fatalf("op %d: %v, want refused %v", i, results[i].Err, bad)
		}
	}
	if n := len(results[2].Case.Events); n != 5 {
		t.Fatalf("the op after the refused one found %d events, want 5 (3 of the case opened, 2 its own)", n)
	}
	head := gapFree(t, dsn)
	for deadline := time.After(10 * time.Second); ; {
		select {
		case seq := <-heads:
			if seq == head {
				return
			}
		case <-deadline:
			t.Fatalf("head %d never announced", head)
		}
	}
}
