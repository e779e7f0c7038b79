package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// RecordAccess writes one read of a citizen's record by actor to the audit
// log, at e.At when it is not zero (else now). With a non-empty id a
// repeat of the id writes nothing and returns false. An unknown citizen
// is ENOTFOUND.
func (db *DB) RecordAccess(ctx context.Context, actor *sportello.User, id string, e wire.AccessEntry) (bool, error) {
	if actor == nil {
		return false, sportello.Errorf(sportello.EUNAUTHORIZED, "sign in to read a citizen's record")
	}
	at := db.now()
	if !e.At.IsZero() {
		at = encodeTime(e.At)
	}
	var recorded bool
	err := db.update(ctx, func(tx *sql.Tx) error {
		if e.CitizenID != "" {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM citizens WHERE id = ?`, e.CitizenID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return sportello.Errorf(sportello.ENOTFOUND, "no citizen has id %s", e.CitizenID)
			} else if err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO audit (at, user_id, citizen_id, number, reason, op_id) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, at, actor.ID, nullString(e.CitizenID), e.Number, e.Reason, nullString(id))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		recorded = n == 1
		return err
	})
	return recorded, internal("record access", err)
}
