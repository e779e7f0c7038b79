package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello/sync/wire"
)

// WrapUpMOS sums, by author, the audio quality of the wrap-ups recorded
// at or after since that carried one (missed calls carry none).
func (db *DB) WrapUpMOS(ctx context.Context, since time.Time) ([]wire.WrapUpMOS, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT author_id, COUNT(*), SUM(mos) FROM wrap_up_facts
		WHERE at >= $1 AND mos > 0 GROUP BY author_id ORDER BY author_id`, since.UTC())
	if err != nil {
		return nil, internal("wrap-up mos", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (wire.WrapUpMOS, error) {
		var m wire.WrapUpMOS
		var n int64
		err := r.Scan(&m.AuthorID, &n, &m.Sum)
		m.Calls = int(n)
		return m, err
	})
	return out, internal("wrap-up mos", err)
}
