package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/postgres"
	"github.com/sportello/sportello/sync/postgres/pgtest"
)

// openDemo opens a store on a new database seeded with a small generated
// city, and returns the database's URL too.
func openDemo(t *testing.T) (*postgres.DB, *demo.Data, string) {
	t.Helper()
	d := demo.Generate(1, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	dsn := pgtest.DSN(t)
	db := open(t, dsn, nil)
	if err := db.Seed(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return db, d, dsn
}

// waitQueued waits until n items wait for db's next group commit.
func waitQueued(t *testing.T, db *postgres.DB, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); postgres.QueuedWrapUps(db) != n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d items queued for the group commit, want %d", postgres.QueuedWrapUps(db), n)
		}
	}
}

// holdWriters takes the writers' lock (change_head's row) on a connection
// of its own, so that the next write waits for it, leading a group commit
// while other writes queue behind; it returns a function waiting until
// that write waits, and one releasing the lock.
func holdWriters(t *testing.T, dsn string) (leading func(), release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	hold, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hold.Exec(ctx, `SELECT seq FROM change_head WHERE one FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	leading = func() {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			var waiting int
			if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if waiting == 1 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("no write waits for the writers' lock")
			}
		}
	}
	release = func() {
		t.Helper()
		if err := hold.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return leading, release
}

// committed reports whether a case event, seen from conn, is committed.
func committed(conn *pgx.Conn, eventID string) (bool, error) {
	var ok bool
	err := conn.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM case_events WHERE id = $1)`, eventID).Scan(&ok)
	return ok, err
}

