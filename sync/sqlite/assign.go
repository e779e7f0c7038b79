package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sportello/sportello"
)

// UserByID returns a user's id, username, name and role, or ENOTFOUND: a
// supervisor assigning a case names the specialist by id.
func (db *DB) UserByID(ctx context.Context, id string) (*sportello.User, error) {
	var u sportello.User
	err := db.read.QueryRowContext(ctx, `SELECT id, username, name, role FROM users WHERE id = ?`, id).
		Scan(&u.ID, &u.Username, &u.Name, &u.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no user has id %s", id)
	} else if err != nil {
		return nil, internal("user", err)
	}
	return &u, nil
}

// OperatorFCR counts first-contact resolution, as recorded and true, of
// the wrap-ups since a moment per author (user id): one query, as
// FCRCounts counts them all.
func (db *DB) OperatorFCR(ctx context.Context, since time.Time) (map[string]sportello.FCRCounts, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT author_id, `+fcrColumns+` FROM wrap_up_facts WHERE at >= ? GROUP BY author_id`, encodeTime(since))
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
