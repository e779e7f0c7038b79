// Package postgres is syncd's store on PostgreSQL (pgx): the same store as
// sync/sqlite, passing the same conformance suite (sync/storetest), for
// several syncd nodes sharing one database. Commits are announced with
// LISTEN/NOTIFY so that every node pushes every change to its desktops.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sportello/sportello"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLock is the advisory lock key held while a node migrates, so
// that nodes starting together apply each migration once.
const migrationLock = 0x5e1d_0001

// DB is the store. Every transaction that appends changes first locks the
// one row of change_head, so change seqs are gap-free and committed in
// order across all nodes; reads go straight to the pool.
type DB struct {
	// Now is the clock for every stored timestamp; tests replace it.
	Now func() time.Time
	// MaxConns bounds the pool's connections (default 10).
	MaxConns int32

	dsn  string
	pool *pgxpool.Pool

	repeatWindow atomic.Int64 // see SetRepeatContactWindow (fcr.go)
	retryTries   atomic.Int64 // see SetCallbackRetry (overdue.go)
	board        boardSubs    // see BoardChanges (presence.go)

	wrapUps wrapUpCommitter // group commit of wrap-ups (groupcommit.go)
	tracer  pgx.QueryTracer // the pool's, for tests (export_test.go)
}

// New returns a store on the database at dsn (a postgres:// URL or a
// key=value string); call Open before use.
func New(dsn string) *DB {
	return &DB{Now: time.Now, MaxConns: 10, dsn: dsn}
}

// IsDSN reports whether s names a PostgreSQL database rather than a file.
func IsDSN(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects and brings the schema up to date.
func (db *DB) Open() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := pgxpool.ParseConfig(db.dsn)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	if db.MaxConns > 0 {
		cfg.MaxConns = db.MaxConns
	}
	if db.tracer != nil {
		cfg.ConnConfig.Tracer = db.tracer
	}
	if db.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		db.pool.Close()
		return fmt.Errorf("migrate %s: %w", cfg.ConnConfig.Database, err)
	}
	return nil
}

// Close closes the pool.
func (db *DB) Close() error {
	if db.pool != nil {
		db.pool.Close()
	}
	return nil
}

// migrate runs each embedded migration not yet applied, one transaction
// each, under an advisory lock.
func (db *DB) migrate(ctx context.Context) error {
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
	return db.update(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM schema_version WHERE version = $1`, version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		script, err := fs.ReadFile(migrationFS, name)
		if err != nil {
			return err
		}
		// No arguments: the simple protocol, which runs a whole script.
		if _, err := tx.Exec(ctx, string(script), pgx.QueryExecModeSimpleProtocol); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)`, version, db.now())
		return err
	})
}

// SchemaVersion returns the newest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}

// update runs fn in a transaction (read committed).
func (db *DB) update(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// lockHead takes change_head's row lock for the rest of tx and returns the
// newest seq: the writers' turnstile.
func lockHead(ctx context.Context, tx pgx.Tx) (int64, error) {
	var seq int64
	err := tx.QueryRow(ctx, lockHeadSQL).Scan(&seq)
	return seq, err
}

// lockHeadSQL is lockHead's query.
const lockHeadSQL = `SELECT seq FROM change_head WHERE one FOR UPDATE`

// now returns the store's clock in UTC, to the microsecond PostgreSQL
// keeps, so that what a method returns is what a later read gives.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// newID returns a fresh UUIDv7, time-ordered so that ids index well.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// nullString stores "" as NULL, for optional references.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// querier is what both the pool and a transaction offer.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// internal wraps an unexpected error with context (it maps to EINTERNAL)
// and passes nil and application errors through.
func internal(what string, err error) error {
	var e *sportello.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// isUniqueViolation reports a unique constraint refusing a row.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// strings runs a query of one text column.
func (db *DB) strings(ctx context.Context, what, query string, args ...any) ([]string, error) {
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, internal(what, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, internal(what, err)
}
