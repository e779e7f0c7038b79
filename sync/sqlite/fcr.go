package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/wire"
)

// SetRepeatContactWindow sets how far back a wrap-up looks for an earlier
// one of the same citizen on the same service to be a repeat contact;
// zero or less means sportello.DefaultRepeatContactWindow. syncd sets it
// from its board settings; wrap-ups already stored keep their flag.
func (db *DB) SetRepeatContactWindow(d time.Duration) { db.repeatWindow.Store(int64(d)) }

func (db *DB) repeatContactWindow() time.Duration {
	if d := time.Duration(db.repeatWindow.Load()); d > 0 {
		return d
	}
	return sportello.DefaultRepeatContactWindow
}

// recordWrapUpFacts stores, in the wrap-up's transaction, what
// first-contact resolution is counted from (see sportello.FCRCounts): the
// wrap-up event e of case c with its service, whether it was recorded
// resolved, the earlier wrap-up it repeats (marked repeated), and the
// knowledge-base entries that answered the call. Other events and missed
// calls store nothing.
func (db *DB) recordWrapUpFacts(ctx context.Context, tx execer, w sportello.WrapUp, c *sportello.Case, e *sportello.CaseEvent) error {
	if e.Kind != sportello.EventWrapUp || e.Outcome == sportello.OutcomeMissed {
		return nil
	}
	entries, err := check.KBEntries(w.KBEntries)
	if err != nil {
		return err
	}
	service := check.WrapUpService(w, c)
	repeatOf := ""
	if c.CitizenID != "" && service != "" {
		err := tx.QueryRowContext(ctx, `
			SELECT event_id FROM wrap_up_facts
			WHERE citizen_id = ? AND service = ? AND at >= ? AND at <= ?
			ORDER BY at DESC, event_id DESC LIMIT 1`,
			c.CitizenID, service, encodeTime(e.At.Add(-db.repeatContactWindow())), encodeTime(e.At)).Scan(&repeatOf)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO wrap_up_facts (event_id, case_id, citizen_id, service, author_id, at, resolved, repeat_of, mos)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, c.ID, c.CitizenID, service, e.AuthorID, encodeTime(e.At), e.Outcome == sportello.OutcomeResolvedFirstContact, repeatOf, w.MOS); err != nil {
		return err
	}
	if repeatOf != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE wrap_up_facts SET repeated = 1 WHERE event_id = ?`, repeatOf); err != nil {
			return err
		}
	}
	for _, id := range entries {
		if _, err := tx.ExecContext(ctx, `INSERT INTO wrap_up_kb (event_id, kb_id) VALUES (?, ?)`, e.ID, id); err != nil {
			return err
		}
	}
	return nil
}

// fcrColumns are the sums of sportello.FCRCounts over wrap_up_facts rows.
const fcrColumns = `COUNT(*), COALESCE(SUM(resolved), 0), COALESCE(SUM(repeat_of = ''), 0),
	COALESCE(SUM(resolved AND repeat_of = '' AND NOT repeated), 0)`

// FCRCounts counts first-contact resolution, as recorded and true, of the
// wrap-ups since week, and of those since day (a later moment) apart.
func (db *DB) FCRCounts(ctx context.Context, week, day time.Time) (sinceWeek, sinceDay sportello.FCRCounts, err error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT at >= ?, `+fcrColumns+` FROM wrap_up_facts WHERE at >= ? GROUP BY 1`,
		encodeTime(day), encodeTime(week))
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
		sinceWeek = addFCR(sinceWeek, f)
		if today {
			sinceDay = f
		}
	}
	return sinceWeek, sinceDay, internal("fcr counts", rows.Err())
}

func addFCR(a, b sportello.FCRCounts) sportello.FCRCounts {
	return sportello.FCRCounts{WrapUps: a.WrapUps + b.WrapUps, Resolved: a.Resolved + b.Resolved,
		FirstContacts: a.FirstContacts + b.FirstContacts, TrueResolved: a.TrueResolved + b.TrueResolved}
}

