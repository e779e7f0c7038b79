package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

const callbackColumns = `cb.id, cb.case_id, cb.citizen_id, cb.number, cb.reason, cb.window_from, cb.window_to, cb.owner, cb.state, cb.attempts, cb.created_at, cb.updated_at, COALESCE(ci.name, '')`

func scanCallback(s interface{ Scan(...any) error }) (*sportello.Callback, error) {
	var cb sportello.Callback
	var from, to, attempts, created, updated string
	if err := s.Scan(&cb.ID, &cb.CaseID, &cb.CitizenID, &cb.Number, &cb.Reason, &from, &to, &cb.Owner, &cb.State, &attempts, &created, &updated, &cb.CitizenName); err != nil {
		return nil, err
	}
	var err error
	for _, t := range []struct {
		s string
		p *time.Time
	}{{from, &cb.From}, {to, &cb.To}, {created, &cb.CreatedAt}, {updated, &cb.UpdatedAt}} {
		if *t.p, err = decodeTime(t.s); err != nil {
			return nil, err
		}
	}
	if err := json.Unmarshal([]byte(attempts), &cb.Attempts); err != nil {
		return nil, err
	}
	return &cb, nil
}

// insertCallback stores a new callback, inside a wrap-up's transaction.
func insertCallback(ctx context.Context, tx execer, cb *sportello.Callback) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO callbacks (id, case_id, citizen_id, number, reason, window_from, window_to, owner, state, attempts, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?)`,
		cb.ID, cb.CaseID, cb.CitizenID, cb.Number, cb.Reason, encodeTime(cb.From), encodeTime(cb.To), cb.Owner, string(cb.State),
		encodeTime(cb.CreatedAt), encodeTime(cb.UpdatedAt))
	return err
}

// Callbacks returns the scheduled callbacks of userID (their own, the
// pool's and their desks'), or every scheduled callback when all, first
// due first served.
func (db *DB) Callbacks(ctx context.Context, userID string, desks []string, all bool) ([]*sportello.Callback, error) {
	q := `SELECT ` + callbackColumns + ` FROM callbacks cb LEFT JOIN citizens ci ON ci.id = cb.citizen_id WHERE cb.state = ?`
	args := []any{string(sportello.CallbackScheduled)}
	if !all {
		owners := []any{userID, sportello.OwnerPool}
		for _, d := range desks {
			owners = append(owners, sportello.OwnerDeskPrefix+d)
		}
		q += ` AND cb.owner IN (?` + strings.Repeat(", ?", len(owners)-1) + `)`
		args = append(args, owners...)
	}
	q += ` ORDER BY cb.window_from, cb.window_to, cb.id`
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, internal("callbacks", err)
	}
	defer rows.Close()
	cbs := []*sportello.Callback{}
	for rows.Next() {
		cb, err := scanCallback(rows)
		if err != nil {
			return nil, internal("callbacks", err)
		}
		cbs = append(cbs, cb)
	}
	return cbs, internal("callbacks", rows.Err())
}

// Callback returns one callback, or ENOTFOUND.
func (db *DB) Callback(ctx context.Context, id string) (*sportello.Callback, error) {
	cb, err := loadCallback(ctx, db.read, id)
	return cb, internal("callback", err)
}

func loadCallback(ctx context.Context, q queryer, id string) (*sportello.Callback, error) {
	cb, err := scanCallback(q.QueryRowContext(ctx, `SELECT `+callbackColumns+` FROM callbacks cb LEFT JOIN citizens ci ON ci.id = cb.citizen_id WHERE cb.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no callback has id %s", id)
	}
	return cb, err
}

// RecordCallbackAttempt records one attempt by actor on a callback in one
// transaction: allow (when set) may refuse the actor on the callback as
// stored, Callback.Attempt decides the new state, and a callback_attempt
// event (CallID the callback's id, Outcome the attempt's) goes on the
// callback's case with its change, so that the history shows it and
// desktops are pushed it.
func (db *DB) RecordCallbackAttempt(ctx context.Context, actor *sportello.User, id string, a sportello.CallbackAttempt, allow func(*sportello.Callback) error) (*sportello.Callback, error) {
	a, err := check.CallbackAttempt(actor, id, a)
	if err != nil {
		return nil, err
	}
	var result *sportello.Callback
	err = db.update(ctx, func(tx *sql.Tx) error {
		cb, err := loadCallback(ctx, tx, id)
		if err != nil {
			return err
		}
		if allow != nil {
			if err := allow(cb); err != nil {
				return err
			}
		}
		if replay, err := attemptReplayed(ctx, tx, cb, a.ID); err != nil || replay {
			result = cb // callbackdue.go: a resend records nothing more
			return err
		}
		now := db.Now().UTC()
		a.At, a.AuthorID = now, actor.ID
		if err := cb.AttemptUnder(a, db.callbackRetry()); err != nil { // overdue.go
			return err
		}
		attempts, err := json.Marshal(cb.Attempts)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE callbacks SET state = ?, attempts = ?, updated_at = ? WHERE id = ?`,
			string(cb.State), string(attempts), encodeTime(cb.UpdatedAt), cb.ID); err != nil {
			return err
		}
		c, err := loadCase(ctx, tx, cb.CaseID)
		if err != nil {
			return err
		}
		e := check.CallbackAttemptEvent(actor, cb, a)
		e.ID, e.At = newID(), now
		if a.ID != "" {
			e.ID = a.ID // the op id: one attempt, one event
		}
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
		if err := db.noteFailure(ctx, tx, now, c, cb); err != nil { // overdue.go
			return err
		}
		result = cb
		return nil
	})
	if err != nil {
		return nil, internal("record callback attempt", err)
	}
	return result, nil
}
