package sqlite

import (
	"context"
	"database/sql"
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
// nor readers), every checkpointInterval.
const (
	checkpointInterval = 200 * time.Millisecond
	// checkpointTruncateFrames: a log this long (about 256 MB of 4 KB
	// pages) that PASSIVE checkpoints could not empty, readers holding
	// old pages all along, is checkpointed with TRUNCATE, which waits
	// for them (up to the busy timeout) and empties the file.
	checkpointTruncateFrames = 1 << 16
)

// checkpointer is the store's background checkpoint.
type checkpointer struct {
	conn *sql.DB
	quit chan struct{}
	done chan struct{}
	runs atomic.Int64 // checkpoints that copied pages
}

// startCheckpoints opens the checkpoint's connection and starts its loop.
func (db *DB) startCheckpoints() error {
	conn, err := sql.Open("sqlite", db.dsn(false))
	if err != nil {
		return err
	}
	conn.SetMaxOpenConns(1)
	db.ckpt = &checkpointer{conn: conn, quit: make(chan struct{}), done: make(chan struct{})}
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
		if err == nil && logFrames-done >= checkpointTruncateFrames {
			_, _, err = ck.checkpoint(ctx, "TRUNCATE")
		}
		cancel()
		if err != nil {
			slog.Default().Warn("sqlite checkpoint", "path", db.path, "err", err)
		} else if done > 0 {
			ck.runs.Add(1)
		}
	}
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
