package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sportello/sportello"
)

// PoolOverdueCallbacks gives to the pool the first limit scheduled
// callbacks of a user or a desk whose window ended before cutoff, in one
// transaction: each with a note event (by syncd) on its case and that
// event's change, so that the owner's and the pool's desktops are pushed
// it. It returns the callbacks as moved, first due first.
func (db *DB) PoolOverdueCallbacks(ctx context.Context, cutoff time.Time, note string, limit int) ([]*sportello.Callback, error) {
	var moved []*sportello.Callback
	err := db.update(ctx, func(tx *sql.Tx) error {
		moved = nil
		rows, err := tx.QueryContext(ctx, `
			SELECT id FROM callbacks WHERE state = ? AND owner <> ? AND window_to < ?
			ORDER BY window_from, window_to, id LIMIT ?`,
			string(sportello.CallbackScheduled), sportello.OwnerPool, encodeTime(cutoff.UTC()), limit)
		if err != nil {
			return err
		}
		var ids []string
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
		now := db.Now().UTC()
		for _, id := range ids {
			cb, err := loadCallback(ctx, tx, id)
			if err != nil {
				return err
			}
			from := cb.Owner
			cb.Owner, cb.UpdatedAt = sportello.OwnerPool, now
			if _, err := tx.ExecContext(ctx, `UPDATE callbacks SET owner = ?, updated_at = ? WHERE id = ?`,
				cb.Owner, encodeTime(now), cb.ID); err != nil {
				return err
			}
			c, err := loadCase(ctx, tx, cb.CaseID)
			if err != nil {
				return err
			}
			e := &sportello.CaseEvent{ID: newID(), CaseID: c.ID, Kind: sportello.EventNote, At: now,
				CallID: cb.ID, Number: cb.Number, Author: "syncd", Note: note + " (" + from + ")"}
			position := len(c.Events)
			if err := c.Apply(e); err != nil {
				return err
			}
			if err := saveCase(ctx, tx, c, false); err != nil {
				return err
			}
			if err := insertEvent(ctx, tx, e, position); err != nil {
				return err
			}
			if err := db.appendChange(ctx, tx, now, c, e); err != nil {
				return err
			}
			moved = append(moved, cb)
		}
		return nil
	})
	if err != nil {
		return nil, internal("pool overdue callbacks", err)
	}
	return moved, nil
}

// SetCallbackRetry sets how many attempts a callback gets before it fails
// (sportello.CallbackRetry; zero: sportello.MaxCallbackAttempts).
func (db *DB) SetCallbackRetry(r sportello.CallbackRetry) { db.retryTries.Store(int64(r.Attempts)) }

func (db *DB) callbackRetry() sportello.CallbackRetry {
	return sportello.CallbackRetry{Attempts: int(db.retryTries.Load())}
}

// noteFailure notes on the case, with its change, that its callback
// failed after its last unanswered attempt.
func (db *DB) noteFailure(ctx context.Context, tx *sql.Tx, now time.Time, c *sportello.Case, cb *sportello.Callback) error {
	if cb.State != sportello.CallbackFailed {
		return nil
	}
	e := &sportello.CaseEvent{ID: newID(), CaseID: c.ID, Kind: sportello.EventNote, At: now, CallID: cb.ID, Number: cb.Number,
		Author: "syncd", Note: fmt.Sprintf("%s (%d)", sportello.FailedNote, len(cb.Attempts))}
	position := len(c.Events)
	if err := c.Apply(e); err != nil {
		return err
	}
	if err := saveCase(ctx, tx, c, false); err != nil {
		return err
	}
	if err := insertEvent(ctx, tx, e, position); err != nil {
		return err
	}
	return db.appendChange(ctx, tx, now, c, e)
}
