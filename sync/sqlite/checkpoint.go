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
// nor readers), every checkpointInterval; SQLite starts the log over once
// a checkpoint has copied all of it. Open checkpoints what migrations
// wrote (TRUNCATE, before anyone else uses the store): an index built
// over 10,000,000 events is a log of hundreds of MB, which the first
// minutes of load would otherwise be copying.
const checkpointInterval = 200 * time.Millisecond

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
		_, done, err := ck.checkpoint(ctx, "PASSIVE")
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
