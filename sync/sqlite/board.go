package sqlite

import (
	"context"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// DeskBacklog returns every case in a desk's queue (escalated, taken or
// with the answer ready) with its desk and when it reached it: what the
// supervisor's board counts.
func (db *DB) DeskBacklog(ctx context.Context) ([]wire.DeskCase, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT id, desk_id, category, escalated_at FROM cases WHERE status IN (?, ?, ?) ORDER BY desk_id, escalated_at, id`,
		string(sportello.StatusEscalated), string(sportello.StatusClaimed), string(sportello.StatusAnswerReady))
	if err != nil {
		return nil, internal("desk backlog", err)
	}
	defer rows.Close()
	var out []wire.DeskCase
	for rows.Next() {
		var c wire.DeskCase
		var at string
		if err := rows.Scan(&c.CaseID, &c.DeskID, &c.Category, &at); err != nil {
			return nil, internal("desk backlog", err)
		}
		if at != "" {
			if c.EscalatedAt, err = decodeTime(at); err != nil {
				return nil, internal("desk backlog", err)
			}
		}
		out = append(out, c)
	}
	return out, internal("desk backlog", rows.Err())
}

// WrapUpCounts counts the wrap-ups recorded at or after since, by author
// and outcome.
func (db *DB) WrapUpCounts(ctx context.Context, since time.Time) ([]wire.WrapUpCount, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT author_id, MAX(author), outcome, COUNT(*) FROM case_events
		WHERE kind = ? AND at >= ? GROUP BY author_id, outcome ORDER BY author_id, outcome`,
		string(sportello.EventWrapUp), encodeTime(since))
	if err != nil {
		return nil, internal("wrap-up counts", err)
	}
	defer rows.Close()
	var out []wire.WrapUpCount
	for rows.Next() {
		var c wire.WrapUpCount
		if err := rows.Scan(&c.AuthorID, &c.Author, &c.Outcome, &c.Count); err != nil {
			return nil, internal("wrap-up counts", err)
		}
		out = append(out, c)
	}
	return out, internal("wrap-up counts", rows.Err())
}
