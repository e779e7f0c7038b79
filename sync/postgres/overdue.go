package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sportello/sportello"
)

// PoolOverdueCallbacks gives to the pool the first limit scheduled
// callbacks of a user or a desk whose window ended before cutoff, in one
// transaction: each with a note event (by syncd) on its case and that
// event's change, so that the owner's and the pool's desktops are pushed
// it. It returns the callbacks as moved, first due first.
func (db *DB) PoolOverdueCallbacks(ctx context.Context, cutoff time.Time, note string, limit int) ([]*sportello.Callback, error) {
	var moved []*sportello.Callback
	err := db.update(ctx, func(tx pgx.Tx) error {
		moved = nil
		head, err := lockHead(ctx, tx)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			SELECT id FROM callbacks WHERE state = $1 AND owner <> $2 AND window_to < $3
			ORDER BY window_from, window_to, id LIMIT $4 FOR UPDATE`,
			string(sportello.CallbackScheduled), sportello.OwnerPool, cutoff.UTC(), limit)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		now := db.now()
		for _, id := range ids {
			cb, err := loadCallback(ctx, tx, id, true)
			if err != nil {
				return err
			}
			from := cb.Owner
			cb.Owner, cb.UpdatedAt = sportello.OwnerPool, now
			if _, err := tx.Exec(ctx, `UPDATE callbacks SET owner = $1, updated_at = $2 WHERE id = $3`, cb.Owner, now, cb.ID); err != nil {
				return err
			}
			c, err := loadCase(ctx, tx, cb.CaseID, -1)
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
			head++
			if err := appendChange(ctx, tx, head, now, c, e); err != nil {
				return err
			}
			moved = append(moved, cb)
		}
		if len(moved) > 0 {
			return setHead(ctx, tx, head)
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

// noteFailure notes on the case, with its change (seq head+1), that its
// callback failed after its last unanswered attempt; it returns the head.
func noteFailure(ctx context.Context, tx pgx.Tx, head int64, now time.Time, c *sportello.Case, cb *sportello.Callback) (int64, error) {
	if cb.State != sportello.CallbackFailed {
		return head, nil
	}
	e := &sportello.CaseEvent{ID: newID(), CaseID: c.ID, Kind: sportello.EventNote, At: now, CallID: cb.ID, Number: cb.Number,
		Author: "syncd", Note: fmt.Sprintf("%s (%d)", sportello.FailedNote, len(cb.Attempts))}
	position := len(c.Events)
	if err := c.Apply(e); err != nil {
		return head, err
	}
	if err := saveCase(ctx, tx, c, false); err != nil {
		return head, err
	}
	if err := insertEvent(ctx, tx, e, position); err != nil {
		return head, err
	}
	head++
	return head, appendChange(ctx, tx, head, now, c, e)
}
