package postgres

import (
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
		return nil, noCase(id)
	}
	var citizenID string
	err := q.QueryRow(ctx, `SELECT COALESCE(citizen_id, '') FROM cases WHERE id = $1`, id).Scan(&citizenID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, noCase(id)
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

// wrapUpOp is a wrap-up's write in a group commit (groupcommit.go): it
// reads, in one round trip shared with the op before it, the op id's
// replay, whom a new case is for or the case it adds to, and the desk it
// names; then decides in Go and queues its writes, sent in one more.
type wrapUpOp struct {
	db     *DB
	actor  *sportello.User
	w      sportello.WrapUp
	digest []byte

	replay  replayRead  // w.ID sent before (groupread.go)
	citizen citizenRead // whom a new case is for
	taken   existsRead  // a case with w.NewCaseID already
	found   caseRead    // the case w.CaseID
	desk    existsRead  // w.DeskID
}

// read queues what the wrap-up needs to know.
func (o *wrapUpOp) read(b *pgx.Batch) {
	w := o.w
	o.replay, o.citizen, o.taken, o.found, o.desk = replayRead{}, citizenRead{}, existsRead{}, caseRead{}, existsRead{}
	if w.ID != "" {
		o.replay.queue(b, w.ID)
	}
	if w.CaseID == "" {
		o.citizen.queue(b, w)
		if w.NewCaseID != "" && check.NewCaseID(w.NewCaseID) == nil {
			o.taken.queue(b, `SELECT EXISTS (SELECT 1 FROM cases WHERE id = $1)`, w.NewCaseID)
		}
	} else {
		o.found.queue(b, w.CaseID)
	}
	if w.DeskID != "" && check.Storable(w.DeskID) {
		o.desk.queue(b, `SELECT EXISTS (SELECT 1 FROM desks WHERE id = $1)`, w.DeskID)
	}
}

// decide records the wrap-up as RecordWrapUpOnce says, from what read
// found, queuing its writes in b with the seqs after head.
func (o *wrapUpOp) decide(b *pgx.Batch, head int64) (sportello.WrapUpResult, int64, error) {
	w, actor := o.w, o.actor
	if w.ID != "" {
		c, err := o.replay.result(w.ID, check.OpWrapUp, o.digest)
		if err != nil || c != nil {
			return sportello.WrapUpResult{Case: c, Replayed: true}, head, err
		}
	}
	now := o.db.now()
	c := &sportello.Case{}
	if w.CaseID == "" {
		citizenID, err := o.citizen.result()
		if err != nil {
			return sportello.WrapUpResult{}, head, err
		}
		c.ID, c.CitizenID = newID(), citizenID
		if w.NewCaseID != "" {
			// A case opened offline keeps the id its desktop gave it.
			if err := check.NewCaseID(w.NewCaseID); err != nil {
				return sportello.WrapUpResult{}, head, err
			}
			if o.taken.exists {
				return sportello.WrapUpResult{}, head, sportello.Errorf(sportello.ECONFLICT, "case %s exists already", w.NewCaseID)
			}
			c.ID = w.NewCaseID
		}
	} else {
		var err error
		if c, err = o.found.result(w.CaseID); err != nil {
			return sportello.WrapUpResult{}, head, err
		}
		if w.CitizenID != "" && w.CitizenID != c.CitizenID {
			return sportello.WrapUpResult{}, head, sportello.Errorf(sportello.EINVALID, "case %s belongs to another citizen", w.CaseID)
		}
	}
	isNew := len(c.Events) == 0
	position := len(c.Events)
	events := check.WrapUpEvents(w, isNew)
	if w.DeskID != "" && !o.desk.exists {
		return sportello.WrapUpResult{}, head, noDesk(w.DeskID)
	}
	for _, e := range events {
		e.ID, e.CaseID, e.At = newID(), c.ID, now
		e.AuthorID, e.Author, e.AuthorRole = actor.ID, actor.Name, actor.Role
		if err := c.Apply(e); err != nil {
			return sportello.WrapUpResult{}, head, err
		}
	}
	writes := []statement{saveCaseStmt(c, isNew)}
	for _, e := range events {
		writes = append(writes, insertEventStmt(e, position))
		facts, err := o.db.wrapUpFacts(w, c, e) // fcr.go
		if err != nil {
			return sportello.WrapUpResult{}, head, err
		}
		writes = append(writes, facts...)
		position++
		head++
		writes = append(writes, changeStmt(head, now, c, e))
		if cb := check.WrapUpCallback(actor, w, c, e); cb != nil {
			writes = append(writes, insertCallbackStmt(cb))
		}
	}
	if w.ID != "" {
		writes = append(writes, opStmt(w.ID, check.OpWrapUp, actor, o.digest, c, now))
	}
	queue(b, writes)
	return sportello.WrapUpResult{Case: c}, head, nil
}

// statement is one SQL statement with its arguments: run at once in a
// transaction, or queued in a group commit's batch.
type statement struct {
	sql  string
	args []any
}

// exec runs s in tx.
func (s statement) exec(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, s.sql, s.args...)
	return err
}

