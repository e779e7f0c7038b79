package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

const callbackColumns = `cb.id, cb.case_id, cb.citizen_id, cb.number, cb.reason, cb.window_from, cb.window_to, cb.owner, cb.state, cb.attempts, cb.created_at, cb.updated_at, COALESCE(ci.name, '')`

func scanCallback(s interface{ Scan(...any) error }) (*sportello.Callback, error) {
	var cb sportello.Callback
	var attempts string
	if err := s.Scan(&cb.ID, &cb.CaseID, &cb.CitizenID, &cb.Number, &cb.Reason, &cb.From, &cb.To, &cb.Owner, &cb.State, &attempts, &cb.CreatedAt, &cb.UpdatedAt, &cb.CitizenName); err != nil {
		return nil, err
	}
	cb.From, cb.To, cb.CreatedAt, cb.UpdatedAt = cb.From.UTC(), cb.To.UTC(), cb.CreatedAt.UTC(), cb.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(attempts), &cb.Attempts); err != nil {
		return nil, err
	}
	for i := range cb.Attempts {
		cb.Attempts[i].At = cb.Attempts[i].At.UTC()
	}
	return &cb, nil
}

// insertCallback stores a new callback, inside a wrap-up's transaction.
func insertCallback(ctx context.Context, tx pgx.Tx, cb *sportello.Callback) error {
	return insertCallbackStmt(cb).exec(ctx, tx)
}

// insertCallbackStmt is insertCallback's statement.
func insertCallbackStmt(cb *sportello.Callback) statement {
	return statement{`
		INSERT INTO callbacks (id, case_id, citizen_id, number, reason, window_from, window_to, owner, state, attempts, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '[]', $10, $11)`,
		[]any{cb.ID, cb.CaseID, cb.CitizenID, cb.Number, cb.Reason, cb.From, cb.To, cb.Owner, string(cb.State), cb.CreatedAt, cb.UpdatedAt}}
}

// Callbacks returns the scheduled callbacks of userID (their own, the
// pool's and their desks'), or every scheduled callback when all, first
// due first served.
func (db *DB) Callbacks(ctx context.Context, userID string, desks []string, all bool) ([]*sportello.Callback, error) {
	owners := []string{userID, sportello.OwnerPool}
	for _, d := range desks {
		owners = append(owners, sportello.OwnerDeskPrefix+d)
	}
	rows, err := db.pool.Query(ctx, `SELECT `+callbackColumns+` FROM callbacks cb LEFT JOIN citizens ci ON ci.id = cb.citizen_id
		WHERE cb.state = $1 AND ($2 OR cb.owner = ANY($3))
		ORDER BY cb.window_from, cb.window_to, cb.id`, string(sportello.CallbackScheduled), all, owners)
	if err != nil {
		return nil, internal("callbacks", err)
	}
	cbs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*sportello.Callback, error) { return scanCallback(r) })
	if err != nil {
		return nil, internal("callbacks", err)
	}
	if cbs == nil {
		cbs = []*sportello.Callback{}
	}
	return cbs, nil
}

// Callback returns one callback, or ENOTFOUND.
func (db *DB) Callback(ctx context.Context, id string) (*sportello.Callback, error) {
	cb, err := loadCallback(ctx, db.pool, id, false)
	return cb, internal("callback", err)
}

func loadCallback(ctx context.Context, q querier, id string, lock bool) (*sportello.Callback, error) {
	query := `SELECT ` + callbackColumns + ` FROM callbacks cb LEFT JOIN citizens ci ON ci.id = cb.citizen_id WHERE cb.id = $1`
	if lock {
		query += ` FOR UPDATE OF cb`
	}
	cb, err := scanCallback(q.QueryRow(ctx, query, id))
	if errors.Is(err, pgx.ErrNoRows) {
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
	err = db.update(ctx, func(tx pgx.Tx) error {
		head, err := lockHead(ctx, tx)
		if err != nil {
			return err
		}
		cb, err := loadCallback(ctx, tx, id, true)
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
		now := db.now()
		a.At, a.AuthorID = now, actor.ID
		if err := cb.AttemptUnder(a, db.callbackRetry()); err != nil { // overdue.go
			return err
		}
		attempts, err := json.Marshal(cb.Attempts)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE callbacks SET state = $1, attempts = $2, updated_at = $3 WHERE id = $4`,
			string(cb.State), string(attempts), cb.UpdatedAt, cb.ID); err != nil {
			return err
		}
		c, err := loadCase(ctx, tx, cb.CaseID, -1)
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
		head++
		if err := appendChange(ctx, tx, head, now, c, e); err != nil {
			return err
		}
		if head, err = noteFailure(ctx, tx, head, now, c, cb); err != nil { // overdue.go
			return err
		}
		if err := setHead(ctx, tx, head); err != nil {
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
