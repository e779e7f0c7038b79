package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// Backup writes a consistent copy of the store to out with VACUUM INTO:
// one read transaction, so syncd keeps serving (and writing) meanwhile,
// and the copy is compact and a valid database on its own. out must not
// exist yet.
func (db *DB) Backup(ctx context.Context, out string) error {
	if out == "" {
		return sportello.Errorf(sportello.EINVALID, "name the backup file")
	}
	if _, err := os.Stat(out); err == nil {
		return sportello.Errorf(sportello.ECONFLICT, "%s exists: a backup never overwrites a file", out)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// A connection of its own: the read pool is query-only, and the writer
	// must stay free for syncd's writes while the copy is made.
	conn, err := sql.Open("sqlite", db.dsn(false))
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, out); err != nil {
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	return nil
}

// PurgeResult says what Purge removed.
type PurgeResult struct {
	Cases, Events int
}

// purgeBatch bounds the cases removed per transaction, so that a large
// purge does not hold the writer for long.
const purgeBatch = 500

// Purge removes the resolved cases whose last event is older than before:
// their events, their op ids, and the contents of their changes. The
// changes keep their seqs as "purged" tombstones, so the change log stays
// gap-free and no seq is ever reused; the audit log is kept whole (who
// read a citizen's record outlives the record).
func (db *DB) Purge(ctx context.Context, before time.Time) (PurgeResult, error) {
	var total PurgeResult
	cutoff := encodeTime(before)
	for {
		var batch PurgeResult
		err := db.update(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT id FROM cases WHERE status = ? AND updated_at < ? LIMIT ?`,
				string(sportello.StatusResolved), cutoff, purgeBatch)
			if err != nil {
				return err
			}
			var ids []any
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, id := range ids {
				if _, err := tx.ExecContext(ctx, `
					UPDATE changes SET kind = ?, citizen_id = '', case_id = '', desk_id = '', event_id = NULL
					WHERE case_id = ?`, wire.ChangeKindPurged, id); err != nil {
					return err
				}
				res, err := tx.ExecContext(ctx, `DELETE FROM case_events WHERE case_id = ?`, id)
				if err != nil {
					return err
				}
				n, _ := res.RowsAffected()
				batch.Events += int(n)
				if _, err := tx.ExecContext(ctx, `DELETE FROM ops WHERE case_id = ?`, id); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM cases WHERE id = ?`, id); err != nil {
					return err
				}
				batch.Cases++
			}
			return nil
		})
		if err != nil {
			return total, internal("purge", err)
		}
		total.Cases += batch.Cases
		total.Events += batch.Events
		if batch.Cases < purgeBatch || ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}
