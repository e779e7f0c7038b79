package sqlite

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// TestCheckpoint_OffTheWriter: the writer connection does not checkpoint
// the WAL (wal_autocheckpoint 0); the store's own checkpoint does, in the
// background, so the log's pages reach the database file while the
// writer goes on; Open checkpoints and empties what is left in the log;
// a store closed and opened again reads everything.
func TestCheckpoint_OffTheWriter(t *testing.T) {
	db, d := openDemo(t)
	ctx := context.Background()
	var auto int
	if err := db.write.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil {
		t.Fatal(err)
	}
	if auto != 0 {
		t.Fatalf("the writer checkpoints every %d pages, want never (0)", auto)
	}
	ck := db.ckpt
	before := ck.runs.Load()
	actor := &d.Users[0].User
	var last *sportello.Case
	for i := range 200 {
		k, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: fmt.Sprint("call-", i), CitizenID: d.Citizens[i%len(d.Citizens)].ID, Outcome: sportello.OutcomeResolvedFirstContact})
		if err != nil {
			t.Fatal(err)
		}
		last = k
	}
	deadline := time.Now().Add(10 * time.Second)
	for ck.runs.Load() == before {
		if time.Now().After(deadline) {
			t.Fatal("no background checkpoint copied the 200 wrap-ups' pages")
		}
		time.Sleep(20 * time.Millisecond)
	}
	logFrames, done, err := ck.checkpoint(ctx, "PASSIVE")
	if err != nil || done != logFrames {
		t.Fatalf("after the background checkpoints: %d of %d frames copied, %v", done, logFrames, err)
	}
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Another connection keeps the WAL from going away on Close, as a
	// process still using the store would; Open then empties it.
	holder := New(path)
	if err := holder.Open(); err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: "call-more", CitizenID: d.Citizens[0].ID, Outcome: sportello.OutcomeResolvedFirstContact}); err != nil {
		t.Fatal(err)
	}
	again := New(path)
	if err := again.Open(); err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() != 0 {
		t.Fatalf("the log after Open: %v, %v; want it checkpointed and emptied", fi, err)
	}
	k, err := again.Case(ctx, last.ID)
	if err != nil || len(k.Events) != len(last.Events) {
		t.Fatalf("the last wrap-up's case after reopening: %+v, %v", k, err)
	}
}