// queue queues statements in b, whose writes need no answer: an error
// fails the batch.
func queue(b *pgx.Batch, statements []statement) {
	for _, s := range statements {
		b.Queue(s.sql, s.args...)
	}
}

// saveCase writes the case row, the cache of its derived state.
func saveCase(ctx context.Context, tx pgx.Tx, c *sportello.Case, isNew bool) error {
	return saveCaseStmt(c, isNew).exec(ctx, tx)
}

// saveCaseStmt is saveCase's statement.
func saveCaseStmt(c *sportello.Case, isNew bool) statement {
	if isNew {
		return statement{`
			INSERT INTO cases (id, citizen_id, category, subject, status, desk_id, claimed_by, opened_at, updated_at, escalated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			[]any{c.ID, nullString(c.CitizenID), c.Category, c.Subject, string(c.Status), c.DeskID, c.ClaimedBy,
				c.OpenedAt.UTC(), c.UpdatedAt.UTC(), optTime(c.EscalatedAt)}}
	}
	return statement{`
		UPDATE cases SET category = $1, subject = $2, status = $3, desk_id = $4, claimed_by = $5, updated_at = $6, escalated_at = $7
		WHERE id = $8`,
		[]any{c.Category, c.Subject, string(c.Status), c.DeskID, c.ClaimedBy, c.UpdatedAt.UTC(), optTime(c.EscalatedAt), c.ID}}
}

// opStmt records an op sent with its own id, as it left case c.
func opStmt(id, kind string, actor *sportello.User, digest []byte, c *sportello.Case, now time.Time) statement {
	return statement{`INSERT INTO ops (id, kind, user_id, digest, case_id, events, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		[]any{id, kind, actor.ID, digest, c.ID, len(c.Events), now}}
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
	return insertEventStmt(e, position).exec(ctx, tx)
}

// insertEventStmt stores event e at position in its case.
func insertEventStmt(e *sportello.CaseEvent, position int) statement {
	return statement{`
		INSERT INTO case_events (id, case_id, position, kind, at, author_id, author, author_role, call_id, number, outcome, desk_id, category, note, channel, assignee_id, assignee)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		[]any{e.ID, e.CaseID, position, string(e.Kind), e.At.UTC(), e.AuthorID, e.Author, string(e.AuthorRole), e.CallID, e.Number,
			string(e.Outcome), e.DeskID, e.Category, e.Note, string(e.Channel), e.AssigneeID, e.Assignee}}
}

// appendChange adds the change of seq for an event, inside the writer's
// transaction that holds change_head.
func appendChange(ctx context.Context, tx pgx.Tx, seq int64, now time.Time, c *sportello.Case, e *sportello.CaseEvent) error {
	return changeStmt(seq, now, c, e).exec(ctx, tx)
}

// changeStmt is appendChange's statement.
func changeStmt(seq int64, now time.Time, c *sportello.Case, e *sportello.CaseEvent) statement {
	return statement{`
		INSERT INTO changes (seq, at, kind, citizen_id, case_id, desk_id, event_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		[]any{seq, now, sportello.ChangeKindCaseEvent, c.CitizenID, c.ID, c.DeskID, e.ID}}
}

// setHead moves change_head to seq and queues a notification of it, which
// PostgreSQL delivers to every listening node when (and only if) the
// transaction commits, in commit order.
func setHead(ctx context.Context, tx pgx.Tx, seq int64) error {
	for _, s := range setHeadStmts(seq) {
		if err := s.exec(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// queueSetHead queues setHead's statements in a group commit's batch.
func queueSetHead(b *pgx.Batch, seq int64) { queue(b, setHeadStmts(seq)) }

// setHeadStmts are setHead's statements.
func setHeadStmts(seq int64) []statement {
	return []statement{
		{`UPDATE change_head SET seq = $1 WHERE one`, []any{seq}},
		{`SELECT pg_notify($1, $2)`, []any{ChannelChanges, strconv.FormatInt(seq, 10)}},
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
