package sqlite

import (
	"context"
	"time"

	"github.com/sportello/sportello"
)

// ServiceFCR counts first-contact resolution, as recorded and true, of
// the wrap-ups since a moment per service (the wrap-up's category, else
// its case's; "" when neither is known), by service: one query, as
// FCRCounts counts them all.
func (db *DB) ServiceFCR(ctx context.Context, since time.Time) ([]sportello.ServiceFCR, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT service, `+fcrColumns+` FROM wrap_up_facts WHERE at >= ? GROUP BY service ORDER BY service`, encodeTime(since))
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
