package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
)

// reportFactsQuery reads the wrap-ups and resolutions of a period with
// their case, the desk the case was last sent to (a lateral lookup back
// along the case's events, on their (case_id, position) key) and the
// wrap-up's first-contact flags; case_events_wrap_up_counts (kind, at, ...) finds the rows.
const reportFactsQuery = `
	SELECT e.case_id, CASE WHEN e.category <> '' THEN e.category ELSE c.category END,
		COALESCE(sent.desk_id, ''), COALESCE(d.name, ''),
		CASE WHEN e.kind = 'resolved' THEN 'resolved_at_desk' ELSE e.outcome END,
		e.at, c.opened_at,
		COALESCE(f.repeat_of = '', FALSE), COALESCE(f.resolved AND f.repeat_of = '' AND NOT f.repeated, FALSE),
		e.author_id, e.author
	FROM case_events e JOIN cases c ON c.id = e.case_id
	LEFT JOIN wrap_up_facts f ON f.event_id = e.id
	LEFT JOIN LATERAL (SELECT x.desk_id FROM case_events x
		WHERE x.case_id = e.case_id AND x.position <= e.position AND x.desk_id <> ''
			AND (x.kind = 'escalated' OR (x.kind = 'wrap_up' AND x.outcome = 'escalated'))
		ORDER BY x.position DESC LIMIT 1) sent ON TRUE
	LEFT JOIN desks d ON d.id = sent.desk_id
	WHERE e.kind IN ('wrap_up', 'resolved') AND e.at >= $1 AND e.at < $2
	ORDER BY e.at, e.id`

// ReportFacts returns the wrap-ups (missed calls included) and the
// resolutions by a case's holder at or after from and before to, oldest
// first: what sportello.NewReport makes a report of.
func (db *DB) ReportFacts(ctx context.Context, from, to time.Time) ([]sportello.ReportFact, error) {
	rows, err := db.pool.Query(ctx, reportFactsQuery, from.UTC(), to.UTC())
	if err != nil {
		return nil, internal("report", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sportello.ReportFact, error) {
		var f sportello.ReportFact
		var outcome string
		err := r.Scan(&f.CaseID, &f.Category, &f.DeskID, &f.DeskName, &outcome, &f.At, &f.OpenedAt, &f.FirstContact, &f.TrueResolved, &f.AuthorID, &f.Author)
		f.Outcome, f.At, f.OpenedAt = sportello.Outcome(outcome), f.At.UTC(), f.OpenedAt.UTC()
		return f, err
	})
	if out == nil {
		out = []sportello.ReportFact{}
	}
	return out, internal("report", err)
}
