package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// PurgeResult says what Purge removed.
type PurgeResult struct {
	Cases, Events int
}

// purgeBatch bounds the cases removed per transaction, so that a large
// purge does not hold the writers' lock for long.
const purgeBatch = 500

// Purge removes the resolved cases whose last event is older than before:
// their events, their op ids, and the contents of their changes, which
// stay as "purged" tombstones (the log stays gap-free; change_head never
// goes back, so no seq is reused). The audit log is kept whole.
func (db *DB) Purge(ctx context.Context, before time.Time) (PurgeResult, error) {
	var total PurgeResult
	for {
		var batch PurgeResult
		err := db.update(ctx, func(tx pgx.Tx) error {
			if _, err := lockHead(ctx, tx); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `SELECT id FROM cases WHERE status = $1 AND updated_at < $2 LIMIT $3`,
				string(sportello.StatusResolved), before.UTC(), purgeBatch)
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil || len(ids) == 0 {
				return err
			}
			if _, err := tx.Exec(ctx, `
				UPDATE changes SET kind = $1, citizen_id = '', case_id = '', desk_id = '', event_id = NULL
				WHERE case_id = ANY($2)`, wire.ChangeKindPurged, ids); err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `DELETE FROM case_events WHERE case_id = ANY($1)`, ids)
			if err != nil {
				return err
			}
			batch.Events = int(tag.RowsAffected())
			if _, err := tx.Exec(ctx, `DELETE FROM ops WHERE case_id = ANY($1)`, ids); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM cases WHERE id = ANY($1)`, ids); err != nil {
				return err
			}
			batch.Cases = len(ids)
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
