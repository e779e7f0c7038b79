package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/wire"
)

// SetRepeatContactWindow sets how far back a wrap-up looks for an earlier
// one of the same citizen on the same service to be a repeat contact;
// zero or less means sportello.DefaultRepeatContactWindow.
func (db *DB) SetRepeatContactWindow(d time.Duration) { db.repeatWindow.Store(int64(d)) }

func (db *DB) repeatContactWindow() time.Duration {
	if d := time.Duration(db.repeatWindow.Load()); d > 0 {
		return d
	}
	return sportello.DefaultRepeatContactWindow
}

// wrapUpFacts are the statements storing what first-contact resolution
// is counted from, as sync/sqlite does (see sportello.FCRCounts), queued
// with the wrap-up's writes in its group commit, which holds the writers'
// lock: two wrap-ups of one citizen cannot both miss each other. The
// earlier wrap-up this one repeats is found by the insert itself, which
// needs no answer, and marked repeated by the statement after it.
func (db *DB) wrapUpFacts(w sportello.WrapUp, c *sportello.Case, e *sportello.CaseEvent) ([]statement, error) {
	if e.Kind != sportello.EventWrapUp || e.Outcome == sportello.OutcomeMissed {
		return nil, nil
	}
	entries, err := check.KBEntries(w.KBEntries)
	if err != nil {
		return nil, err
	}
	service := check.WrapUpService(w, c)
	repeats := c.CitizenID != "" && service != "" // else it repeats nothing
	facts := []statement{{`
		INSERT INTO wrap_up_facts (event_id, case_id, citizen_id, service, author_id, at, resolved, repeat_of, mos)
		VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE((
			SELECT event_id FROM wrap_up_facts
			WHERE $8 AND citizen_id = $3 AND service = $4 AND at >= $9 AND at <= $6
			ORDER BY at DESC, event_id DESC LIMIT 1), ''), $10)`,
		[]any{e.ID, c.ID, c.CitizenID, service, e.AuthorID, e.At.UTC(), e.Outcome == sportello.OutcomeResolvedFirstContact,
			repeats, e.At.Add(-db.repeatContactWindow()).UTC(), w.MOS}}}
	if repeats {
		facts = append(facts, statement{`
			UPDATE wrap_up_facts SET repeated = TRUE
			WHERE event_id = (SELECT repeat_of FROM wrap_up_facts WHERE event_id = $1)`, []any{e.ID}})
	}
	for _, id := range entries {
		facts = append(facts, statement{`INSERT INTO wrap_up_kb (event_id, kb_id) VALUES ($1, $2)`, []any{e.ID, id}})
	}
	return facts, nil
}

// fcrColumns are the sums of sportello.FCRCounts over wrap_up_facts rows.
const fcrColumns = `COUNT(*), COUNT(*) FILTER (WHERE resolved), COUNT(*) FILTER (WHERE repeat_of = ''),
	COUNT(*) FILTER (WHERE resolved AND repeat_of = '' AND NOT repeated)`

