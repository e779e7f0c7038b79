package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// BoardCallbacks returns the callbacks the supervisor's board counts:
// every scheduled one, and those done or failed at or after since.
func (db *DB) BoardCallbacks(ctx context.Context, since time.Time) ([]*sportello.Callback, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+callbackColumns+` FROM callbacks cb LEFT JOIN citizens ci ON ci.id = cb.citizen_id
		WHERE cb.state = ? OR cb.updated_at >= ? ORDER BY cb.window_from, cb.window_to, cb.id`,
		string(sportello.CallbackScheduled), encodeTime(since))
	if err != nil {
		return nil, internal("board callbacks", err)
	}
	defer rows.Close()
	var cbs []*sportello.Callback
	for rows.Next() {
		cb, err := scanCallback(rows)
		if err != nil {
			return nil, internal("board callbacks", err)
		}
		cbs = append(cbs, cb)
	}
	return cbs, internal("board callbacks", rows.Err())
}

// WrapUpHours counts the wrap-ups recorded at or after since by hour
// (UTC): those that were not missed calls, and those resolved at first
// contact. Stored times are fixed-width UTC text, so an hour is the
// first 13 characters.
func (db *DB) WrapUpHours(ctx context.Context, since time.Time) ([]wire.WrapUpHour, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT substr(at, 1, 13), SUM(outcome <> ?), SUM(outcome = ?) FROM case_events
		WHERE kind = ? AND at >= ? GROUP BY substr(at, 1, 13) ORDER BY 1`,
		string(sportello.OutcomeMissed), string(sportello.OutcomeResolvedFirstContact), string(sportello.EventWrapUp), encodeTime(since))
	if err != nil {
		return nil, internal("wrap-up hours", err)
	}
	defer rows.Close()
	var out []wire.WrapUpHour
	for rows.Next() {
		var hour string
		var h wire.WrapUpHour
		if err := rows.Scan(&hour, &h.Handled, &h.Resolved); err != nil {
			return nil, internal("wrap-up hours", err)
		}
		t, err := time.Parse("2006-01-02T15", hour)
		if err != nil {
			return nil, internal("wrap-up hours", err)
		}
		h.Hour = t.Unix()
		if h.Handled > 0 || h.Resolved > 0 {
			out = append(out, h)
		}
	}
	return out, internal("wrap-up hours", rows.Err())
}

// ReassignCallback gives a scheduled callback to another owner: a user,
// the pool, or a desk ("desk:<id>"), which must exist.
func (db *DB) ReassignCallback(ctx context.Context, id, owner string) (*sportello.Callback, error) {
	var result *sportello.Callback
	err := db.update(ctx, func(tx *sql.Tx) error {
		cb, err := loadCallback(ctx, tx, id)
		if err != nil {
			return err
		}
		if cb.State != sportello.CallbackScheduled {
			return sportello.Errorf(sportello.ECONFLICT, "the callback is %s already", cb.State)
		}
		if err := ownerExists(ctx, tx, owner); err != nil {
			return err
		}
		from, now := cb.Owner, db.Now().UTC()
		cb.Owner, cb.UpdatedAt = owner, now
		if _, err := tx.ExecContext(ctx, `UPDATE callbacks SET owner = ?, updated_at = ? WHERE id = ?`, owner, encodeTime(cb.UpdatedAt), id); err != nil {
			return err
		}
		// A note naming the callback, with its change: every desktop's
		// callback list reads itself again (as for the pool's overdue ones).
		c, err := loadCase(ctx, tx, cb.CaseID)
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
		if err := db.appendChange(ctx, tx, now, c, e); err != nil {
			return err
		}
		result = cb
		return nil
	})
	return result, internal("reassign callback", err)
}

// ownerExists checks a callback owner: the pool, a known desk, or a
// known user.
func ownerExists(ctx context.Context, tx *sql.Tx, owner string) error {
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
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return sportello.Errorf(sportello.ENOTFOUND, "no %s has id %s", what, id)
	}
	return err
}

// MoveDeskMember takes a user out of the desk from (when set) and makes
// them a member of the desk to (when set), in one transaction.
func (db *DB) MoveDeskMember(ctx context.Context, userID, from, to string) error {
	err := db.update(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ?`, userID).Scan(&n); errors.Is(err, sql.ErrNoRows) {
			return sportello.Errorf(sportello.ENOTFOUND, "no user has id %s", userID)
		} else if err != nil {
			return err
		}
		if from != "" {
			res, err := tx.ExecContext(ctx, `DELETE FROM desk_members WHERE user_id = ? AND desk_id = ?`, userID, from)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				return sportello.Errorf(sportello.ECONFLICT, "the user is not a member of desk %s", from)
			}
		}
		if to != "" {
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM desks WHERE id = ?`, to).Scan(&n); errors.Is(err, sql.ErrNoRows) {
				return sportello.Errorf(sportello.ENOTFOUND, "no desk has id %s", to)
			} else if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO desk_members (user_id, desk_id) VALUES (?, ?)`, userID, to); err != nil {
				return err
			}
		}
		return nil
	})
	return internal("move desk member", err)
}
