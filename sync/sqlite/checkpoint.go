package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// The writer does not checkpoint the WAL itself (wal_autocheckpoint 0): a
// checkpoint copies the log's pages into the database file and syncs it,
// and run by the writer it stalled the group commit that crossed the
// threshold (7% of syncd's CPU at 1,000 ops/s asked, plus its fsyncs, all
// on the one goroutine every write waits for; issue 4). A connection of
// its own checkpoints instead, PASSIVE (waiting for neither the writer
// nor readers), every checkpointInterval; SQLite starts the log over once
// a checkpoint has copied all of it. Open checkpoints what migrations
// wrote (TRUNCATE, before anyone else uses the store): an index built
// over 10,000,000 events is a log of hundreds of MB, which the first
// minutes of load would otherwise be copying.
//
// Every second: each checkpoint copies the pages written since the last
// one and syncs the database file, so a page written by every commit
// (the end of the change log, of each table written in time order) is
// copied once a checkpoint. At 1,000 ops/s asked on 2 cores, checkpoints
// every 200 ms took ~6% of syncd's CPU; every second, syncd did 869-919
// ops/s (push p99 103-133 ms) against 845-867 (149-273 ms), alternating
// runs; every 2 s varied more (836-953).
const checkpointInterval = time.Second

// A PASSIVE checkpoint copies the log into the database but cannot start
// the log over: SQLite does that at the start of a write transaction whose
// snapshot is the whole log copied, with no reader still on the log. Under
// steady writes and reads that moment never comes (the writer has always
// written since the last checkpoint), and the log grew without bound: by
// ~1 GB in 30 s at 1,000 ops/s, every frame a write past the end of the
// file (whose sync must journal the file's new size) and every page read
// a lookup in a longer log (issue 4). So once the log holds restartFrames,
// the writer itself runs a RESTART checkpoint before its next transaction
// (beforeWrite): nothing is written meanwhile, the copy is the few frames
// since the background checkpoint, and the next transaction writes from
// the start of the log. It costs the writer a copy, a sync and the wait
// for the readers still on the log (tens of ms, at most restartWait)
// each time the log reaches restartFrames (every ~8 s at 1,000 ops/s),
// and the log file stays near restartFrames pages. At most one such
// checkpoint a restartSpacing: while a reader keeps an old snapshot the
// log cannot start over, and the writer should not try at every checkpoint.
// Each try that readers keep from starting the log over doubles the
// spacing, up to maxRestartSpacing; one that starts it over sets it back.
// A long read (a board read of a heavy day took ~4 s at a million
// citizens; an online backup holds its snapshot for minutes) otherwise
// cost the writer restartWait every second, a quarter of its time.
const (
	restartFrames     = 65536 // 256 MB of 4 KB pages
	restartSpacing    = time.Second
	maxRestartSpacing = 30 * time.Second
	restartWait       = 250 * time.Millisecond
)

// checkpointer is the store's background checkpoint.
type checkpointer struct {
	conn *sql.DB
	quit chan struct{}
	done chan struct{}
	runs atomic.Int64 // checkpoints that copied pages

	restartFrames int           // see restartFrames; tests lower it
	restartWait   time.Duration // see restartWait; tests lower it
	restart       atomic.Bool   // the writer should checkpoint before its next transaction
	restarts      atomic.Int64  // checkpoints the writer ran that started the log over
	tries         atomic.Int64  // checkpoints the writer ran
	spacing       atomic.Int64  // the least time between two asks, in ns (restartSpacing, doubled by busy tries)
	logFrames     atomic.Int64  // the log's length at the last background checkpoint
	asked         time.Time     // when restart was last set (the loop's own)
}

// startCheckpoints opens the checkpoint's connection and starts its loop.
func (db *DB) startCheckpoints() error {
	conn, err := sql.Open("sqlite", db.dsn(false))
	if err != nil {
		return err
	}
	conn.SetMaxOpenConns(1)
	db.ckpt = &checkpointer{conn: conn, quit: make(chan struct{}), done: make(chan struct{}), restartFrames: restartFrames, restartWait: restartWait}
	db.ckpt.spacing.Store(int64(restartSpacing))
	if _, _, err := db.ckpt.checkpoint(context.Background(), "TRUNCATE"); err != nil {
		conn.Close()
		db.ckpt = nil
		return err
	}
	go db.checkpoints(db.ckpt)
	return nil
}

