package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/wire"
)

// loadCase rebuilds a case from its stored events with sportello.Replay, or
// returns ENOTFOUND.
func loadCase(ctx context.Context, q queryer, id string) (*sportello.Case, error) {
	return loadCaseUpTo(ctx, q, id, -1)
}

// loadCaseUpTo rebuilds a case from its first n events (all of them when n
// is negative): the case as an op recorded in ops left it.
func loadCaseUpTo(ctx context.Context, q queryer, id string, n int) (*sportello.Case, error) {
	var citizenID string
	err := q.QueryRowContext(ctx, `SELECT COALESCE(citizen_id, '') FROM cases WHERE id = ?`, id).Scan(&citizenID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no case has id %s", id)
	} else if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `
		SELECT id, case_id, kind, at, author_id, author, author_role, call_id, number, outcome, desk_id, category, note, channel, assignee_id, assignee
		FROM case_events WHERE case_id = ? ORDER BY position LIMIT ?`, id, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var events []*sportello.CaseEvent
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c, err := sportello.Replay(id, citizenID, events)
	if err != nil {
		// The store only holds events Apply accepted: this is corruption.
		return nil, errors.New("replay case " + id + ": " + err.Error())
	}
	return c, nil
}

func scanEvent(s interface{ Scan(...any) error }) (*sportello.CaseEvent, error) {
	var e sportello.CaseEvent
	var at string
	if err := s.Scan(&e.ID, &e.CaseID, &e.Kind, &at, &e.AuthorID, &e.Author, &e.AuthorRole, &e.CallID, &e.Number, &e.Outcome, &e.DeskID, &e.Category, &e.Note, &e.Channel, &e.AssigneeID, &e.Assignee); err != nil {
		return nil, err
	}
	var err error
	e.At, err = decodeTime(at)
	return &e, err
}

// RecordWrapUp stores a wrap-up in one transaction. With no CaseID it opens
// a case for the citizen (named by CitizenID, or found by CallerNumber, or
// none for an unknown caller) with the events opened, call and wrap_up;
// otherwise it appends call and wrap_up to that case. Every event goes
// through Case.Apply over the stored history first, so an illegal
// transition (a wrap-up on a resolved case) is refused with its ECONFLICT
// and nothing is written. Each event stored adds one change.
func (db *DB) RecordWrapUp(ctx context.Context, actor *sportello.User, w sportello.WrapUp) (*sportello.Case, error) {
	c, _, err := db.RecordWrapUpOnce(ctx, actor, w)
	return c, err
}

// RecordWrapUpOnce is RecordWrapUp that also reports whether the wrap-up
// was a repeat. A wrap-up with an ID is recorded once: its id goes into the
// ops table in the same transaction as its events, and a repeat of the
// same wrap-up (same author, same fields) writes nothing and returns the
// case as the first send left it, with replayed true. The same id with a
// different payload is ECONFLICT. A wrap-up without an ID is recorded every
// time it is sent.
func (db *DB) RecordWrapUpOnce(ctx context.Context, actor *sportello.User, w sportello.WrapUp) (_ *sportello.Case, replayed bool, _ error) {
	res := db.RecordWrapUps(ctx, []sportello.WrapUpOp{{Actor: actor, WrapUp: w}})[0] // groupcommit.go
	return res.Case, res.Replayed, res.Err
}

// recordWrapUpTx is RecordWrapUpOnce inside tx, for a wrap-up check.WrapUp
// accepted with its digest.
func (db *DB) recordWrapUpTx(ctx context.Context, tx execer, actor *sportello.User, w sportello.WrapUp, digest []byte) (_ *sportello.Case, replayed bool, _ error) {
	if w.ID != "" {
		c, err := replayOp(ctx, tx, w.ID, opWrapUp, digest)
		if err != nil || c != nil {
			return c, c != nil, err
		}
	}
	now := db.Now().UTC()
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
			if _, err := loadCase(ctx, tx, w.NewCaseID); err == nil {
				return nil, false, sportello.Errorf(sportello.ECONFLICT, "case %s exists already", w.NewCaseID)
			}
			c.ID = w.NewCaseID
		}
	} else {
		var err error
		if c, err = loadCase(ctx, tx, w.CaseID); err != nil {
			return nil, false, err
		}
		if w.CitizenID != "" && w.CitizenID != c.CitizenID {
			return nil, false, sportello.Errorf(sportello.EINVALID, "case %s belongs to another citizen", w.CaseID)
		}
	}
	isNew, was := len(c.Events) == 0, queueKeyOf(c)
	events := check.WrapUpEvents(w, isNew)
	if w.DeskID != "" {
		if err := deskExists(ctx, tx, w.DeskID); err != nil {
			return nil, false, err
		}
	}
	position := len(c.Events)
	for _, e := range events {
		e.ID, e.CaseID, e.At = newID(), c.ID, now
		e.AuthorID, e.Author, e.AuthorRole = actor.ID, actor.Name, actor.Role
		if err := c.Apply(e); err != nil {
			return nil, false, err
		}
	}
	var err error
	if isNew {
		err = saveCase(ctx, tx, c, true)
	} else {
		err = updateCase(ctx, tx, c, was)
	}
	if err != nil {
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
		if err := db.appendChange(ctx, tx, now, c, e); err != nil {
			return nil, false, err
		}
		if cb := check.WrapUpCallback(actor, w, c, e); cb != nil {
			if err := insertCallback(ctx, tx, cb); err != nil {
				return nil, false, err
			}
		}
	}
	if w.ID != "" {
		if err := recordOp(ctx, tx, w.ID, opWrapUp, actor.ID, digest, c.ID, len(c.Events), now); err != nil {
			return nil, false, err
		}
	}
	return c, false, nil
}

