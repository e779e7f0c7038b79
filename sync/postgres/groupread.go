package postgres

import (
	"bytes"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// The reads of a group commit's ops (groupcommit.go): each queues its
// queries in the batch that carries them and keeps what they found for
// the op's decide. A callback returns an error only when the read itself
// failed, which fails the group's transaction; a row not found is an
// answer, kept for decide to refuse the op with.

// existsRead is the answer of a query of one boolean.
type existsRead struct{ exists bool }

// queue queues the query.
func (r *existsRead) queue(b *pgx.Batch, query string, args ...any) {
	b.Queue(query, args...).QueryRow(func(row pgx.Row) error { return row.Scan(&r.exists) })
}

// caseRead is a case as a batch loads it: its row, its citizen's name and
// its events.
type caseRead struct {
	found                  bool
	citizenID, citizenName string
	events                 []*sportello.CaseEvent
}

// queue queues the case's queries: none for an id no case can have.
func (r *caseRead) queue(b *pgx.Batch, id string) {
	if !check.Storable(id) {
		return
	}
	b.Queue(`SELECT COALESCE(c.citizen_id, ''), COALESCE(z.name, '') FROM cases c LEFT JOIN citizens z ON z.id = c.citizen_id WHERE c.id = $1`, id).
		QueryRow(func(row pgx.Row) error {
			err := row.Scan(&r.citizenID, &r.citizenName)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			r.found = err == nil
			return err
		})
	b.Queue(`SELECT `+eventColumns+` FROM case_events WHERE case_id = $1 ORDER BY position`, id).Query(r.scanEvents)
}

// scanEvents keeps the events a query returned.
func (r *caseRead) scanEvents(rows pgx.Rows) error {
	var err error
	r.events, err = pgx.CollectRows(rows, scanEvent)
	return err
}

// result is the case read, as loadCase returns it: rebuilt from its
// events, or ENOTFOUND.
func (r *caseRead) result(id string) (*sportello.Case, error) {
	if !r.found {
		return nil, noCase(id)
	}
	c, err := sportello.Replay(id, r.citizenID, r.events)
	if err != nil {
		// The store only holds events Apply accepted: this is corruption.
		return nil, errors.New("replay case " + id + ": " + err.Error())
	}
	return c, nil
}

// noCase is the error of a case id not found.
func noCase(id string) error {
	return sportello.Errorf(sportello.ENOTFOUND, "no case has id %s", id)
}

// replayRead is what a batch finds of an op id: the op sent with it
// before, if any, and the case as that op left it (its first events).
type replayRead struct {
	seen   bool
	kind   string
	digest []byte
	caseID string
	left   caseRead
}

// queue queues the op's queries.
func (r *replayRead) queue(b *pgx.Batch, id string) {
	b.Queue(`
		SELECT o.kind, o.digest, o.case_id, c.id IS NOT NULL, COALESCE(c.citizen_id, '')
		FROM ops o LEFT JOIN cases c ON c.id = o.case_id WHERE o.id = $1`, id).
		QueryRow(func(row pgx.Row) error {
			err := row.Scan(&r.kind, &r.digest, &r.caseID, &r.left.found, &r.left.citizenID)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			r.seen = err == nil
			return err
		})
	b.Queue(`
		SELECT `+eventColumns+` FROM case_events WHERE case_id = (SELECT case_id FROM ops WHERE id = $1)
		ORDER BY position LIMIT (SELECT events FROM ops WHERE id = $1)`, id).Query(r.left.scanEvents)
}

// result is as replayOp was: nil, nil for an id never seen; the case as
// the op left it for a repeat; ECONFLICT for an id used by another op.
func (r *replayRead) result(id, kind string, digest []byte) (*sportello.Case, error) {
	if !r.seen {
		return nil, nil
	}
	if r.kind != kind || !bytes.Equal(r.digest, digest) {
		return nil, check.ReusedOpID(id, kind)
	}
	return r.left.result(r.caseID)
}

// citizenRead is whom a new case is for, as a batch finds it: the citizen
// a wrap-up names, or the survivor a merged duplicate names (a wrap-up
// sent from an outbox after a merge lands on the survivor); else the
// first with the caller's number (as citizenByNumber); else nobody.
type citizenRead struct {
	id  string
	err error
}

// queue queues the query that finds the citizen.
func (r *citizenRead) queue(b *pgx.Batch, w sportello.WrapUp) {
	switch {
	case w.CitizenID != "" && !check.Storable(w.CitizenID):
		r.err = noCitizen(w.CitizenID)
	case w.CitizenID != "":
		r.id = w.CitizenID
		b.Queue(`SELECT merged_into FROM citizens WHERE id = $1`, w.CitizenID).QueryRow(func(row pgx.Row) error {
			var into string
			err := row.Scan(&into)
			if errors.Is(err, pgx.ErrNoRows) {
				r.err = noCitizen(w.CitizenID)
				return nil
			}
			if into != "" {
				r.id = into
			}
			return err
		})
	case w.CallerNumber != "":
		b.Queue(`SELECT citizen_id FROM citizen_phones WHERE number = $1 ORDER BY position, citizen_id LIMIT 1`, w.CallerNumber).
			QueryRow(func(row pgx.Row) error {
				if err := row.Scan(&r.id); !errors.Is(err, pgx.ErrNoRows) {
					return err
				}
				return nil
			})
	}
}

// result is the citizen's id ("" for nobody), or ENOTFOUND.
func (r *citizenRead) result() (string, error) { return r.id, r.err }
