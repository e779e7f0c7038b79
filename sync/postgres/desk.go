package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// MaxQueue bounds the cases one queue read returns.
const MaxQueue = 500

// deskExists returns ENOTFOUND for an unknown desk.
func deskExists(ctx context.Context, q querier, id string) error {
	var one int
	err := pgx.ErrNoRows
	if check.Storable(id) {
		err = q.QueryRow(ctx, `SELECT 1 FROM desks WHERE id = $1`, id).Scan(&one)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return noDesk(id)
	}
	return err
}

// noDesk is the error of a desk id not found.
func noDesk(id string) error {
	return sportello.Errorf(sportello.ENOTFOUND, "no desk has id %s", check.Clip(id, 64))
}

// Desks returns every desk by name, those userID is a member of marked Member.
func (db *DB) Desks(ctx context.Context, userID string) ([]sportello.Desk, error) {
	if !check.Storable(userID) {
		userID = ""
	}
	rows, err := db.pool.Query(ctx, `
		SELECT d.id, d.name, EXISTS (SELECT 1 FROM desk_members m WHERE m.desk_id = d.id AND m.user_id = $1)
		FROM desks d ORDER BY d.name COLLATE "C", d.id`, userID)
	if err != nil {
		return nil, internal("desks", err)
	}
	desks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sportello.Desk, error) {
		var d sportello.Desk
		err := r.Scan(&d.ID, &d.Name, &d.Member)
		return d, err
	})
	if err != nil {
		return nil, internal("desks", err)
	}
	if desks == nil {
		desks = []sportello.Desk{}
	}
	return desks, nil
}

// Queue returns the cases at a desk's queue (escalated, taken or with the
// answer ready) at the desks userID is a member of, or at every desk when
// all is set, oldest escalation first, at most MaxQueue, each with its
// events and its citizen's name.
func (db *DB) Queue(ctx context.Context, userID string, all bool) ([]*sportello.Case, error) {
	if !check.Storable(userID) {
		userID = ""
	}
	rows, err := db.pool.Query(ctx, `
		SELECT c.id, COALESCE(c.citizen_id, ''), COALESCE(z.name, ''), COALESCE(z.language, '') FROM cases c LEFT JOIN citizens z ON z.id = c.citizen_id
		WHERE c.status IN ($1, $2, $3)
		  AND ($4 OR c.desk_id IN (SELECT desk_id FROM desk_members WHERE user_id = $5))
		ORDER BY c.escalated_at NULLS FIRST, c.id LIMIT $6`,
		string(sportello.StatusEscalated), string(sportello.StatusClaimed), string(sportello.StatusAnswerReady),
		all, userID, MaxQueue)
	if err != nil {
		return nil, internal("queue", err)
	}
	type entry struct{ id, citizenID, citizen, language string }
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (entry, error) {
		var e entry
		err := r.Scan(&e.id, &e.citizenID, &e.citizen, &e.language)
		return e, err
	})
	if err != nil {
		return nil, internal("queue", err)
	}
	cases := make([]*sportello.Case, 0, len(entries))
	if len(entries) == 0 {
		return cases, nil
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.id
	}
	// All the events in one query, not one per case.
	rows, err = db.pool.Query(ctx, `SELECT `+eventColumns+` FROM case_events WHERE case_id = ANY($1) ORDER BY case_id, position`, ids)
	if err != nil {
		return nil, internal("queue", err)
	}
	events, err := pgx.CollectRows(rows, scanEvent)
	if err != nil {
		return nil, internal("queue", err)
	}
	byCase := make(map[string][]*sportello.CaseEvent, len(ids))
	for _, e := range events {
		byCase[e.CaseID] = append(byCase[e.CaseID], e)
	}
	for _, e := range entries {
		if len(byCase[e.id]) == 0 {
			continue // purged meanwhile
		}
		c, err := sportello.Replay(e.id, e.citizenID, byCase[e.id])
		if err != nil {
			return nil, internal("queue", errors.New("replay case "+e.id+": "+err.Error()))
		}
		c.CitizenName, c.CitizenLanguage = e.citizen, e.language
		cases = append(cases, c)
	}
	return cases, nil
}

