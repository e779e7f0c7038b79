package postgres

import (
	"context"
	"time"

	"github.com/sportello/sportello"
)

// ServiceFCR counts first-contact resolution, as recorded and true, of
// the wrap-ups since a moment per service, by service in byte order, as
// sync/sqlite does.
func (db *DB) ServiceFCR(ctx context.Context, since time.Time) ([]sportello.ServiceFCR, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT service, `+fcrColumns+` FROM wrap_up_facts WHERE at >= $1 GROUP BY service ORDER BY service COLLATE "C"`, since.UTC())
	if err != nil {
		return nil, internal("service fcr", err)
	}
	defer rows.Close()
	out := []sportello.ServiceFCR{}
	for rows.Next() {
		var s sportello.ServiceFCR
		if err := rows.Scan(&s.Service, &s.WrapUps, &s.Resolved, &s.FirstContacts, &s.TrueResolved); err != nil {
			return nil, internal("service fcr", err)
		}
		out = append(out, s)
	}
	return out, internal("service fcr", rows.Err())
}