// wrapUpCitizen finds whom a new case is for.
func wrapUpCitizen(ctx context.Context, tx execer, w sportello.WrapUp) (string, error) {
	if w.CitizenID != "" {
		return liveCitizen(ctx, tx, w.CitizenID) // a merged duplicate: its survivor (citizenedit.go)
	}
	if w.CallerNumber == "" {
		return "", nil
	}
	return citizenByNumber(ctx, tx, w.CallerNumber)
}

// queueKey is what the indexes of desks' queues and of the board hold of
// a case row (cases_desk_queue, cases_status_desk), besides its rowid.
type queueKey struct {
	status    sportello.CaseStatus
	desk      string
	escalated time.Time
}

func queueKeyOf(c *sportello.Case) queueKey {
	return queueKey{status: c.Status, desk: c.DeskID, escalated: c.EscalatedAt}
}

// updateCase writes the row of an existing case after events were applied
// to it, was its queue key before them. SQLite rewrites an index entry for
// every index on a column an UPDATE sets, changed or not: events that leave
// a case in the same state, desk and escalation (a note, a claim, most
// wrap-ups on an open case) set no column of the queue indexes, and so
// spare the writer two index deletes and two inserts (issue 4).
func updateCase(ctx context.Context, tx execer, c *sportello.Case, was queueKey) error {
	// Compared as values: an escalation time the events left alone is the
	// same value; any other difference only takes the full update.
	if queueKeyOf(c) != was {
		return saveCase(ctx, tx, c, false)
	}
	_, err := tx.ExecContext(ctx, `
		UPDATE cases SET category = ?, subject = ?, claimed_by = ?, updated_at = ? WHERE id = ?`,
		c.Category, c.Subject, c.ClaimedBy, encodeTime(c.UpdatedAt), c.ID)
	return err
}

// saveCase writes the case row, the cache of its derived state.
func saveCase(ctx context.Context, tx execer, c *sportello.Case, isNew bool) error {
	if isNew {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO cases (id, citizen_id, category, subject, status, desk_id, claimed_by, opened_at, updated_at, escalated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, nullString(c.CitizenID), c.Category, c.Subject, string(c.Status), c.DeskID, c.ClaimedBy,
			encodeTime(c.OpenedAt), encodeTime(c.UpdatedAt), encodeOptTime(c.EscalatedAt))
		return err
	}
	_, err := tx.ExecContext(ctx, `
		UPDATE cases SET category = ?, subject = ?, status = ?, desk_id = ?, claimed_by = ?, updated_at = ?, escalated_at = ?
		WHERE id = ?`,
		c.Category, c.Subject, string(c.Status), c.DeskID, c.ClaimedBy, encodeTime(c.UpdatedAt), encodeOptTime(c.EscalatedAt), c.ID)
	return err
}

func insertEvent(ctx context.Context, tx execer, e *sportello.CaseEvent, position int) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO case_events (id, case_id, position, kind, at, author_id, author, author_role, call_id, number, outcome, desk_id, category, note, channel, assignee_id, assignee)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.CaseID, position, string(e.Kind), encodeTime(e.At), e.AuthorID, e.Author, string(e.AuthorRole), e.CallID, e.Number,
		string(e.Outcome), e.DeskID, e.Category, e.Note, string(e.Channel), e.AssigneeID, e.Assignee)
	return err
}

