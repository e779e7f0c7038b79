package main

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/postgres"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
)

// Store is what syncd's commands need of a store: sync/sqlite on a file,
// or sync/postgres on a database that several syncd nodes share.
type Store interface {
	server.Store
	IsEmpty(ctx context.Context) (bool, error)
	Seed(ctx context.Context, d *demo.Data) error
	CreateUserInDesks(ctx context.Context, u *sportello.User, password string, desks []string) error
	Case(ctx context.Context, id string) (*sportello.Case, error)
	Close() error
}

var (
	_ Store = (*sqlite.DB)(nil)
	_ Store = (*postgres.DB)(nil)
)

// openStore opens m.DB: a postgres:// (or postgresql://) URL is a
// PostgreSQL database, anything else an SQLite file.
func (m *Main) openStore() error {
	if postgres.IsDSN(m.DB) {
		db := postgres.New(m.DB)
		if err := db.Open(); err != nil {
			return err
		}
		m.Store = db
		return nil
	}
	db := sqlite.New(m.DB)
	if err := db.SetSynchronous(cmp.Or(m.SQLiteSync, sqlite.SyncFull)); err != nil { // durable unless told otherwise
		return err
	}
	if err := db.SetWriterCacheMB(m.SQLiteCacheMB); err != nil {
		return err
	}
	if err := db.Open(); err != nil {
		return err
	}
	m.Store = db
	return nil
}

// onPostgres reports whether m.DB names a PostgreSQL database.
func (m *Main) onPostgres() bool { return postgres.IsDSN(m.DB) }

// dbForLog is m.DB as logs may show it: a URL's password is masked.
func (m *Main) dbForLog() string {
	if !m.onPostgres() {
		return m.DB
	}
	u, err := url.Parse(m.DB)
	if err != nil {
		return "postgres://(unreadable URL)"
	}
	return u.Redacted()
}

// purgeStore runs the store's purge, whichever it is.
func (m *Main) purgeStore(ctx context.Context, before time.Time) (cases, events int, err error) {
	switch db := m.Store.(type) {
	case *sqlite.DB:
		res, err := db.Purge(ctx, before)
		return res.Cases, res.Events, err
	case *postgres.DB:
		res, err := db.Purge(ctx, before)
		return res.Cases, res.Events, err
	}
	return 0, 0, errors.New("purge: unknown store")
}
