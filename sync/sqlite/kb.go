package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sportello/sportello"
)

// PutKB stores knowledge-base entries, replacing those with the same id.
func (db *DB) PutKB(ctx context.Context, entries []sportello.KBEntry) error {
	return db.update(ctx, func(tx *sql.Tx) error { return putKB(ctx, tx, db.Now().UTC(), entries) })
}

// putKB stores entries inside tx; entries without UpdatedAt get now.
func putKB(ctx context.Context, tx *sql.Tx, now time.Time, entries []sportello.KBEntry) error {
	for _, e := range entries {
		if e.ID == "" || e.Title == "" {
			return sportello.Errorf(sportello.EINVALID, "a knowledge-base entry needs an id and a title")
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb (id, kind, body, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, body = excluded.body, updated_at = excluded.updated_at`,
			e.ID, string(e.Kind), string(body), encodeTime(e.UpdatedAt)); err != nil {
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
	rows, err := db.read.QueryContext(ctx, `SELECT body FROM kb WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read kb: %w", err)
	}
	defer rows.Close()
	var out []sportello.KBEntry
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var e sportello.KBEntry
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// KBTotal returns how many entries the knowledge base has.
func (db *DB) KBTotal(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM kb`).Scan(&n)
	return n, err
}