// KBUsefulness returns how much each knowledge-base entry answered calls
// wrapped up since a moment: the entries used, most useful first; up to
// neverLimit entries never used, by title, and their total; and
// first-contact resolution per service. Unless all, only the entries
// owned by one of desks are listed (services are not limited).
func (db *DB) KBUsefulness(ctx context.Context, since time.Time, desks []string, all bool, neverLimit int) (*sportello.KBUsefulness, error) {
	uses := map[string]sportello.KBUse{}
	rows, err := db.read.QueryContext(ctx, `
		SELECT u.kb_id, COUNT(*), COALESCE(SUM(f.resolved), 0), COALESCE(SUM(f.resolved AND f.repeat_of = '' AND NOT f.repeated), 0), MAX(f.at)
		FROM wrap_up_kb u JOIN wrap_up_facts f ON f.event_id = u.event_id
		WHERE f.at >= ? GROUP BY u.kb_id`, encodeTime(since))
	if err != nil {
		return nil, internal("kb usefulness", err)
	}
	for rows.Next() {
		var u sportello.KBUse
		var last string
		if err := rows.Scan(&u.ID, &u.Uses, &u.Resolved, &u.TrueResolved, &last); err != nil {
			rows.Close()
			return nil, internal("kb usefulness", err)
		}
		if u.LastUsed, err = decodeTime(last); err != nil {
			rows.Close()
			return nil, internal("kb usefulness", err)
		}
		uses[u.ID] = u
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, internal("kb usefulness", err)
	}

	out := &sportello.KBUsefulness{Since: since.UTC(), Used: []sportello.KBUse{}, NeverUsed: []sportello.KBUse{}, Services: []sportello.ServiceFCR{}}
	rows, err = db.read.QueryContext(ctx, `
		SELECT id, kind, COALESCE(json_extract(body, '$.title'), ''), COALESCE(json_extract(body, '$.owner_desk'), '') FROM kb`)
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

	rows, err = db.read.QueryContext(ctx, `
		SELECT service, `+fcrColumns+` FROM wrap_up_facts WHERE at >= ? GROUP BY service ORDER BY service`, encodeTime(since))
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
	rows, err := db.read.QueryContext(ctx, `SELECT desk_id, user_id FROM desk_members ORDER BY desk_id, user_id`)
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

// seedWrapUpFacts records the facts of the wrap-ups Seed wrote (it stores
// events directly), their repeats marked as recording them one at a time
// would, so that the demo city's board has true FCR from its history.
func (db *DB) seedWrapUpFacts(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT e.id, e.case_id, COALESCE(c.citizen_id, ''), CASE WHEN e.category <> '' THEN e.category ELSE c.category END,
			e.author_id, e.at, e.outcome = ?
		FROM case_events e JOIN cases c ON c.id = e.case_id
		WHERE e.kind = ? AND e.outcome <> ? AND NOT EXISTS (SELECT 1 FROM wrap_up_facts f WHERE f.event_id = e.id)`,
		string(sportello.OutcomeResolvedFirstContact), string(sportello.EventWrapUp), string(sportello.OutcomeMissed))
	if err != nil {
		return internal("seed wrap-up facts", err)
	}
	var facts []check.WrapUpFact
	for rows.Next() {
		var f check.WrapUpFact
		var at string
		if err := rows.Scan(&f.EventID, &f.CaseID, &f.CitizenID, &f.Service, &f.AuthorID, &at, &f.Resolved); err != nil {
			rows.Close()
			return internal("seed wrap-up facts", err)
		}
		if f.At, err = decodeTime(at); err != nil {
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
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO wrap_up_facts (event_id, case_id, citizen_id, service, author_id, at, resolved, repeat_of, repeated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.EventID, f.CaseID, f.CitizenID, f.Service, f.AuthorID, encodeTime(f.At), f.Resolved, f.RepeatOf, f.Repeated); err != nil {
			return internal("seed wrap-up facts", err)
		}
	}
	return nil
}
