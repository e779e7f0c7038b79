package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// DeskBacklog returns every case in a desk's queue (escalated, taken or
// with the answer ready) with its desk and when it reached it: what the
// supervisor's board counts.
func (db *DB) DeskBacklog(ctx context.Context) ([]wire.DeskCase, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT id, desk_id, category, escalated_at FROM cases WHERE status IN ($1, $2, $3) ORDER BY desk_id, escalated_at NULLS FIRST, id`,
		string(sportello.StatusEscalated), string(sportello.StatusClaimed), string(sportello.StatusAnswerReady))
	if err != nil {
		return nil, internal("desk backlog", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (wire.DeskCase, error) {
		var c wire.DeskCase
		var at *time.Time
		err := r.Scan(&c.CaseID, &c.DeskID, &c.Category, &at)
		if at != nil {
			c.EscalatedAt = at.UTC()
		}
		return c, err
	})
	return out, internal("desk backlog", err)
}

// WrapUpCounts counts the wrap-ups recorded at or after since, by author
// and outcome.
func (db *DB) WrapUpCounts(ctx context.Context, since time.Time) ([]wire.WrapUpCount, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT author_id, MAX(author), outcome, COUNT(*) FROM case_events
		WHERE kind = $1 AND at >= $2 GROUP BY author_id, outcome ORDER BY author_id, outcome`,
		string(sportello.EventWrapUp), since)
	if err != nil {
		return nil, internal("wrap-up counts", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (wire.WrapUpCount, error) {
		var c wire.WrapUpCount
		var outcome string
		var n int64
		err := r.Scan(&c.AuthorID, &c.Author, &outcome, &n)
		c.Outcome, c.Count = sportello.Outcome(outcome), int(n)
		return c, err
	})
	return out, internal("wrap-up counts", err)
}
