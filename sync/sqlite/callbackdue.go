package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/sportello/sportello"
)

// attemptReplayed reports whether the attempt with op id opID is already
// recorded on cb (a resend: nothing more to write). An op id another
// event already holds is ECONFLICT.
func attemptReplayed(ctx context.Context, q queryer, cb *sportello.Callback, opID string) (bool, error) {
	if opID == "" {
		return false, nil
	}
	if slices.ContainsFunc(cb.Attempts, func(a sportello.CallbackAttempt) bool { return a.ID == opID }) {
		return true, nil
	}
	var kind string
	err := q.QueryRowContext(ctx, `SELECT kind FROM case_events WHERE id = ?`, opID).Scan(&kind)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, err
	}
	return false, sportello.Errorf(sportello.ECONFLICT, "the op id %s is another event's (%s): make a new id for a new attempt", opID, kind)
}