// TestCheckpoint_LogStartsOver: under steady writes with readers always on
// the log, the background checkpoints copy every frame but the log never
// starts over by itself; once it holds restartFrames the writer runs a
// RESTART checkpoint before a transaction, and the log starts over, again
// and again, while the writes go on.
func TestCheckpoint_LogStartsOver(t *testing.T) {
	db, d := openDemo(t)
	ck := db.ckpt
	pauseCheckpoints(ck) // the loop reads restartFrames
	ck.restartFrames = 200
	resumeCheckpoints(db, ck)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	readers := make(chan error, 2)
	for range 2 {
		go func() {
			for ctx.Err() == nil {
				var n int
				if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM case_events`).Scan(&n); err != nil && ctx.Err() == nil {
					readers <- err
					return
				}
			}
			readers <- nil
		}()
	}
	actor := &d.Users[0].User
	var last int64 // the log's length at the last background checkpoint seen
	overs := 0     // times it was shorter than at the one before
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; overs < 2 && time.Now().Before(deadline); i++ {
		if _, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: fmt.Sprint("call-", i), CitizenID: d.Citizens[i%len(d.Citizens)].ID, Outcome: sportello.OutcomeResolvedFirstContact}); err != nil {
			t.Fatal(err)
		}
		if n := ck.logFrames.Load(); n < last {
			overs++
			last = n
		} else {
			last = n
		}
	}
	cancel()
	for range 2 {
		if err := <-readers; err != nil {
			t.Fatal(err)
		}
	}
	if overs < 2 || ck.restarts.Load() < 2 {
		t.Fatalf("the log started over %d times in 20 s of writes (%d writer checkpoints), now %d frames; want at least 2", overs, ck.restarts.Load(), last)
	}
}

// pauseCheckpoints stops ck's loop, so that a test drives observe itself;
// Close still closes ck.
func pauseCheckpoints(ck *checkpointer) {
	close(ck.quit)
	<-ck.done
	ck.quit, ck.done = make(chan struct{}), make(chan struct{})
	close(ck.done)
}

// resumeCheckpoints starts ck's loop again after pauseCheckpoints.
func resumeCheckpoints(db *DB, ck *checkpointer) {
	ck.done = make(chan struct{})
	go db.checkpoints(ck)
}

// TestCheckpoint_RestartBacksOff: while a reader keeps a snapshot on the
// log (a long report, an online backup), each RESTART the writer tries
// waits for it in vain; the tries are spaced twice as far each time, so
// in a minute of a long log the writer tries a handful of times, not
// sixty; once the reader is gone, the log starts over and the spacing is
// back to restartSpacing.
func TestCheckpoint_RestartBacksOff(t *testing.T) {
	db, d := openDemo(t)
	ck := db.ckpt
	pauseCheckpoints(ck)
	ck.restartWait = time.Millisecond
	ctx := context.Background()
	actor := &d.Users[0].User
	wrapUp := func(i int) {
		t.Helper()
		if _, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: fmt.Sprint("call-", i), CitizenID: d.Citizens[i%len(d.Citizens)].ID, Outcome: sportello.OutcomeResolvedFirstContact}); err != nil {
			t.Fatal(err)
		}
	}
	wrapUp(0) // the log has frames for the reader to hold
	reader, err := db.read.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if _, err := reader.ExecContext(ctx, `BEGIN`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRowContext(ctx, `SELECT count(*) FROM case_events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for sec := range 60 { // a minute of a long log, one background checkpoint a second
		ck.observe(ck.restartFrames, start.Add(time.Duration(sec)*time.Second))
		wrapUp(sec + 1)
	}
	if tries := ck.tries.Load(); tries < 3 || tries > 8 || ck.restarts.Load() != 0 {
		t.Fatalf("%d RESTART tries (%d started the log over) in a minute behind a reader; want 3-8, none", tries, ck.restarts.Load())
	}
	if _, err := reader.ExecContext(ctx, `COMMIT`); err != nil {
		t.Fatal(err)
	}
	ck.observe(ck.restartFrames, start.Add(time.Duration(60)*time.Second+maxRestartSpacing))
	wrapUp(61)
	if ck.restarts.Load() != 1 || time.Duration(ck.spacing.Load()) != restartSpacing {
		t.Fatalf("after the reader: %d restarts, spacing %v; want 1, %v", ck.restarts.Load(), time.Duration(ck.spacing.Load()), restartSpacing)
	}
}

// TestCheckpoint_Settle: before asking the writer for a RESTART, the loop
// copies the log again until a pass finds it caught up: over a log of
// thousands of frames none copied, the first pass copies them all and the
// second finds nothing left, so settle stops there, not at settlePasses;
// over a log already copied, one pass.
func TestCheckpoint_Settle(t *testing.T) {
	db, d := openDemo(t)
	ck := db.ckpt
	pauseCheckpoints(ck)
	ctx := context.Background()
	if _, _, err := ck.checkpoint(ctx, "TRUNCATE"); err != nil {
		t.Fatal(err)
	}
	actor := &d.Users[0].User
	for i := range 300 {
		if _, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: fmt.Sprint("call-", i), CitizenID: d.Citizens[i%len(d.Citizens)].ID, Outcome: sportello.OutcomeResolvedFirstContact}); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(db.Path() + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	logFrames := int((fi.Size() - 32) / (4096 + 24)) // the log's header, then frames of a header and a 4 KB page
	if logFrames <= settleFrames {
		t.Fatalf("300 wrap-ups wrote %d frames, want more than settleFrames (%d) for the test to mean anything", logFrames, settleFrames)
	}
	if passes := ck.settle(ctx, 0); passes != 2 {
		t.Fatalf("settle over %d frames none copied: %d passes, want 2 (one copies, one finds it caught up)", logFrames, passes)
	}
	after, done, err := ck.checkpoint(ctx, "PASSIVE")
	if err != nil || done != after {
		t.Fatalf("after settle: %d of %d frames copied, %v", done, after, err)
	}
	if passes := ck.settle(ctx, done); passes != 1 {
		t.Fatalf("settle over a log copied: %d passes, want 1", passes)
	}
}
