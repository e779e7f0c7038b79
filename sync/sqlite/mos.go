package sqlite

import (
	"context"
	"time"

	"github.com/sportello/sportello/sync/wire"
)

// WrapUpMOS sums, by author, the audio quality of the wrap-ups recorded
// at or after since that carried one (missed calls carry none).
func (db *DB) WrapUpMOS(ctx context.Context, since time.Time) ([]wire.WrapUpMOS, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT author_id, COUNT(*), SUM(mos) FROM wrap_up_facts
		WHERE at >= ? AND mos > 0 GROUP BY author_id ORDER BY author_id`, encodeTime(since))
	if err != nil {
		return nil, internal("wrap-up mos", err)
	}
	defer rows.Close()
	var out []wire.WrapUpMOS
	for rows.Next() {
		var m wire.WrapUpMOS
		if err := rows.Scan(&m.AuthorID, &m.Calls, &m.Sum); err != nil {
			return nil, internal("wrap-up mos", err)
		}
		out = append(out, m)
	}
	return out, internal("wrap-up mos", rows.Err())
}
