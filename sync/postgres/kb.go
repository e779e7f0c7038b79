package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// PutKB stores knowledge-base entries, replacing those with the same id.
func (db *DB) PutKB(ctx context.Context, entries []sportello.KBEntry) error {
	return db.update(ctx, func(tx pgx.Tx) error { return putKB(ctx, tx, db.now(), entries) })
}

// putKB stores entries inside tx; entries without UpdatedAt get now.
func putKB(ctx context.Context, tx pgx.Tx, now time.Time, entries []sportello.KBEntry) error {
	for _, e := range entries {
		if e.ID == "" || e.Title == "" {
			return sportello.Errorf(sportello.EINVALID, "a knowledge-base entry needs an id and a title")
		}
		if !check.Storable(e.ID) {
			return sportello.Errorf(sportello.EINVALID, "a knowledge-base id is UTF-8 text")
		}
		if e.UpdatedAt.IsZero() {
			e.UpdatedAt = now
		}
		if e.Version == 0 {
			e.Version = 1 // stored entries count versions from 1 (kbedit.go)
		}
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO kb (id, kind, body, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, body = excluded.body, updated_at = excluded.updated_at`,
			e.ID, string(e.Kind), string(body), e.UpdatedAt); err != nil {
			return fmt.Errorf("store kb entry %s: %w", e.ID, err)
		}
	}
	return nil
}

// KBPage returns up to limit entries with ids after after, in id order:
// desktops page through the whole knowledge base to copy it.
func (db *DB) KBPage(ctx context.Context, after string, limit int) ([]sportello.KBEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 500
	}
	if !check.Storable(after) {
		return nil, sportello.Errorf(sportello.EINVALID, "after is not an id")
	}
	rows, err := db.pool.Query(ctx, `SELECT body FROM kb WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read kb: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sportello.KBEntry, error) {
		var body string
		var e sportello.KBEntry
		if err := r.Scan(&body); err != nil {
			return e, err
		}
		err := json.Unmarshal([]byte(body), &e)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read kb: %w", err)
	}
	return out, nil
}

// KBTotal returns how many entries the knowledge base has.
func (db *DB) KBTotal(ctx context.Context) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT COUNT(*) FROM kb`).Scan(&n)
	return n, err
}
