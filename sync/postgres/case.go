package postgres

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/wire"
)

// ChannelChanges is the LISTEN/NOTIFY channel on which every commit that
// appends changes announces its newest seq.
const ChannelChanges = "sportello_changes"

// loadCase rebuilds a case from its first n stored events (all of them
// when n is negative), or returns ENOTFOUND.
func loadCase(ctx context.Context, q querier, id string, n int) (*sportello.Case, error) {
	if !check.Storable(id) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no case has id %s", id)
	}
	var citizenID string
	err := q.QueryRow(ctx, `SELECT COALESCE(citizen_id, '') FROM cases WHERE id = $1`, id).Scan(&citizenID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no case has id %s", id)
	} else if err != nil {
		return nil, err
	}
	var limit *int
	if n >= 0 {
		limit = &n
	}
	rows, err := q.Query(ctx, `SELECT `+eventColumns+` FROM case_events WHERE case_id = $1 ORDER BY position LIMIT $2`, id, limit)
	if err != nil {
		return nil, err
	}
	events, err := pgx.CollectRows(rows, scanEvent)
	if err != nil {
		return nil, err
	}
	c, err := sportello.Replay(id, citizenID, events)
	if err != nil {
		// The store only holds events Apply accepted: this is corruption.
		return nil, errors.New("replay case " + id + ": " + err.Error())
	}
	return c, nil
}

// Case returns a case with its events, or ENOTFOUND.
func (db *DB) Case(ctx context.Context, id string) (*sportello.Case, error) {
	c, err := loadCase(ctx, db.pool, id, -1)
	return c, internal("case", err)
}

// RecordWrapUp stores a wrap-up in one transaction; see RecordWrapUpOnce.
func (db *DB) RecordWrapUp(ctx context.Context, actor *sportello.User, w sportello.WrapUp) (*sportello.Case, error) {
	c, _, err := db.RecordWrapUpOnce(ctx, actor, w)
	return c, err
}

// RecordWrapUpOnce stores a wrap-up as sync/sqlite does: with no CaseID
// it opens a case (events opened, call, wrap_up), otherwise it appends call
// and wrap_up, each event through Case.Apply first, each stored event one
// change. A wrap-up with an ID is recorded once: a repeat returns the case
// as the first send left it with replayed true, and the same id with
// another payload is ECONFLICT.
//
// The transaction first locks change_head, so writers on every node run
// one at a time: the op-id check, the case's state and the seqs it takes
// are all decided under that lock.
func (db *DB) RecordWrapUpOnce(ctx context.Context, actor *sportello.User, w sportello.WrapUp) (_ *sportello.Case, replayed bool, _ error) {
	res := db.RecordWrapUps(ctx, []sportello.WrapUpOp{{Actor: actor, WrapUp: w}})[0] // groupcommit.go
	return res.Case, res.Replayed, res.Err
}

