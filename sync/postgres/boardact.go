package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// BoardCallbacks returns the callbacks the supervisor's board counts:
// every scheduled one, and those done or failed at or after since.
func (db *DB) BoardCallbacks(ctx context.Context, since time.Time) ([]*sportello.Callback, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+callbackColumns+` FROM callbacks cb LEFT JOIN citizens ci ON ci.id = cb.citizen_id
		WHERE cb.state = $1 OR cb.updated_at >= $2 ORDER BY cb.window_from, cb.window_to, cb.id`,
		string(sportello.CallbackScheduled), since)
	if err != nil {
		return nil, internal("board callbacks", err)
	}
	cbs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*sportello.Callback, error) { return scanCallback(r) })
	return cbs, internal("board callbacks", err)
}

// WrapUpHours counts the wrap-ups recorded at or after since by hour
// (UTC): those that were not missed calls, and those resolved at first
// contact.
func (db *DB) WrapUpHours(ctx context.Context, since time.Time) ([]wire.WrapUpHour, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT EXTRACT(EPOCH FROM date_trunc('hour', at AT TIME ZONE 'UTC'))::bigint AS h,
			COUNT(*) FILTER (WHERE outcome <> $1), COUNT(*) FILTER (WHERE outcome = $2)
		FROM case_events WHERE kind = $3 AND at >= $4 GROUP BY h ORDER BY h`,
		string(sportello.OutcomeMissed), string(sportello.OutcomeResolvedFirstContact), string(sportello.EventWrapUp), since)
	if err != nil {
		return nil, internal("wrap-up hours", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (wire.WrapUpHour, error) {
		var h wire.WrapUpHour
		var handled, resolved int64
		err := r.Scan(&h.Hour, &handled, &resolved)
		h.Handled, h.Resolved = int(handled), int(resolved)
		return h, err
	})
	if err != nil {
		return nil, internal("wrap-up hours", err)
	}
	kept := out[:0]
	for _, h := range out {
		if h.Handled > 0 || h.Resolved > 0 {
			kept = append(kept, h)
		}
	}
	return kept, nil
}

// ReassignCallback gives a scheduled callback to another owner: a user,
// the pool, or a desk ("desk:<id>"), which must exist.
func (db *DB) ReassignCallback(ctx context.Context, id, owner string) (*sportello.Callback, error) {
	var result *sportello.Callback
	err := db.update(ctx, func(tx pgx.Tx) error {
		head, err := lockHead(ctx, tx)
		if err != nil {
			return err
		}
		cb, err := loadCallback(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if cb.State != sportello.CallbackScheduled {
			return sportello.Errorf(sportello.ECONFLICT, "the callback is %s already", cb.State)
		}
		if err := ownerExists(ctx, tx, owner); err != nil {
			return err
		}
		from, now := cb.Owner, db.now()
		cb.Owner, cb.UpdatedAt = owner, now
		if _, err := tx.Exec(ctx, `UPDATE callbacks SET owner = $1, updated_at = $2 WHERE id = $3`, owner, cb.UpdatedAt, id); err != nil {
			return err
		}
		// A note naming the callback, with its change: every desktop's
		// callback list reads itself again (as for the pool's overdue ones).
		c, err := loadCase(ctx, tx, cb.CaseID, -1)
		if err != nil {
			return err
		}
		e := &sportello.CaseEvent{ID: newID(), CaseID: c.ID, Kind: sportello.EventNote, At: now,
			CallID: cb.ID, Number: cb.Number, Author: "syncd", Note: sportello.ReassignedNote(from, owner)}
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
		result = cb
		return setHead(ctx, tx, head)
	})
	return result, internal("reassign callback", err)
}

// ownerExists checks a callback owner: the pool, a known desk, or a
// known user.
func ownerExists(ctx context.Context, tx pgx.Tx, owner string) error {
	if owner == sportello.OwnerPool {
		return nil
	}
	table, id, what := "users", owner, "user"
	if d, ok := strings.CutPrefix(owner, sportello.OwnerDeskPrefix); ok {
		table, id, what = "desks", d, "desk"
	}
	if id == "" {
		return sportello.Errorf(sportello.EINVALID, "a callback needs an owner: a user, %q or %q followed by a desk", sportello.OwnerPool, sportello.OwnerDeskPrefix)
	}
	var n int
	err := tx.QueryRow(ctx, `SELECT 1 FROM `+table+` WHERE id = $1`, id).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return sportello.Errorf(sportello.ENOTFOUND, "no %s has id %s", what, id)
	}
	return err
}

// MoveDeskMember takes a user out of the desk from (when set) and makes
// them a member of the desk to (when set), in one transaction.
func (db *DB) MoveDeskMember(ctx context.Context, userID, from, to string) error {
	err := db.update(ctx, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM users WHERE id = $1`, userID).Scan(&n); errors.Is(err, pgx.ErrNoRows) {
			return sportello.Errorf(sportello.ENOTFOUND, "no user has id %s", userID)
		} else if err != nil {
			return err
		}
		if from != "" {
			tag, err := tx.Exec(ctx, `DELETE FROM desk_members WHERE user_id = $1 AND desk_id = $2`, userID, from)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return sportello.Errorf(sportello.ECONFLICT, "the user is not a member of desk %s", from)
			}
		}
		if to != "" {
			if err := tx.QueryRow(ctx, `SELECT 1 FROM desks WHERE id = $1`, to).Scan(&n); errors.Is(err, pgx.ErrNoRows) {
				return sportello.Errorf(sportello.ENOTFOUND, "no desk has id %s", to)
			} else if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO desk_members (user_id, desk_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, userID, to); err != nil {
				return err
			}
		}
		return nil
	})
	return internal("move desk member", err)
}
