package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sportello/sportello"
)

// PutDirectory stores transfer-directory entries, replacing those with the
// same id.
func (db *DB) PutDirectory(ctx context.Context, entries []sportello.DirectoryEntry) error {
	return db.update(ctx, func(tx *sql.Tx) error { return putDirectory(ctx, tx, db.Now().UTC(), entries) })
}

// putDirectory stores entries inside tx; entries without UpdatedAt get now.
func putDirectory(ctx context.Context, tx *sql.Tx, now time.Time, entries []sportello.DirectoryEntry) error {
	for _, e := range entries {
		if e.ID == "" || e.Name == "" || e.Number == "" {
			return sportello.Errorf(sportello.EINVALID, "a directory entry needs an id, a name and a number")
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO directory (id, name, number, grp, body, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET name = excluded.name, number = excluded.number, grp = excluded.grp,
				body = excluded.body, updated_at = excluded.updated_at`,
			e.ID, e.Name, e.Number, e.Group, string(body), encodeTime(e.UpdatedAt)); err != nil {
			return fmt.Errorf("store directory entry %s: %w", e.ID, err)
		}
	}
	return nil
}

// DirectoryPage returns up to limit directory entries with ids after
// after, in id order: desktops page through the whole directory to copy it.
func (db *DB) DirectoryPage(ctx context.Context, after string, limit int) ([]sportello.DirectoryEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 500
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, number, grp, body FROM directory WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read directory: %w", err)
	}
	defer rows.Close()
	var out []sportello.DirectoryEntry
	for rows.Next() {
		var e sportello.DirectoryEntry
		var body string
		if err := rows.Scan(&e.ID, &e.Name, &e.Number, &e.Group, &body); err != nil {
			return nil, err
		}
		// Rows from before migration 0007 have no body: their columns are
		// the whole entry.
		if body != "" {
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				return nil, fmt.Errorf("read directory entry %s: %w", e.ID, err)
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// DirectoryTotal returns how many entries the transfer directory has.
func (db *DB) DirectoryTotal(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM directory`).Scan(&n)
	return n, err
}
