package sqlite

import (
	"context"
	"time"

	"github.com/sportello/sportello"
)

// reportFactsQuery reads the wrap-ups and resolutions of a period with
// their case, the desk the case was last sent to (a correlated lookup
// back along the case's events, on their (case_id, position) key) and
// the wrap-up's first-contact flags; case_events_wrap_up_counts (kind, at, ...) finds the rows.
const reportFactsQuery = `
	SELECT e.case_id, CASE WHEN e.category <> '' THEN e.category ELSE c.category END,
		COALESCE((SELECT x.desk_id FROM case_events x
			WHERE x.case_id = e.case_id AND x.position <= e.position AND x.desk_id <> ''
				AND (x.kind = 'escalated' OR (x.kind = 'wrap_up' AND x.outcome = 'escalated'))
			ORDER BY x.position DESC LIMIT 1), ''),
		CASE WHEN e.kind = 'resolved' THEN 'resolved_at_desk' ELSE e.outcome END,
		e.at, c.opened_at,
		COALESCE(f.repeat_of = '', 0), COALESCE(f.resolved AND f.repeat_of = '' AND NOT f.repeated, 0),
		e.author_id, e.author
	FROM case_events e JOIN cases c ON c.id = e.case_id
	LEFT JOIN wrap_up_facts f ON f.event_id = e.id
	WHERE e.kind IN ('wrap_up', 'resolved') AND e.at >= ? AND e.at < ?
	ORDER BY e.at, e.id`

// ReportFacts returns the wrap-ups (missed calls included) and the
// resolutions by a case's holder at or after from and before to, oldest
// first: what sportello.NewReport makes a report of.
func (db *DB) ReportFacts(ctx context.Context, from, to time.Time) ([]sportello.ReportFact, error) {
	names, err := db.deskNames(ctx)
	if err != nil {
		return nil, internal("report", err)
	}
	rows, err := db.read.QueryContext(ctx, reportFactsQuery, encodeTime(from), encodeTime(to))
	if err != nil {
		return nil, internal("report", err)
	}
	defer rows.Close()
	out := []sportello.ReportFact{}
	for rows.Next() {
		var f sportello.ReportFact
		var at, opened string
		if err := rows.Scan(&f.CaseID, &f.Category, &f.DeskID, &f.Outcome, &at, &opened, &f.FirstContact, &f.TrueResolved, &f.AuthorID, &f.Author); err != nil {
			return nil, internal("report", err)
		}
		if f.At, err = decodeTime(at); err != nil {
			return nil, internal("report", err)
		}
		if f.OpenedAt, err = decodeTime(opened); err != nil {
			return nil, internal("report", err)
		}
		f.DeskName = names[f.DeskID]
		out = append(out, f)
	}
	return out, internal("report", rows.Err())
}

// deskNames maps every desk's id to its name.
func (db *DB) deskNames(ctx context.Context) (map[string]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name FROM desks`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	names := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		names[id] = name
	}
	return names, rows.Err()
}