// checkpoints runs until stopCheckpoints.
func (db *DB) checkpoints(ck *checkpointer) {
	defer close(ck.done)
	t := time.NewTicker(checkpointInterval)
	defer t.Stop()
	for {
		select {
		case <-ck.quit:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		logFrames, done, err := ck.checkpoint(ctx, "PASSIVE")
		cancel()
		if err != nil {
			slog.Default().Warn("sqlite checkpoint", "path", db.path, "err", err)
			continue
		}
		if done > 0 {
			ck.runs.Add(1)
		}
		now := time.Now()
		if ck.due(logFrames, now) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			ck.settle(ctx, done)
			cancel()
		}
		ck.observe(logFrames, now)
	}
}

// A RESTART checkpoint on the writer copies what the background
// checkpoint has not: at 1,000 ops/s asked, a second of writes, ~9,000
// pages, and the writer stalled 220-255 ms each time the log started over
// (every ~8 s), long enough for 250 ops to queue behind it and for the
// load generator to skip ops (issue 4). So before asking, the loop copies
// again, pass after pass, until one copies at most settleFrames and finds
// the log caught up (at most settlePasses): each pass copies the pages
// written during the one before. The writer's part then took 33-234 ms,
// median 80, over 12 logged restarts; what is left is mostly the sync of
// the database file, which a last copy, whoever runs it, needs before the
// log may start over.
const (
	settleFrames = 512
	settlePasses = 6
)

// settle runs PASSIVE checkpoints back to back (see settleFrames); done
// is the frames the last checkpoint left copied. It returns the passes it
// ran.
func (ck *checkpointer) settle(ctx context.Context, done int) int {
	for pass := 1; ; pass++ {
		logFrames, copied, err := ck.checkpoint(ctx, "PASSIVE")
		if err != nil || pass == settlePasses || copied-done <= settleFrames && logFrames-copied <= settleFrames {
			return pass
		}
		done = copied
	}
}

// due tells whether a background checkpoint that left logFrames in the
// log at now should ask the writer for a RESTART (see observe).
func (ck *checkpointer) due(logFrames int, now time.Time) bool {
	return logFrames >= ck.restartFrames && now.Sub(ck.asked) >= time.Duration(ck.spacing.Load())
}

// observe notes the log's length after a background checkpoint at now
// and asks the writer for a RESTART checkpoint when the log is long and
// the last ask is far enough (spacing).
func (ck *checkpointer) observe(logFrames int, now time.Time) {
	ck.logFrames.Store(int64(logFrames))
	if ck.due(logFrames, now) {
		ck.asked = now
		ck.restart.Store(true)
	}
}

// beforeWrite runs on the writer before it begins a transaction: when
// the loop has asked for it (see restartFrames), a RESTART checkpoint
// there, while the writer writes nothing: it copies the few frames since
// the background checkpoint, waits for the readers still on the log (new
// ones read the database file) and starts the log over. The wait is
// bounded by restartWait, after which the writer goes on and the loop
// asks again, later each time (see maxRestartSpacing).
func (ck *checkpointer) beforeWrite(ctx context.Context, w *sql.DB) {
	if ck == nil || !ck.restart.Swap(false) {
		return
	}
	conn, err := w.Conn(ctx)
	if err != nil {
		return // the transaction that follows reports it
	}
	defer conn.Close()
	var busy, logFrames, done int
	ck.tries.Add(1)
	_, err = conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, max(1, ck.restartWait.Milliseconds())))
	if err == nil {
		err = conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, &logFrames, &done)
	}
	restore := fmt.Sprintf(`PRAGMA busy_timeout = %d`, busyTimeout.Milliseconds())
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), restore); rerr != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn }) // not back in the pool with a short timeout
	}
	if err != nil {
		slog.Default().Warn("sqlite checkpoint on the writer", "err", err)
	}
	if err != nil || busy != 0 { // a reader kept the log from starting over: ask less often
		ck.spacing.Store(min(2*ck.spacing.Load(), int64(maxRestartSpacing)))
		return
	}
	ck.restarts.Add(1)
	ck.spacing.Store(int64(restartSpacing))
}

// checkpoint runs one checkpoint of mode (PASSIVE or TRUNCATE) and
// returns the frames in the log and those copied into the database.
func (ck *checkpointer) checkpoint(ctx context.Context, mode string) (logFrames, done int, err error) {
	var busy int
	err = ck.conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`).Scan(&busy, &logFrames, &done)
	return logFrames, done, err
}

// stopCheckpoints ends the loop and closes its connection.
func (db *DB) stopCheckpoints() error {
	ck := db.ckpt
	if ck == nil {
		return nil
	}
	db.ckpt = nil
	close(ck.quit)
	<-ck.done
	return ck.conn.Close()
}
