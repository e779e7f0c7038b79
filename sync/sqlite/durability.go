package sqlite

import (
	"context"
	"fmt"
	"strings"
)

// SQLite's synchronous settings syncd offers (issue 4): SyncNormal, the
// default, may lose the last transactions acknowledged before a power
// cut (never after a crash of syncd alone) and never corrupts the file;
// SyncFull syncs the WAL before a commit is acknowledged (the store does,
// once for the commits made meanwhile: walsync.go), so no acknowledged
// change is lost even to a power cut, at the cost of a disk flush per
// group of writes.
const (
	SyncNormal = "normal"
	SyncFull   = "full"
)

// SetSynchronous chooses the store's synchronous setting: SyncNormal or
// SyncFull, in any case ("" keeps SyncNormal). Call it before Open.
func (db *DB) SetSynchronous(mode string) error {
	switch m := strings.ToLower(strings.TrimSpace(mode)); m {
	case "", SyncNormal:
		db.synchronous = ""
	case SyncFull:
		db.synchronous = SyncFull
	default:
		return fmt.Errorf("sqlite synchronous %q: use %s or %s", mode, SyncFull, SyncNormal)
	}
	return nil
}

// Synchronous returns the synchronous setting the store runs with:
// SyncFull when the writer connection runs FULL or, as Open sets it up,
// NORMAL with the store syncing the log before it acknowledges a commit
// (walsync.go); SyncNormal when it runs NORMAL alone; the number SQLite
// reports for another.
func (db *DB) Synchronous(ctx context.Context) (string, error) {
	var n int
	if err := db.write.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&n); err != nil {
		return "", internal("read synchronous", err)
	}
	switch {
	case n == 1 && db.wal != nil, n == 2:
		return SyncFull, nil
	case n == 1:
		return SyncNormal, nil
	}
	return fmt.Sprint(n), nil
}

// SetWriterCacheMB sizes the writer connection's page cache, in MB (0
// keeps SQLite's 2 MB). At the load model's scale (1,000,000 citizens)
// the writer's index inserts wait on page reads with the default: 32 MB
// took syncd from 356-411 to 540 writes a second at 1,000 asked and
// removed multi-second stalls, for about 100 MB more memory under load
// (docs/BENCHMARKS.md). Call it before Open.
func (db *DB) SetWriterCacheMB(mb int) error {
	if mb < 0 || mb > maxWriterCacheMB {
		return fmt.Errorf("sqlite writer cache %d MB: between 0 (SQLite's 2 MB) and %d", mb, maxWriterCacheMB)
	}
	db.writerCacheMB = mb
	return nil
}

// maxWriterCacheMB bounds SetWriterCacheMB.
const maxWriterCacheMB = 4096

// WriterCacheKB returns the writer connection's page cache as SQLite
// reports it: negative values are KiB, positive ones pages.
func (db *DB) WriterCacheKB(ctx context.Context) (int, error) {
	var n int
	err := db.write.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&n)
	return n, internal("read cache size", err)
}