// recordWrapUpTx is RecordWrapUpOnce inside tx, for a wrap-up check.WrapUp
// accepted with its digest; it takes the writers' lock first.
func (db *DB) recordWrapUpTx(ctx context.Context, tx pgx.Tx, actor *sportello.User, w sportello.WrapUp, digest []byte) (_ *sportello.Case, replayed bool, _ error) {
	head, err := lockHead(ctx, tx)
	if err != nil {
		return nil, false, err
	}
	if w.ID != "" {
		c, err := replayOp(ctx, tx, w.ID, check.OpWrapUp, digest)
		if err != nil || c != nil {
			return c, c != nil, err
		}
	}
	now := db.now()
	c := &sportello.Case{}
	if w.CaseID == "" {
		citizenID, err := wrapUpCitizen(ctx, tx, w)
		if err != nil {
			return nil, false, err
		}
		c.ID, c.CitizenID = newID(), citizenID
		if w.NewCaseID != "" {
			// A case opened offline keeps the id its desktop gave it.
			if err := check.NewCaseID(w.NewCaseID); err != nil {
				return nil, false, err
			}
			if _, err := loadCase(ctx, tx, w.NewCaseID, 0); err == nil {
				return nil, false, sportello.Errorf(sportello.ECONFLICT, "case %s exists already", w.NewCaseID)
			}
			c.ID = w.NewCaseID
		}
	} else {
		if c, err = loadCase(ctx, tx, w.CaseID, -1); err != nil {
			return nil, false, err
		}
		if w.CitizenID != "" && w.CitizenID != c.CitizenID {
			return nil, false, sportello.Errorf(sportello.EINVALID, "case %s belongs to another citizen", w.CaseID)
		}
	}
	isNew := len(c.Events) == 0
	position := len(c.Events)
	events := check.WrapUpEvents(w, isNew)
	if w.DeskID != "" {
		if err := deskExists(ctx, tx, w.DeskID); err != nil {
			return nil, false, err
		}
	}
	for _, e := range events {
		e.ID, e.CaseID, e.At = newID(), c.ID, now
		e.AuthorID, e.Author, e.AuthorRole = actor.ID, actor.Name, actor.Role
		if err := c.Apply(e); err != nil {
			return nil, false, err
		}
	}
	if err := saveCase(ctx, tx, c, isNew); err != nil {
		return nil, false, err
	}
	for _, e := range events {
		if err := insertEvent(ctx, tx, e, position); err != nil {
			return nil, false, err
		}
		if err := db.recordWrapUpFacts(ctx, tx, w, c, e); err != nil { // fcr.go
			return nil, false, err
		}
		position++
		head++
		if err := appendChange(ctx, tx, head, now, c, e); err != nil {
			return nil, false, err
		}
		if cb := check.WrapUpCallback(actor, w, c, e); cb != nil {
			if err := insertCallback(ctx, tx, cb); err != nil {
				return nil, false, err
			}
		}
	}
	if err := setHead(ctx, tx, head); err != nil {
		return nil, false, err
	}
	if w.ID != "" {
		if _, err := tx.Exec(ctx, `INSERT INTO ops (id, kind, user_id, digest, case_id, events, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			w.ID, check.OpWrapUp, actor.ID, digest, c.ID, len(c.Events), now); err != nil {
			return nil, false, err
		}
	}
	return c, false, nil
}

// replayOp looks an op id up under the writers' lock: nil, nil for an id
// never seen; the case as the op left it for a repeat; ECONFLICT for an id
// used by another op.
func replayOp(ctx context.Context, tx pgx.Tx, id, kind string, digest []byte) (*sportello.Case, error) {
	var gotKind, caseID string
	var gotDigest []byte
	var events int
	err := tx.QueryRow(ctx, `SELECT kind, digest, case_id, events FROM ops WHERE id = $1`, id).Scan(&gotKind, &gotDigest, &caseID, &events)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if gotKind != kind || !bytes.Equal(gotDigest, digest) {
		return nil, check.ReusedOpID(id, kind)
	}
	return loadCase(ctx, tx, caseID, events)
}

// wrapUpCitizen finds whom a new case is for.
func wrapUpCitizen(ctx context.Context, tx pgx.Tx, w sportello.WrapUp) (string, error) {
	if w.CitizenID != "" {
		return liveCitizen(ctx, tx, w.CitizenID) // a merged duplicate: its survivor (citizenedit.go)
	}
	if w.CallerNumber == "" {
		return "", nil
	}
	return citizenByNumber(ctx, tx, w.CallerNumber)
}

// saveCase writes the case row, the cache of its derived state.
func saveCase(ctx context.Context, tx pgx.Tx, c *sportello.Case, isNew bool) error {
	if isNew {
		_, err := tx.Exec(ctx, `
			INSERT INTO cases (id, citizen_id, category, subject, status, desk_id, claimed_by, opened_at, updated_at, escalated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			c.ID, nullString(c.CitizenID), c.Category, c.Subject, string(c.Status), c.DeskID, c.ClaimedBy,
			c.OpenedAt.UTC(), c.UpdatedAt.UTC(), optTime(c.EscalatedAt))
		return err
	}
	_, err := tx.Exec(ctx, `
		UPDATE cases SET category = $1, subject = $2, status = $3, desk_id = $4, claimed_by = $5, updated_at = $6, escalated_at = $7
		WHERE id = $8`,
		c.Category, c.Subject, string(c.Status), c.DeskID, c.ClaimedBy, c.UpdatedAt.UTC(), optTime(c.EscalatedAt), c.ID)
	return err
}

// optTime stores a zero time as NULL.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func insertEvent(ctx context.Context, tx pgx.Tx, e *sportello.CaseEvent, position int) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO case_events (id, case_id, position, kind, at, author_id, author, author_role, call_id, number, outcome, desk_id, category, note, channel, assignee_id, assignee)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		e.ID, e.CaseID, position, string(e.Kind), e.At.UTC(), e.AuthorID, e.Author, string(e.AuthorRole), e.CallID, e.Number,
		string(e.Outcome), e.DeskID, e.Category, e.Note, string(e.Channel), e.AssigneeID, e.Assignee)
	return err
}

