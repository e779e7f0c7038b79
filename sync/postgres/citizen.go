package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/wire"
)

// LookupCaller returns the card for a calling number and writes who read
// it and why to the audit log; the card is returned only once the audit
// row is stored. An unknown number gives a card with a nil Citizen (and is
// audited too, so every lookup is accounted for).
func (db *DB) LookupCaller(ctx context.Context, number, reason string, actor *sportello.User) (*sportello.CallerCard, error) {
	if actor == nil {
		return nil, sportello.Errorf(sportello.EUNAUTHORIZED, "sign in to look up a caller")
	}
	reason, err := check.Reason(reason)
	if err != nil {
		return nil, err
	}
	e164, err := check.Number(number)
	if err != nil {
		return nil, err
	}
	card := &sportello.CallerCard{Number: e164, Cases: []*sportello.Case{}}
	id, err := citizenByNumber(ctx, db.pool, e164)
	if err != nil {
		return nil, internal("lookup caller", err)
	}
	if id != "" {
		if card.Citizen, err = loadCitizen(ctx, db.pool, id); err != nil {
			return nil, internal("lookup caller", err)
		}
		if card.Cases, err = loadCitizenCases(ctx, db.pool, id, check.MaxCardCases); err != nil {
			return nil, internal("lookup caller", err)
		}
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO audit (at, user_id, citizen_id, number, reason) VALUES ($1, $2, $3, $4, $5)`,
		db.now(), actor.ID, nullString(id), e164, reason)
	if err != nil {
		return nil, internal("audit caller lookup", err)
	}
	return card, nil
}

// AccessLog returns the audit rows of a citizen, oldest first; an empty
// citizenID gives the lookups of unknown numbers.
func (db *DB) AccessLog(ctx context.Context, citizenID string) ([]wire.AccessEntry, error) {
	if !check.Storable(citizenID) {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `
		SELECT at, user_id, COALESCE(citizen_id, ''), number, reason FROM audit
		WHERE COALESCE(citizen_id, '') = $1 ORDER BY id`, citizenID)
	if err != nil {
		return nil, internal("access log", err)
	}
	log, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (wire.AccessEntry, error) {
		var e wire.AccessEntry
		err := r.Scan(&e.At, &e.UserID, &e.CitizenID, &e.Number, &e.Reason)
		e.At = e.At.UTC()
		return e, err
	})
	return log, internal("access log", err)
}

// citizenByNumber returns the id of the citizen with an E.164 number, or ""
// when none; when several share it, the one that listed it first.
func citizenByNumber(ctx context.Context, q querier, e164 string) (string, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT citizen_id FROM citizen_phones WHERE number = $1 ORDER BY position, citizen_id LIMIT 1`, e164).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// loadCitizen returns a citizen with its phones, or ENOTFOUND.
func loadCitizen(ctx context.Context, q querier, id string) (*sportello.Citizen, error) {
	c := &sportello.Citizen{ID: id}
	err := q.QueryRow(ctx, `SELECT kind, name, tax_code, email, address, language FROM citizens WHERE id = $1`, id).
		Scan(&c.Kind, &c.Name, &c.TaxCode, &c.Email, &c.Address, &c.Language)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no citizen has id %s", id)
	} else if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT number, label FROM citizen_phones WHERE citizen_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	var number, label string
	var labels []string
	_, err = pgx.ForEachRow(rows, []any{&number, &label}, func() error {
		c.Phones, labels = append(c.Phones, number), append(labels, label)
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.PhoneLabels = check.PhoneLabels(labels) // nil when none is labelled (citizenedit.go)
	if c.Phones == nil {
		c.Phones = []string{}
	}
	return c, nil
}

// loadCitizenCases returns a citizen's newest cases, each rebuilt from its
// events, with two queries whatever the number of cases.
func loadCitizenCases(ctx context.Context, q querier, citizenID string, limit int) ([]*sportello.Case, error) {
	rows, err := q.Query(ctx, `SELECT id FROM cases WHERE citizen_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $2`, citizenID, limit)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	cases := []*sportello.Case{}
	if len(ids) == 0 {
		return cases, nil
	}
	rows, err = q.Query(ctx, `SELECT `+eventColumns+` FROM case_events WHERE case_id = ANY($1) ORDER BY case_id, position`, ids)
	if err != nil {
		return nil, err
	}
	events, err := pgx.CollectRows(rows, scanEvent)
	if err != nil {
		return nil, err
	}
	byCase := make(map[string][]*sportello.CaseEvent, len(ids))
	for _, e := range events {
		byCase[e.CaseID] = append(byCase[e.CaseID], e)
	}
	for _, id := range ids {
		c, err := sportello.Replay(id, citizenID, byCase[id])
		if err != nil {
			return nil, errors.New("replay case " + id + ": " + err.Error())
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// eventColumns are the columns scanEvent reads, in its order.
const eventColumns = `id, case_id, kind, at, author_id, author, author_role, call_id, number, outcome, desk_id, category, note, channel, assignee_id, assignee`

func scanEvent(r pgx.CollectableRow) (*sportello.CaseEvent, error) {
	var e sportello.CaseEvent
	var at time.Time
	if err := r.Scan(&e.ID, &e.CaseID, &e.Kind, &at, &e.AuthorID, &e.Author, &e.AuthorRole, &e.CallID, &e.Number, &e.Outcome, &e.DeskID, &e.Category, &e.Note, &e.Channel, &e.AssigneeID, &e.Assignee); err != nil {
		return nil, err
	}
	e.At = at.UTC()
	return &e, nil
}
