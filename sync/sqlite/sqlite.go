// Package sqlite is syncd's store on SQLite (modernc.org/sqlite, no cgo):
// users and sessions, citizens, cases as event logs, the global change log
// and the audit log of citizen reads.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/sportello/sportello"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is the store. All writes go through one connection so that change
// sequence numbers are assigned in commit order; reads use a pool.
type DB struct {
	// Now is the clock for every stored timestamp; tests replace it.
	Now func() time.Time

	path  string
	write *sql.DB
	read  *sql.DB

	repeatWindow  atomic.Int64 // see SetRepeatContactWindow (fcr.go)
	retryTries    atomic.Int64 // see SetCallbackRetry (overdue.go)
	synchronous   string       // see SetSynchronous (durability.go)
	writerCacheMB int          // see SetWriterCacheMB (durability.go)

	wrapUps wrapUpCommitter // group commit of wrap-ups (groupcommit.go)
	stmts   stmtCache       // statements prepared on the writer (stmtcache.go)
	ckpt    *checkpointer   // the WAL's checkpoints, off the writer (checkpoint.go)
	reads   readStmts       // hot reads prepared on the read pool (readstmts.go)
	wal     *walSync        // with SyncFull, the log synced by the store (walsync.go)
	tail    changeTail      // the change log's newest changes, with SyncFull (tail.go)
}

// busyTimeout is how long a connection waits for a lock another holds.
const busyTimeout = 5 * time.Second

// New returns a store on the file at path; call Open before use.
func New(path string) *DB {
	return &DB{Now: time.Now, path: path}
}

// Path returns the file the store lives in.
func (db *DB) Path() string { return db.path }

// Open opens the file, creating it and its directory when missing, and
// brings the schema up to date.
func (db *DB) Open() error {
	if db.path == "" {
		return errors.New("open store: no database path")
	}
	if err := os.MkdirAll(filepath.Dir(db.path), 0o700); err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	var err error
	if db.write, err = sql.Open("sqlite", db.dsn(false)); err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetConnMaxIdleTime(0)
	if err := db.migrate(context.Background()); err != nil {
		db.write.Close()
		return fmt.Errorf("migrate %s: %w", db.path, err)
	}
	if db.read, err = sql.Open("sqlite", db.dsn(true)); err != nil {
		db.write.Close()
		return fmt.Errorf("open store: %w", err)
	}
	db.read.SetMaxOpenConns(max(4, runtime.NumCPU()))
	db.reads = readStmts{pool: db.read}
	if err := db.startCheckpoints(); err != nil { // checkpoint.go
		db.read.Close()
		db.write.Close()
		return fmt.Errorf("open store: %w", err)
	}
	if err := db.startWALSync(context.Background()); err != nil { // walsync.go
		db.Close()
		return fmt.Errorf("open store: %w", err)
	}
	return nil
}

// dsn builds the connection string: WAL so readers never wait for the
// writer, foreign keys checked, and a busy timeout for the rare writer in
// another process (syncd user add while syncd serves).
func (db *DB) dsn(readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	// NORMAL in both modes: with SyncFull the store syncs the log itself
	// before a commit is acknowledged (walsync.go).
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
		// A group commit's savepoints journal in memory: in a file, each
		// op's first write to a page was a pwrite (issue 4, stmtcache.go).
		q.Add("_pragma", "temp_store(2)")
		// Checkpoints run on a connection of their own (checkpoint.go).
		q.Add("_pragma", "wal_autocheckpoint(0)")
		if db.writerCacheMB > 0 {
			q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -db.writerCacheMB*1024))
		}
	}
	return "file:" + db.path + "?" + q.Encode()
}

// Close closes both connection pools.
func (db *DB) Close() error {
	errs := []error{db.stopCheckpoints()}
	if db.read != nil {
		db.reads.close()
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		db.stmts.close()
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// migrate runs each embedded migration not yet applied, one transaction each.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		version, err := strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its version", name)
		}
		if err := db.migrateOne(ctx, name, version); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) migrateOne(ctx context.Context, name string, version int) error {
	return db.update(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_version WHERE version = ?`, version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		script, err := fs.ReadFile(migrationFS, name)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(script)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`, version, db.now())
		return err
	})
}

// SchemaVersion returns the newest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}

// update runs fn in a transaction on the writer connection.
func (db *DB) update(ctx context.Context, fn func(tx *sql.Tx) error) error {
	n, err := db.commit(ctx, fn)
	if err != nil || n == 0 {
		return err
	}
	return db.wal.wait(ctx, n) // walsync.go
}

// commit runs fn in the writer's transaction and commits it, without
// waiting for the store to sync the log (walsync.go): it returns the
// commit's number to wait for then, or 0 when the store does not sync the
// log itself.
func (db *DB) commit(ctx context.Context, fn func(tx *sql.Tx) error) (uint64, error) {
	db.ckpt.beforeWrite(ctx, db.write) // checkpoint.go
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	db.tail.begin()
	if err := fn(tx); err != nil {
		return 0, err
	}
	var head int64
	if db.wal != nil {
		if err := tx.QueryRowContext(ctx, headQuery).Scan(&head); err != nil {
			return 0, err
		}
	}
	notes := db.tail.take()
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	if db.wal == nil {
		return 0, nil
	}
	db.tail.committed(notes, head) // before the head may be read as synced
	return db.wal.commit(head), nil
}

// now returns the store's clock as stored text.
func (db *DB) now() string { return encodeTime(db.Now()) }

// timeLayout is RFC 3339 with fixed-width nanoseconds, so stored times sort
// as text in time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func encodeTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func decodeTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// newID returns a fresh UUIDv7, time-ordered so that ids index well.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// nullString stores "" as NULL, for optional references.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// internal wraps an unexpected error with context (it maps to EINTERNAL)
// and passes nil and application errors through.
func internal(what string, err error) error {
	var e *sportello.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
