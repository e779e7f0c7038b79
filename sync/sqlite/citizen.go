package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/wire"
)

// MaxCardCases bounds the cases a caller card carries, newest first.
const MaxCardCases = check.MaxCardCases

// MaxReasonLen bounds the reason given for reading a citizen's record.
const MaxReasonLen = check.MaxReasonLen

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
	id, err := citizenByNumber(ctx, &db.reads, e164)
	if err != nil {
		return nil, internal("lookup caller", err)
	}
	if id != "" {
		if card.Citizen, err = loadCitizen(ctx, &db.reads, id); err != nil {
			return nil, internal("lookup caller", err)
		}
		if card.Cases, err = loadCitizenCases(ctx, &db.reads, id, MaxCardCases); err != nil {
			return nil, internal("lookup caller", err)
		}
	}

	// The audit row goes through the group commit of wrap-ups and case
	// events (groupcommit.go), ahead of them: an operator is waiting for
	// the card, so under load it waits for the group committing now and
	// its own short commit, not behind a queue of wrap-ups (screen pop
	// over HTTP p99 0.5-1.1 s at 1,000 ops/s asked). The card is answered
	// only once its read is on record.
	at := db.now()
	res, err := db.wrapUpCommitter().DoFirst(ctx, []wrapUpItem{{write: func(ctx context.Context, tx execer) (*sportello.Case, bool, error) {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit (at, user_id, citizen_id, number, reason) VALUES (?, ?, ?, ?, ?)`,
			at, actor.ID, nullString(id), e164, reason)
		return nil, false, err
	}, what: "audit caller lookup"}})
	if err == nil {
		err = res[0].Err
	}
	if err != nil {
		return nil, internal("audit caller lookup", err)
	}
	return card, nil
}

// AccessEntry is one row of the audit log: who read which record, when and why.
type AccessEntry = wire.AccessEntry

// AccessLog returns the audit rows of a citizen, oldest first; an empty
// citizenID gives the lookups of unknown numbers.
func (db *DB) AccessLog(ctx context.Context, citizenID string) ([]AccessEntry, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT at, user_id, COALESCE(citizen_id, ''), number, reason FROM audit
		WHERE COALESCE(citizen_id, '') = ? ORDER BY id`, citizenID)
	if err != nil {
		return nil, internal("access log", err)
	}
	defer rows.Close()
	var log []AccessEntry
	for rows.Next() {
		var e AccessEntry
		var at string
		if err := rows.Scan(&at, &e.UserID, &e.CitizenID, &e.Number, &e.Reason); err != nil {
			return nil, internal("access log", err)
		}
		if e.At, err = decodeTime(at); err != nil {
			return nil, internal("access log", err)
		}
		log = append(log, e)
	}
	return log, internal("access log", rows.Err())
}

// NormalizeNumber returns a phone number in E.164 form (see check.Number).
func NormalizeNumber(number string) (string, error) { return check.Number(number) }

// queryer is what both a *sql.DB and a *sql.Tx offer, so that reads can run
// on the read pool or inside a write transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// citizenByNumberQuery reads the first entry of citizen_phones_number
// (number, position, citizen_id; migration 0026): no sort.
const citizenByNumberQuery = `SELECT citizen_id FROM citizen_phones WHERE number = ? ORDER BY position, citizen_id LIMIT 1`

// citizenByNumber returns the id of the citizen with an E.164 number, or ""
// when none. When several citizens share a number (a family's landline) the
// one that listed it first wins; choosing among them is a later issue.
func citizenByNumber(ctx context.Context, q queryer, e164 string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, citizenByNumberQuery, e164).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// loadCitizen returns a citizen with its phones, or ENOTFOUND.
func loadCitizen(ctx context.Context, q queryer, id string) (*sportello.Citizen, error) {
	c := &sportello.Citizen{ID: id, Phones: []string{}}
	err := q.QueryRowContext(ctx, `SELECT kind, name, tax_code, email, address, language FROM citizens WHERE id = ?`, id).
		Scan(&c.Kind, &c.Name, &c.TaxCode, &c.Email, &c.Address, &c.Language)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no citizen has id %s", id)
	} else if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT number, label FROM citizen_phones WHERE citizen_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var labels []string
	for rows.Next() {
		var n, l string
		if err := rows.Scan(&n, &l); err != nil {
			return nil, err
		}
		c.Phones, labels = append(c.Phones, n), append(labels, l)
	}
	c.PhoneLabels = check.PhoneLabels(labels) // nil when none is labelled (citizenedit.go)
	return c, rows.Err()
}

// loadCitizenCases returns a citizen's newest cases, each rebuilt from its events.
func loadCitizenCases(ctx context.Context, q queryer, citizenID string, limit int) ([]*sportello.Case, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM cases WHERE citizen_id = ? ORDER BY updated_at DESC, id DESC LIMIT ?`, citizenID, limit)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cases := []*sportello.Case{}
	for _, id := range ids {
		c, err := loadCase(ctx, q, id)
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	return cases, nil
}