// RecordCaseEvent adds one action by actor (claimed, released, note,
// answer_ready, resolved, escalated) to a case in one transaction, as
// sync/sqlite does: allow (when set) may refuse the actor on the case as it
// is now, Case.Apply refuses an illegal transition, and the event and its
// change are written under the writers' lock. With e.ID the action is
// recorded once: a repeat returns the case as the first send left it with
// replayed true, and another action under the same id is ECONFLICT. The
// event joins the wrap-ups' group commit (groupcommit.go), in its own
// savepoint, rather than taking the writers' lock in a transaction of its
// own between theirs.
func (db *DB) RecordCaseEvent(ctx context.Context, actor *sportello.User, caseID string, e sportello.CaseEvent, allow func(*sportello.Case) error) (_ *sportello.Case, replayed bool, _ error) {
	e, digest, err := check.CaseEvent(actor, caseID, e)
	if err != nil {
		return nil, false, err
	}
	op := func() groupOp {
		return &caseEventOp{db: db, actor: actor, caseID: caseID, e: e, digest: digest, allow: allow}
	}
	res, err := db.wrapUpCommitter().Do(ctx, []wrapUpItem{{op: op}})
	if err == nil {
		err = res[0].Err
	}
	if err != nil {
		return nil, false, internal("record case event", err)
	}
	return res[0].Case, res[0].Replayed, nil
}

// caseEventOp is a case event's write in a group commit (groupcommit.go),
// as RecordCaseEvent says: it reads, in one round trip shared with the op
// before it, the op id's replay, the case with its citizen's name and the
// desk it names; then decides in Go (allow sees the case as read, under
// the writers' lock) and queues its writes, sent in one more.
type caseEventOp struct {
	db     *DB
	actor  *sportello.User
	caseID string
	e      sportello.CaseEvent
	digest []byte
	allow  func(*sportello.Case) error

	replay replayRead // e.ID sent before (groupread.go)
	taken  existsRead // an event with the id e.ID
	found  caseRead   // the case
	desk   existsRead // e.DeskID
}

// read queues what the case event needs to know.
func (o *caseEventOp) read(b *pgx.Batch) {
	o.replay, o.taken, o.found, o.desk = replayRead{}, existsRead{}, caseRead{}, existsRead{}
	if o.e.ID != "" {
		o.replay.queue(b, o.e.ID)
		o.taken.queue(b, `SELECT EXISTS (SELECT 1 FROM case_events WHERE id = $1)`, o.e.ID)
	}
	o.found.queue(b, o.caseID)
	if o.e.DeskID != "" && check.Storable(o.e.DeskID) {
		o.desk.queue(b, `SELECT EXISTS (SELECT 1 FROM desks WHERE id = $1)`, o.e.DeskID)
	}
}

// decide records the case event from what read found, queuing its writes
// in b with the seq after head.
func (o *caseEventOp) decide(b *pgx.Batch, head int64) (sportello.WrapUpResult, int64, error) {
	e, actor := o.e, o.actor // a copy: o.e stays the op as sent
	if e.ID != "" {
		c, err := o.replay.result(e.ID, check.OpCaseEvent, o.digest)
		if err != nil || c != nil {
			return sportello.WrapUpResult{Case: c, Replayed: true}, head, err
		}
		if o.taken.exists {
			return sportello.WrapUpResult{}, head, check.ReusedOpID(e.ID, check.OpCaseEvent)
		}
	} else {
		e.ID = newID()
	}
	c, err := o.found.result(o.caseID)
	if err != nil {
		return sportello.WrapUpResult{}, head, err
	}
	if o.allow != nil {
		if err := o.allow(c); err != nil {
			return sportello.WrapUpResult{}, head, err
		}
	}
	if e.DeskID != "" && !o.desk.exists {
		return sportello.WrapUpResult{}, head, noDesk(e.DeskID)
	}
	now := o.db.now()
	e.At, e.AuthorID, e.Author, e.AuthorRole = now, actor.ID, actor.Name, actor.Role
	position := len(c.Events)
	if err := c.Apply(&e); err != nil {
		return sportello.WrapUpResult{}, head, err
	}
	head++
	queue(b, []statement{
		saveCaseStmt(c, false),
		insertEventStmt(&e, position),
		changeStmt(head, now, c, &e),
		opStmt(e.ID, check.OpCaseEvent, actor, o.digest, c, now),
	})
	c.CitizenName = o.found.citizenName
	return sportello.WrapUpResult{Case: c}, head, nil
}
