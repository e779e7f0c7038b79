package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// UserByID returns a user's id, username, name and role, or ENOTFOUND, as
// sync/sqlite does.
func (db *DB) UserByID(ctx context.Context, id string) (*sportello.User, error) {
	if !check.Storable(id) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no user has id %s", id)
	}
	var u sportello.User
	err := db.pool.QueryRow(ctx, `SELECT id, username, name, role FROM users WHERE id = $1`, id).
		Scan(&u.ID, &u.Username, &u.Name, &u.Role)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no user has id %s", id)
	} else if err != nil {
		return nil, internal("user", err)
	}
	return &u, nil
}

// OperatorFCR counts first-contact resolution, as recorded and true, of
// the wrap-ups since a moment per author (user id), as sync/sqlite does.
func (db *DB) OperatorFCR(ctx context.Context, since time.Time) (map[string]sportello.FCRCounts, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT author_id, `+fcrColumns+` FROM wrap_up_facts WHERE at >= $1 GROUP BY author_id`, since.UTC())
	if err != nil {
		return nil, internal("operator fcr", err)
	}
	defer rows.Close()
	out := map[string]sportello.FCRCounts{}
	for rows.Next() {
		var id string
		var f sportello.FCRCounts
		if err := rows.Scan(&id, &f.WrapUps, &f.Resolved, &f.FirstContacts, &f.TrueResolved); err != nil {
			return nil, internal("operator fcr", err)
		}
		out[id] = f
	}
	return out, internal("operator fcr", rows.Err())
}