// FCRCounts counts first-contact resolution, as recorded and true, of the
// wrap-ups since week, and of those since day (a later moment) apart.
func (db *DB) FCRCounts(ctx context.Context, week, day time.Time) (sinceWeek, sinceDay sportello.FCRCounts, err error) {
	rows, err := db.pool.Query(ctx, `
		SELECT at >= $1, `+fcrColumns+` FROM wrap_up_facts WHERE at >= $2 GROUP BY 1`, day.UTC(), week.UTC())
	if err != nil {
		return sinceWeek, sinceDay, internal("fcr counts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var today bool
		var f sportello.FCRCounts
		if err := rows.Scan(&today, &f.WrapUps, &f.Resolved, &f.FirstContacts, &f.TrueResolved); err != nil {
			return sinceWeek, sinceDay, internal("fcr counts", err)
		}
		sinceWeek.WrapUps += f.WrapUps
		sinceWeek.Resolved += f.Resolved
		sinceWeek.FirstContacts += f.FirstContacts
		sinceWeek.TrueResolved += f.TrueResolved
		if today {
			sinceDay = f
		}
	}
	return sinceWeek, sinceDay, internal("fcr counts", rows.Err())
}

// KBUsefulness returns how much each knowledge-base entry answered calls
// wrapped up since a moment, as sync/sqlite does.
func (db *DB) KBUsefulness(ctx context.Context, since time.Time, desks []string, all bool, neverLimit int) (*sportello.KBUsefulness, error) {
	uses := map[string]sportello.KBUse{}
	rows, err := db.pool.Query(ctx, `
		SELECT u.kb_id, COUNT(*), COUNT(*) FILTER (WHERE f.resolved),
			COUNT(*) FILTER (WHERE f.resolved AND f.repeat_of = '' AND NOT f.repeated), MAX(f.at)
		FROM wrap_up_kb u JOIN wrap_up_facts f ON f.event_id = u.event_id
		WHERE f.at >= $1 GROUP BY u.kb_id`, since.UTC())
	if err != nil {
		return nil, internal("kb usefulness", err)
	}
	for rows.Next() {
		var u sportello.KBUse
		if err := rows.Scan(&u.ID, &u.Uses, &u.Resolved, &u.TrueResolved, &u.LastUsed); err != nil {
			rows.Close()
			return nil, internal("kb usefulness", err)
		}
		u.LastUsed = u.LastUsed.UTC()
		uses[u.ID] = u
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, internal("kb usefulness", err)
	}

	out := &sportello.KBUsefulness{Since: since.UTC(), Used: []sportello.KBUse{}, NeverUsed: []sportello.KBUse{}, Services: []sportello.ServiceFCR{}}
	rows, err = db.pool.Query(ctx, `
		SELECT id, kind, COALESCE(body::jsonb->>'title', ''), COALESCE(body::jsonb->>'owner_desk', '') FROM kb`)
	if err != nil {
		return nil, internal("kb usefulness", err)
	}
	for rows.Next() {
		var id, kind, title, owner string
		if err := rows.Scan(&id, &kind, &title, &owner); err != nil {
			rows.Close()
			return nil, internal("kb usefulness", err)
		}
		if !all && !slices.Contains(desks, owner) {
			continue
		}
		u, used := uses[id]
		u.ID, u.Title, u.Kind, u.OwnerDesk = id, title, sportello.EntryKind(kind), owner
		if used {
			out.Used = append(out.Used, u)
		} else {
			out.NeverUsed = append(out.NeverUsed, u)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, internal("kb usefulness", err)
	}
	out.Order(neverLimit)

	rows, err = db.pool.Query(ctx, `
		SELECT service, `+fcrColumns+` FROM wrap_up_facts WHERE at >= $1 GROUP BY service ORDER BY service COLLATE "C"`, since.UTC())
	if err != nil {
		return nil, internal("kb usefulness", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s sportello.ServiceFCR
		if err := rows.Scan(&s.Service, &s.WrapUps, &s.Resolved, &s.FirstContacts, &s.TrueResolved); err != nil {
			return nil, internal("kb usefulness", err)
		}
		out.Services = append(out.Services, s)
	}
	return out, internal("kb usefulness", rows.Err())
}

// DeskMembers returns who works at which desk, by desk and user.
func (db *DB) DeskMembers(ctx context.Context) ([]wire.DeskMember, error) {
	rows, err := db.pool.Query(ctx, `SELECT desk_id, user_id FROM desk_members ORDER BY desk_id, user_id`)
	if err != nil {
		return nil, internal("desk members", err)
	}
	defer rows.Close()
	var out []wire.DeskMember
	for rows.Next() {
		var m wire.DeskMember
		if err := rows.Scan(&m.DeskID, &m.UserID); err != nil {
			return nil, internal("desk members", err)
		}
		out = append(out, m)
	}
	return out, internal("desk members", rows.Err())
}

// seedWrapUpFacts records the facts of the wrap-ups Seed wrote, as
// sync/sqlite does.
func (db *DB) seedWrapUpFacts(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `
		SELECT e.id, e.case_id, COALESCE(c.citizen_id, ''), CASE WHEN e.category <> '' THEN e.category ELSE c.category END,
			e.author_id, e.at, e.outcome = $1
		FROM case_events e JOIN cases c ON c.id = e.case_id
		WHERE e.kind = $2 AND e.outcome <> $3 AND NOT EXISTS (SELECT 1 FROM wrap_up_facts f WHERE f.event_id = e.id)`,
		string(sportello.OutcomeResolvedFirstContact), string(sportello.EventWrapUp), string(sportello.OutcomeMissed))
	if err != nil {
		return internal("seed wrap-up facts", err)
	}
	var facts []check.WrapUpFact
	for rows.Next() {
		var f check.WrapUpFact
		if err := rows.Scan(&f.EventID, &f.CaseID, &f.CitizenID, &f.Service, &f.AuthorID, &f.At, &f.Resolved); err != nil {
			rows.Close()
			return internal("seed wrap-up facts", err)
		}
		facts = append(facts, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return internal("seed wrap-up facts", err)
	}
	check.MarkRepeats(facts, db.repeatContactWindow())
	for _, f := range facts {
		if _, err := tx.Exec(ctx, `
			INSERT INTO wrap_up_facts (event_id, case_id, citizen_id, service, author_id, at, resolved, repeat_of, repeated)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			f.EventID, f.CaseID, f.CitizenID, f.Service, f.AuthorID, f.At.UTC(), f.Resolved, f.RepeatOf, f.Repeated); err != nil {
			return internal("seed wrap-up facts", err)
		}
	}
	return nil
}