// A case event queued while a group commits joins the wrap-ups' group
// commit, as on SQLite (sync/sqlite TestRecordCaseEvent_JoinsGroupCommit):
// it, a refused case event and a wrap-up queued behind it commit in one
// transaction, each in a savepoint, and allow sees the case as the
// group's earlier ops left it, uncommitted (before, each case event was a
// transaction of its own, taking the writers' lock).
func TestRecordCaseEvent_JoinsGroupCommit(t *testing.T) {
	db, d, dsn := openDemo(t)
	ctx := context.Background()
	actor := &d.Users[0].User
	opened, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: "c", CitizenID: d.Citizens[0].ID, Outcome: sportello.OutcomeTransferred})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	// Hold the writers' lock, so that a wrap-up leads a group and waits
	// for it; queue, in this order, a note, a second note whose allow
	// wants the first, a note on a missing case, a wrap-up opening a case
	// and a note on that case.
	leading, release := holdWriters(t, dsn)
	type result struct {
		c        *sportello.Case
		replayed bool
		err      error
	}
	lead, first, second, missing, behind, onNew := make(chan result, 1), make(chan result, 1), make(chan result, 1), make(chan result, 1), make(chan result, 1), make(chan result, 1)
	event := func(caseID string, e sportello.CaseEvent, allow func(*sportello.Case) error, out chan<- result) {
		c, replayed, err := db.RecordCaseEvent(ctx, actor, caseID, e, allow)
		out <- result{c, replayed, err}
	}
	go func() {
		c, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: "c", CitizenID: d.Citizens[1].ID, Outcome: sportello.OutcomeResolvedFirstContact})
		lead <- result{c: c, err: err}
	}()
	leading()
	// In one transaction, the second note's allow finds the first in the
	// case while another connection does not see it yet, and the note on
	// the case the wrap-up opens finds that case.
	note := sportello.CaseEvent{ID: "0193a3b2-0000-7000-8000-00000000e001", Kind: sportello.EventNote, Note: "richiamare"}
	go event(opened.ID, note, nil, first)
	waitQueued(t, db, 1)
	var seen int
	var seenCommitted bool
	go event(opened.ID, sportello.CaseEvent{Kind: sportello.EventNote, Note: "richiamato"}, func(c *sportello.Case) error {
		seen = len(c.Events)
		if last := c.Events[len(c.Events)-1]; last.Note != "richiamare" {
			return sportello.Errorf(sportello.EFORBIDDEN, "the last note is %q", last.Note)
		}
		var err error
		seenCommitted, err = committed(conn, note.ID)
		return err
	}, second)
	waitQueued(t, db, 2)
	go event("no-such-case", sportello.CaseEvent{Kind: sportello.EventNote, Note: "x"}, nil, missing)
	waitQueued(t, db, 3)
	newCase := "0193a3b2-0000-7000-8000-0000000c0001"
	go func() {
		c, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: "c", CitizenID: d.Citizens[2].ID, NewCaseID: newCase, Outcome: sportello.OutcomeTransferred})
		behind <- result{c: c, err: err}
	}()
	waitQueued(t, db, 4)
	var openedCommitted bool
	go event(newCase, sportello.CaseEvent{Kind: sportello.EventNote, Note: "sul nuovo"}, func(c *sportello.Case) error {
		var err error
		openedCommitted, err = committed(conn, c.Events[0].ID)
		return err
	}, onNew)
	waitQueued(t, db, 5)
	release()

	led := <-lead
	if led.err != nil {
		t.Fatal(led.err)
	}
	noted := <-first
	if noted.err != nil || noted.replayed || noted.c.Events[len(noted.c.Events)-1].Note != "richiamare" {
		t.Fatalf("first note: %v, replayed %v, case %+v", noted.err, noted.replayed, noted.c)
	}
	again := <-second
	if again.err != nil || len(again.c.Events) != len(noted.c.Events)+1 || seen != len(noted.c.Events) {
		t.Fatalf("second note: %v, %d events (allow saw %d), want %d after the first note's %d",
			again.err, len(again.c.Events), seen, len(noted.c.Events)+1, len(noted.c.Events))
	}
	if r := <-missing; sportello.ErrorCode(r.err) != sportello.ENOTFOUND {
		t.Fatalf("note on a missing case: %v, want %s", r.err, sportello.ENOTFOUND)
	}
	queued := <-behind
	if queued.err != nil || queued.c.ID != newCase {
		t.Fatalf("wrap-up behind: %v, case %+v", queued.err, queued.c)
	}
	if r := <-onNew; r.err != nil || len(r.c.Events) != len(queued.c.Events)+1 {
		t.Fatalf("note on the new case: %v, case %+v", r.err, r.c)
	}
	if seenCommitted || openedCommitted {
		t.Fatalf("committed before the group: first note %v, new case %v; want neither", seenCommitted, openedCommitted)
	}
	if ok, err := committed(conn, note.ID); err != nil || !ok {
		t.Fatalf("first note committed %v, %v after the group", ok, err)
	}
	// The refused note's savepoint took back its seq: changes stay gap-free.
	var n, lo, hi, head int64
	if err := conn.QueryRow(ctx, `SELECT count(*), min(seq), max(seq), (SELECT seq FROM change_head) FROM changes`).Scan(&n, &lo, &hi, &head); err != nil {
		t.Fatal(err)
	}
	if hi-lo+1 != n || head != hi {
		t.Fatalf("changes: %d from %d to %d, head %d: not gap-free", n, lo, hi, head)
	}

	// The note is stored once: its resend replays it as it was, and its
	// id on another note is refused.
	resent, replayed, err := db.RecordCaseEvent(ctx, actor, opened.ID, note, nil)
	if err != nil || !replayed || len(resent.Events) != len(noted.c.Events) {
		t.Fatalf("resend: %v, replayed %v, %d events, want %d", err, replayed, len(resent.Events), len(noted.c.Events))
	}
	other := note
	other.Note = "altro"
	if _, _, err := db.RecordCaseEvent(ctx, actor, opened.ID, other, nil); sportello.ErrorCode(err) != sportello.ECONFLICT {
		t.Fatalf("another note under the same id: %v, want %s", err, sportello.ECONFLICT)
	}
	var notes int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'note'`, opened.ID).Scan(&notes); err != nil {
		t.Fatal(err)
	}
	if notes != 2 {
		t.Fatalf("%d notes stored, want 2", notes)
	}
}

// Claims of one case sent while a group commits share the next group
// commit: each sees the claim before it in the case as loaded in the
// transaction, so all lose (ECONFLICT naming the winner, the claim that
// led), each rolled back alone, and the case holds one claim.
func TestRecordCaseEvent_ConcurrentClaims(t *testing.T) {
	db, d, dsn := openDemo(t)
	ctx := context.Background()
	escalated, err := db.RecordWrapUp(ctx, &d.Users[0].User, sportello.WrapUp{
		CallID: "c", CitizenID: d.Citizens[0].ID, Outcome: sportello.OutcomeEscalated, DeskID: d.Desks[0].ID,
	})
	if err != nil || escalated.Status != sportello.StatusEscalated {
		t.Fatalf("escalate: %v, case %+v", err, escalated)
	}
	type result struct {
		c   *sportello.Case
		err error
	}
	claim := func(u *sportello.User, out chan<- result) {
		c, _, err := db.RecordCaseEvent(ctx, u, escalated.ID, sportello.CaseEvent{Kind: sportello.EventClaimed}, nil)
		out <- result{c, err}
	}
	leading, release := holdWriters(t, dsn)
	winner := &d.Users[2].User
	first := make(chan result, 1)
	go claim(winner, first)
	leading()
	const others = 19
	lost := make(chan result, others)
	for i := range others {
		go claim(&d.Users[i%len(d.Users)].User, lost)
	}
	waitQueued(t, db, others)
	release()
	if r := <-first; r.err != nil || r.c.ClaimedBy != winner.Name {
		t.Fatalf("the leading claim: %v, case %+v", r.err, r.c)
	}
	for range others {
		r := <-lost
		if sportello.ErrorCode(r.err) != sportello.ECONFLICT || !strings.Contains(r.err.Error(), winner.Name) {
			t.Fatalf("a claim behind it: %v, want %s naming %s", r.err, sportello.ECONFLICT, winner.Name)
		}
	}
	c, err := db.Case(ctx, escalated.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range c.Events {
		if e.Kind == sportello.EventClaimed {
			n++
		}
	}
	if n != 1 || c.ClaimedBy != winner.Name {
		t.Fatalf("the case holds %d claims, by %q; want 1 by %s", n, c.ClaimedBy, winner.Name)
	}
}