// appendChange adds the change of seq for an event, inside the writer's
// transaction that holds change_head.
func appendChange(ctx context.Context, tx pgx.Tx, seq int64, now time.Time, c *sportello.Case, e *sportello.CaseEvent) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO changes (seq, at, kind, citizen_id, case_id, desk_id, event_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		seq, now, sportello.ChangeKindCaseEvent, c.CitizenID, c.ID, c.DeskID, e.ID)
	return err
}

// setHead moves change_head to seq and queues a notification of it, which
// PostgreSQL delivers to every listening node when (and only if) the
// transaction commits, in commit order.
func setHead(ctx context.Context, tx pgx.Tx, seq int64) error {
	if _, err := tx.Exec(ctx, `UPDATE change_head SET seq = $1 WHERE one`, seq); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, ChannelChanges, strconv.FormatInt(seq, 10))
	return err
}

// ChangesSince returns up to limit changes after cursor, in seq order. A
// limit out of 1..wire.MaxChangesLimit is taken as the default or the maximum.
func (db *DB) ChangesSince(ctx context.Context, cursor int64, limit int) ([]sportello.Change, error) {
	if cursor < 0 {
		return nil, sportello.Errorf(sportello.EINVALID, "the cursor must not be negative")
	}
	if limit <= 0 {
		limit = wire.DefaultChangesLimit
	}
	limit = min(limit, wire.MaxChangesLimit)
	rows, err := db.pool.Query(ctx, `
		SELECT c.seq, c.at, c.kind, c.citizen_id, c.case_id, c.desk_id, c.entry_id, c.entry,
			e.id, e.case_id, e.kind, e.at, e.author_id, e.author, e.author_role, e.call_id, e.number, e.outcome, e.desk_id, e.category, e.note, e.channel, e.assignee_id, e.assignee
		FROM changes c LEFT JOIN case_events e ON e.id = c.event_id
		WHERE c.seq > $1 ORDER BY c.seq LIMIT $2`, cursor, limit)
	if err != nil {
		return nil, internal("changes", err)
	}
	changes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sportello.Change, error) {
		var ch sportello.Change
		var entryID, entry string
		var ev struct {
			id, caseID, kind, authorID, author, authorRole, callID, number, outcome, deskID, category, note, channel, assigneeID, assignee *string
			at                                                                                                                             *time.Time
		}
		if err := r.Scan(&ch.Seq, &ch.At, &ch.Kind, &ch.CitizenID, &ch.CaseID, &ch.DeskID, &entryID, &entry,
			&ev.id, &ev.caseID, &ev.kind, &ev.at, &ev.authorID, &ev.author, &ev.authorRole, &ev.callID, &ev.number, &ev.outcome, &ev.deskID, &ev.category, &ev.note, &ev.channel, &ev.assigneeID, &ev.assignee); err != nil {
			return ch, err
		}
		ch.At = ch.At.UTC()
		if err := decodeEntryChange(&ch, entryID, entry); err != nil { // kbedit.go
			return ch, err
		}
		if ev.id != nil {
			ch.Event = &sportello.CaseEvent{
				ID: *ev.id, CaseID: *ev.caseID, Kind: sportello.EventKind(*ev.kind), At: ev.at.UTC(),
				AuthorID: *ev.authorID, Author: *ev.author, AuthorRole: sportello.Role(*ev.authorRole), CallID: *ev.callID, Number: *ev.number,
				Outcome: sportello.Outcome(*ev.outcome), DeskID: *ev.deskID, Category: *ev.category, Note: *ev.note,
				Channel:    sportello.ContactChannel(*ev.channel),
				AssigneeID: *ev.assigneeID, Assignee: *ev.assignee,
			}
		}
		return ch, nil
	})
	if err != nil {
		return nil, internal("changes", err)
	}
	if changes == nil {
		changes = []sportello.Change{}
	}
	return changes, nil
}

// Head returns the seq of the newest committed change, 0 when there is none.
func (db *DB) Head(ctx context.Context) (int64, error) {
	var seq int64
	err := db.pool.QueryRow(ctx, `SELECT seq FROM change_head WHERE one`).Scan(&seq)
	return seq, internal("head", err)
}
