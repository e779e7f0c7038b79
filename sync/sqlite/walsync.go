package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
)

// With SyncFull (syncd's default) no acknowledged change may be lost to a
// power cut. SQLite's own way, synchronous FULL, syncs the log inside
// every commit, on the writer: under issue 4's load the writer spent 18%
// of its time waiting there (a sync of ~7 ms per group commit), time in
// which it could not work on the next batch. So the writer commits with
// synchronous NORMAL (the commit's pages written to the log file, not
// synced) and the store syncs the log itself, once for all the commits
// made meanwhile, before any of them is acknowledged: update waits for the
// sync of its commit, and a group commit hands its results out once
// synced while the writer goes on with the next batch
// (groupcommit.NewPipelined). The checkpoint needs nothing more: with
// NORMAL SQLite syncs the log before it copies the log into the database
// and the database after.
//
// A reader may meanwhile see a commit not yet synced, which a power cut
// would lose (its writer has not been told it is saved). The change log,
// in which desktops keep a cursor, is read only up to the last synced
// change (ChangesSince, Head), so no desktop's cursor can pass what a
// power cut leaves, and no change is pushed before it is on disk.
type walSync struct {
	path string       // the log file
	sync func() error // syncs the log file (tests wrap it)

	mu        sync.Mutex
	committed uint64        // commits made
	head      int64         // the change log's head at the last commit
	synced    uint64        // commits on disk
	round     chan struct{} // closed when the sync under way ends; nil when none

	syncedHead atomic.Int64 // the change log's head at the last commit on disk
	syncs      atomic.Int64 // syncs done
}

// newWALSync returns the log's syncer for the database file at path,
// whose change log is at head and on disk.
func newWALSync(path string, head int64) *walSync {
	w := &walSync{path: path + "-wal", head: head}
	w.sync = func() error { return syncFile(w.path) }
	w.syncedHead.Store(head)
	return w
}

// commit notes a commit that left the change log at head and returns its
// number, for wait.
func (w *walSync) commit(head int64) uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.committed++
	w.head = max(w.head, head)
	return w.committed
}

// wait returns once commit n is on disk: it syncs the log for every commit
// made so far, or waits for the sync under way and then, if that did not
// cover n, syncs again. ctx ending returns its error (the commit stands,
// synced or not).
func (w *walSync) wait(ctx context.Context, n uint64) error {
	for {
		w.mu.Lock()
		if w.synced >= n {
			w.mu.Unlock()
			return nil
		}
		if round := w.round; round != nil {
			w.mu.Unlock()
			select {
			case <-round:
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		// Every commit counted so far has written its pages: one sync covers them.
		target, head, round := w.committed, w.head, make(chan struct{})
		w.round = round
		w.mu.Unlock()
		err := w.sync()
		w.mu.Lock()
		if err == nil && target > w.synced {
			w.synced = target
			w.syncedHead.Store(head)
			w.syncs.Add(1)
		}
		w.round = nil
		w.mu.Unlock()
		close(round)
		if err != nil {
			return fmt.Errorf("sync the log: %w", err)
		}
	}
}

// durableHead returns the change log's head as far as it is on disk.
func (w *walSync) durableHead() int64 { return w.syncedHead.Load() }

// syncFile flushes a file's data to the disk (opened for writing: Windows
// flushes no file opened read-only).
func syncFile(path string) error { return syncPath(path, os.O_RDWR) }

// syncDir makes the names of the files in dir (the log's, once created)
// survive a power cut.
func syncDir(dir string) error { return syncPath(dir, os.O_RDONLY) }

// syncPath opens path with flag, syncs it and closes it.
func syncPath(path string, flag int) error {
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// startWALSync makes the store sync its log itself (SyncFull), once Open
// has checkpointed it: the log's name is made durable and the change log's
// head, all on disk, is where the synced head starts.
func (db *DB) startWALSync(ctx context.Context) error {
	if db.synchronous != SyncFull {
		return nil
	}
	if runtime.GOOS != "windows" { // which cannot sync a directory
		if err := syncDir(filepath.Dir(db.path)); err != nil {
			return fmt.Errorf("sync %s: %w", filepath.Dir(db.path), err)
		}
	}
	var head int64
	if err := db.write.QueryRowContext(ctx, headQuery).Scan(&head); err != nil {
		return err
	}
	db.wal = newWALSync(db.path, head)
	return nil
}

// headQuery reads the change log's head.
const headQuery = `SELECT COALESCE(MAX(seq), 0) FROM changes`
