package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
)

// openDemo opens a store seeded with a small generated city.
func openDemo(t *testing.T) (*DB, *demo.Data) {
	t.Helper()
	d := demo.Generate(1, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	db := New(filepath.Join(t.TempDir(), "syncd.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Seed(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return db, d
}

// stmtCounts returns the statements looked up in db's cache so far (each
// text once a transaction), and those of them run as text.
func stmtCounts(db *DB) (runs, texts int64) {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	return db.stmts.runs, db.stmts.texts
}

// hasStmt reports whether query ran through db's cache, prepared or noted.
func hasStmt(db *DB, query string) bool {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	return db.stmts.stmts[query] != nil || db.stmts.noted[query]
}

// A wrap-up's statements are prepared once, after the first wrap-up's
// commit: the next one runs every statement prepared, and the same number.
func TestStmtCache_WrapUpPrepared(t *testing.T) {
	db, d := openDemo(t)
	ctx := context.Background()
	actor := &d.Users[0].User
	perOp := func(i int) (runs, texts int64) {
		r0, t0 := stmtCounts(db)
		c, replayed, err := db.RecordWrapUpOnce(ctx, actor, sportello.WrapUp{
			ID: fmt.Sprintf("0193a3b2-0000-7000-8000-%012d", i), CallID: "c", CitizenID: d.Citizens[i].ID,
			Outcome: sportello.OutcomeResolvedFirstContact, Note: "n",
		})
		if err != nil || replayed || len(c.Events) != 3 {
			t.Fatalf("wrap-up %d: %v, replayed %v, case %+v", i, err, replayed, c)
		}
		r1, t1 := stmtCounts(db)
		return r1 - r0, t1 - t0
	}
	runs1, texts1 := perOp(1)
	if texts1 != runs1 || runs1 < 6 {
		t.Fatalf("first wrap-up: %d statements, %d as text; want >= 6, all as text", runs1, texts1)
	}
	runs2, texts2 := perOp(2)
	if runs2 != runs1 || texts2 != 0 {
		t.Fatalf("second wrap-up: %d statements, %d as text; want %d, none as text", runs2, texts2, runs1)
	}
	t.Logf("a wrap-up opening a case runs %d distinct statements", runs2)
	// A replay reads through the cache too, and answers as before.
	c, replayed, err := db.RecordWrapUpOnce(ctx, actor, sportello.WrapUp{
		ID: fmt.Sprintf("0193a3b2-0000-7000-8000-%012d", 2), CallID: "c", CitizenID: d.Citizens[2].ID,
		Outcome: sportello.OutcomeResolvedFirstContact, Note: "n",
	})
	if err != nil || !replayed || len(c.Events) != 3 {
		t.Fatalf("replay: %v, replayed %v, case %+v", err, replayed, c)
	}
}

// A case event queued while the writer is busy joins the wrap-ups' group
// commit: it and a wrap-up queued with it commit in one transaction, each
// in a savepoint (before, a case event waited for the writer connection and
// committed alone).
func TestRecordCaseEvent_JoinsGroupCommit(t *testing.T) {
	db, d := openDemo(t)
	ctx := context.Background()
	actor := &d.Users[0].User
	opened, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: "c", CitizenID: d.Citizens[0].ID, Outcome: sportello.OutcomeResolvedFirstContact})
	if err != nil {
		t.Fatal(err)
	}
	if hasStmt(db, `SAVEPOINT wrap_up`) {
		t.Fatal("a savepoint ran before any group")
	}

	// Hold the writer, queue a wrap-up (it leads, waiting for the writer),
	// then a case event and another wrap-up behind it.
	held, release := make(chan struct{}), make(chan struct{})
	go db.update(ctx, func(*sql.Tx) error { close(held); <-release; return nil })
	<-held
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	wrapUp := func(i int) {
		defer wg.Done()
		_, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: "c", CitizenID: d.Citizens[i].ID, Outcome: sportello.OutcomeResolvedFirstContact})
		errs <- err
	}
	wg.Add(1)
	go wrapUp(1)
	time.Sleep(100 * time.Millisecond)
	var noted *sportello.Case
	var replayed bool
	wg.Add(2)
	go func() {
		defer wg.Done()
		var err error
		noted, replayed, err = db.RecordCaseEvent(ctx, actor, opened.ID, sportello.CaseEvent{ID: "0193a3b2-0000-7000-8000-00000000e001", Kind: sportello.EventNote, Note: "richiamare"}, nil)
		errs <- err
	}()
	time.Sleep(50 * time.Millisecond)
	go wrapUp(2)
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if replayed || noted == nil || noted.Events[len(noted.Events)-1].Note != "richiamare" {
		t.Fatalf("case event: replayed %v, case %+v", replayed, noted)
	}
	if !hasStmt(db, `SAVEPOINT wrap_up`) {
		t.Fatal("the case event and the wrap-up queued with it did not share a transaction")
	}
	// The note is stored once, and its resend replays it.
	again, replayed, err := db.RecordCaseEvent(ctx, actor, opened.ID, sportello.CaseEvent{ID: "0193a3b2-0000-7000-8000-00000000e001", Kind: sportello.EventNote, Note: "richiamare"}, nil)
	if err != nil || !replayed || len(again.Events) != len(noted.Events) {
		t.Fatalf("resend: %v, replayed %v, %d events, want %d", err, replayed, len(again.Events), len(noted.Events))
	}
	// A refused case event in a group refuses nothing else.
	_, _, err = db.RecordCaseEvent(ctx, actor, "no-such-case", sportello.CaseEvent{Kind: sportello.EventNote, Note: "x"}, nil)
	if sportello.ErrorCode(err) != sportello.ENOTFOUND {
		t.Fatalf("case event on a missing case: %v, want %s", err, sportello.ENOTFOUND)
	}
}

// In a transaction, a prepared statement is bound to it once, however
// many times it runs there: the second run gets the same statement.
func TestStmtCache_BoundOncePerTransaction(t *testing.T) {
	db, _ := openDemo(t)
	ctx := context.Background()
	const q = `SELECT count(*) FROM desks WHERE id <> ?`
	var want int
	if err := db.read.QueryRowContext(ctx, q, "").Scan(&want); err != nil {
		t.Fatal(err)
	}
	countTwice := func(tx execer) (first, second *sql.Stmt, err error) {
		ct := tx.(cachedTx)
		for i := range 2 {
			var n int
			if err := tx.QueryRowContext(ctx, q, "").Scan(&n); err != nil || n != want {
				return nil, nil, fmt.Errorf("run %d: %d desks, %v; want %d", i, n, err, want)
			}
		}
		return ct.bound[q], ct.stmt(ctx, q), nil
	}
	// The first transaction runs it as text and notes it; it is prepared
	// after the commit.
	if _, err := db.commitCached(ctx, func(tx execer) error {
		first, _, err := countTwice(tx)
		if err == nil && first != nil {
			err = fmt.Errorf("bound before it was prepared")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.commitCached(ctx, func(tx execer) error {
		first, second, err := countTwice(tx)
		if err == nil && (first == nil || first != second) {
			err = fmt.Errorf("bound %p, then %p; want one statement, bound once", first, second)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
