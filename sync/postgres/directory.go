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

// PutDirectory stores transfer-directory entries, replacing those with the
// same id.
func (db *DB) PutDirectory(ctx context.Context, entries []sportello.DirectoryEntry) error {
	return db.update(ctx, func(tx pgx.Tx) error {
		for _, e := range entries {
			q, args, err := directoryRow(e, db.now())
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return fmt.Errorf("store directory entry %s: %w", e.ID, err)
			}
		}
		return nil
	})
}

// directoryRow is the statement storing e (entries without UpdatedAt get
// now), for PutDirectory and for Seed's batch.
func directoryRow(e sportello.DirectoryEntry, now time.Time) (string, []any, error) {
	if e.ID == "" || e.Name == "" || e.Number == "" {
		return "", nil, sportello.Errorf(sportello.EINVALID, "a directory entry needs an id, a name and a number")
	}
	if !check.Storable(e.ID) || !check.Storable(e.Name) || !check.Storable(e.Number) || !check.Storable(e.Group) {
		return "", nil, sportello.Errorf(sportello.EINVALID, "a directory entry is UTF-8 text")
	}
	if e.UpdatedAt.IsZero() {
		e.UpdatedAt = now
	}
	if e.Version == 0 {
		e.Version = 1 // stored entries count versions from 1 (kbedit.go)
	}
	body, err := json.Marshal(e)
	if err != nil {
		return "", nil, err
	}
	return `INSERT INTO directory (id, name, number, grp, body, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, number = excluded.number, grp = excluded.grp,
			body = excluded.body, updated_at = excluded.updated_at`,
		[]any{e.ID, e.Name, e.Number, e.Group, string(body), e.UpdatedAt}, nil
}

// DirectoryPage returns up to limit directory entries with ids after
// after, in id order: desktops page through the whole directory to copy it.
func (db *DB) DirectoryPage(ctx context.Context, after string, limit int) ([]sportello.DirectoryEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 500
	}
	if !check.Storable(after) {
		return nil, sportello.Errorf(sportello.EINVALID, "after is not an id")
	}
	rows, err := db.pool.Query(ctx, `SELECT id, name, number, grp, body FROM directory WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read directory: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sportello.DirectoryEntry, error) {
		var e sportello.DirectoryEntry
		var body string
		if err := r.Scan(&e.ID, &e.Name, &e.Number, &e.Group, &body); err != nil {
			return e, err
		}
		// Rows from before migration 0004 have no body: their columns are
		// the whole entry.
		if body != "" {
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				return e, err
			}
		}
		return e, nil
	})
	if err != nil {
		return nil, fmt.Errorf("read directory: %w", err)
	}
	return out, nil
}

// DirectoryTotal returns how many entries the transfer directory has.
func (db *DB) DirectoryTotal(ctx context.Context) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT COUNT(*) FROM directory`).Scan(&n)
	return n, err
}