// appendChange adds a change for an event. The seq is MAX+1 read inside the
// writer's transaction: writes are serialized, so seqs are gap-free and in
// commit order. The change is noted for the tail (tail.go) as
// ChangesSince would read it back.
func (db *DB) appendChange(ctx context.Context, tx execer, now time.Time, c *sportello.Case, e *sportello.CaseEvent) error {
	at := encodeTime(now)
	ch := sportello.Change{Kind: sportello.ChangeKindCaseEvent, CitizenID: c.CitizenID, CaseID: c.ID, DeskID: c.DeskID}
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO changes (seq, at, kind, citizen_id, case_id, desk_id, event_id)
		SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ? FROM changes RETURNING seq`,
		at, ch.Kind, ch.CitizenID, ch.CaseID, ch.DeskID, e.ID).Scan(&ch.Seq); err != nil {
		return err
	}
	var err error
	if ch.At, err = decodeTime(at); err != nil {
		return err
	}
	ch.Event = storedEvent(e)
	db.tail.note(ch)
	return nil
}

// storedEvent returns what the change log keeps of e: the columns
// ChangesSince reads back.
func storedEvent(e *sportello.CaseEvent) *sportello.CaseEvent {
	return &sportello.CaseEvent{
		ID: e.ID, CaseID: e.CaseID, Kind: e.Kind, At: e.At.UTC().Round(0),
		AuthorID: e.AuthorID, Author: e.Author, AuthorRole: e.AuthorRole, CallID: e.CallID,
		Number: e.Number, Outcome: e.Outcome, DeskID: e.DeskID, Category: e.Category, Note: e.Note,
		Channel: e.Channel, AssigneeID: e.AssigneeID, Assignee: e.Assignee,
	}
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
	upTo := db.readableHead()
	if changes, ok := db.tail.since(cursor, upTo, limit, db.Now()); ok { // tail.go
		return changes, nil
	}
	return db.storedChanges(ctx, cursor, upTo, limit)
}

// storedChanges reads up to limit changes after cursor and up to upTo
// from the database.
func (db *DB) storedChanges(ctx context.Context, cursor, upTo int64, limit int) ([]sportello.Change, error) {
	rows, err := db.reads.QueryContext(ctx, `
		SELECT c.seq, c.at, c.kind, c.citizen_id, c.case_id, c.desk_id, c.entry_id, c.entry,
			e.id, e.case_id, e.kind, e.at, e.author_id, e.author, e.author_role, e.call_id, e.number, e.outcome, e.desk_id, e.category, e.note, e.channel, e.assignee_id, e.assignee
		FROM changes c LEFT JOIN case_events e ON e.id = c.event_id
		WHERE c.seq > ? AND c.seq <= ? ORDER BY c.seq LIMIT ?`, cursor, upTo, limit)
	if err != nil {
		return nil, internal("changes", err)
	}
	defer rows.Close()
	changes := []sportello.Change{}
	for rows.Next() {
		var ch sportello.Change
		var at, entryID, entry string
		var ev struct {
			id, caseID, kind, at, authorID, author, authorRole, callID, number, outcome, deskID, category, note, channel, assigneeID, assignee sql.NullString
		}
		if err := rows.Scan(&ch.Seq, &at, &ch.Kind, &ch.CitizenID, &ch.CaseID, &ch.DeskID, &entryID, &entry,
			&ev.id, &ev.caseID, &ev.kind, &ev.at, &ev.authorID, &ev.author, &ev.authorRole, &ev.callID, &ev.number, &ev.outcome, &ev.deskID, &ev.category, &ev.note, &ev.channel, &ev.assigneeID, &ev.assignee); err != nil {
			return nil, internal("changes", err)
		}
		if ch.At, err = decodeTime(at); err != nil {
			return nil, internal("changes", err)
		}
		if err := decodeEntryChange(&ch, entryID, entry); err != nil { // kbedit.go
			return nil, internal("changes", err)
		}
		if ev.id.Valid {
			e := &sportello.CaseEvent{
				ID: ev.id.String, CaseID: ev.caseID.String, Kind: sportello.EventKind(ev.kind.String),
				AuthorID: ev.authorID.String, Author: ev.author.String, AuthorRole: sportello.Role(ev.authorRole.String), CallID: ev.callID.String,
				Number: ev.number.String, Outcome: sportello.Outcome(ev.outcome.String),
				DeskID: ev.deskID.String, Category: ev.category.String, Note: ev.note.String,
				Channel:    sportello.ContactChannel(ev.channel.String),
				AssigneeID: ev.assigneeID.String, Assignee: ev.assignee.String,
			}
			if e.At, err = decodeTime(ev.at.String); err != nil {
				return nil, internal("changes", err)
			}
			ch.Event = e
		}
		changes = append(changes, ch)
	}
	return changes, internal("changes", rows.Err())
}

// Head returns the seq of the newest change, 0 when there is none; when
// the store syncs the log itself, of the newest on disk (walsync.go).
func (db *DB) Head(ctx context.Context) (int64, error) {
	if db.wal != nil {
		return db.wal.durableHead(), nil
	}
	var seq int64
	err := db.reads.QueryRowContext(ctx, headQuery).Scan(&seq)
	return seq, internal("head", err)
}

// readableHead bounds the changes ChangesSince returns: those on disk when
// the store syncs the log itself (walsync.go), all otherwise.
func (db *DB) readableHead() int64 {
	if db.wal != nil {
		return db.wal.durableHead()
	}
	return math.MaxInt64
}

// Case returns a case with its events, or ENOTFOUND.
func (db *DB) Case(ctx context.Context, id string) (*sportello.Case, error) {
	c, err := loadCase(ctx, &db.reads, id)
	return c, internal("case", err)
}
