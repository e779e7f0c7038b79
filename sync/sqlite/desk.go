package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// MaxQueue bounds the cases one queue read returns.
const MaxQueue = 500

// encodeOptTime stores a zero time as "", so that it sorts first and reads back as zero.
func encodeOptTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return encodeTime(t)
}

// deskExists returns ENOTFOUND for an unknown desk.
func deskExists(ctx context.Context, q queryer, id string) error {
	var n int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM desks WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return sportello.Errorf(sportello.ENOTFOUND, "no desk has id %s", check.Clip(id, 64))
	}
	return err
}

// Desks returns every desk by name, those userID is a member of marked Member.
func (db *DB) Desks(ctx context.Context, userID string) ([]sportello.Desk, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT d.id, d.name, EXISTS (SELECT 1 FROM desk_members m WHERE m.desk_id = d.id AND m.user_id = ?)
		FROM desks d ORDER BY d.name, d.id`, userID)
	if err != nil {
		return nil, internal("desks", err)
	}
	defer rows.Close()
	desks := []sportello.Desk{}
	for rows.Next() {
		var d sportello.Desk
		if err := rows.Scan(&d.ID, &d.Name, &d.Member); err != nil {
			return nil, internal("desks", err)
		}
		desks = append(desks, d)
	}
	return desks, internal("desks", rows.Err())
}

// Queue returns the cases at a desk's queue (escalated, taken or with the
// answer ready) at the desks userID is a member of, or at every desk when
// all is set, oldest escalation first, at most MaxQueue, each with its
// events and its citizen's name.
func (db *DB) Queue(ctx context.Context, userID string, all bool) ([]*sportello.Case, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT c.id, COALESCE(z.name, ''), COALESCE(z.language, '') FROM cases c LEFT JOIN citizens z ON z.id = c.citizen_id
		WHERE c.status IN (?, ?, ?)
		  AND (? OR c.desk_id IN (SELECT desk_id FROM desk_members WHERE user_id = ?))
		ORDER BY c.escalated_at, c.id LIMIT ?`,
		string(sportello.StatusEscalated), string(sportello.StatusClaimed), string(sportello.StatusAnswerReady),
		all, userID, MaxQueue)
	if err != nil {
		return nil, internal("queue", err)
	}
	type entry struct{ id, citizen, language string }
	var entries []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.id, &e.citizen, &e.language); err != nil {
			rows.Close()
			return nil, internal("queue", err)
		}
		entries = append(entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, internal("queue", err)
	}
	cases := make([]*sportello.Case, 0, len(entries))
	for _, e := range entries {
		c, err := loadCase(ctx, db.read, e.id)
		if sportello.ErrorCode(err) == sportello.ENOTFOUND {
			continue // purged meanwhile
		} else if err != nil {
			return nil, internal("queue", err)
		}
		c.CitizenName, c.CitizenLanguage = e.citizen, e.language
		cases = append(cases, c)
	}
	return cases, nil
}

// RecordCaseEvent adds one action by actor (claimed, released, note,
// answer_ready, resolved, escalated) to a case in one transaction: the
// case is read from its events, allow (when set) may refuse the actor on
// the case as it is now (the server's role and desk rules), Case.Apply
// refuses an illegal transition (a second claim is ECONFLICT "the case is
// already taken by <name>"), and the event and its change are written.
// With e.ID the action is recorded once: a repeat returns the case as the
// first send left it with replayed true, and another action under the
// same id is ECONFLICT.
func (db *DB) RecordCaseEvent(ctx context.Context, actor *sportello.User, caseID string, e sportello.CaseEvent, allow func(*sportello.Case) error) (_ *sportello.Case, replayed bool, _ error) {
	e, digest, err := check.CaseEvent(actor, caseID, e)
	if err != nil {
		return nil, false, err
	}
	// Its ctx is the group's, so a caller gone does not interrupt the
	// group's transaction.
	write := func(ctx context.Context, tx execer) (*sportello.Case, bool, error) {
		return db.recordCaseEventTx(ctx, tx, actor, caseID, e, digest, allow)
	}
	// The event joins the wrap-ups' group commit (groupcommit.go), rather
	// than waiting for the writer connection between their transactions.
	res, err := db.wrapUpCommitter().Do(ctx, []wrapUpItem{{write: write, what: "record case event"}})
	if err == nil {
		err = res[0].Err
	}
	if err != nil {
		return nil, false, internal("record case event", err)
	}
	return res[0].Case, res[0].Replayed, nil
}

// recordCaseEventTx records a case event checked by check.CaseEvent inside
// tx, as RecordCaseEvent says.
func (db *DB) recordCaseEventTx(ctx context.Context, tx execer, actor *sportello.User, caseID string, e sportello.CaseEvent, digest []byte, allow func(*sportello.Case) error) (_ *sportello.Case, replayed bool, _ error) {
	if e.ID != "" {
		c, err := replayOp(ctx, tx, e.ID, check.OpCaseEvent, digest)
		if err != nil || c != nil {
			return c, c != nil, err
		}
		var n int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM case_events WHERE id = ?`, e.ID).Scan(&n)
		if err == nil {
			return nil, false, check.ReusedOpID(e.ID, check.OpCaseEvent)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, false, err
		}
	} else {
		e.ID = newID()
	}
	c, err := loadCase(ctx, tx, caseID)
	if err != nil {
		return nil, false, err
	}
	if allow != nil {
		if err := allow(c); err != nil {
			return nil, false, err
		}
	}
	if e.DeskID != "" {
		if err := deskExists(ctx, tx, e.DeskID); err != nil {
			return nil, false, err
		}
	}
	now := db.Now().UTC()
	e.At, e.AuthorID, e.Author, e.AuthorRole = now, actor.ID, actor.Name, actor.Role
	position, was := len(c.Events), queueKeyOf(c)
	if err := c.Apply(&e); err != nil {
		return nil, false, err
	}
	if err := updateCase(ctx, tx, c, was); err != nil {
		return nil, false, err
	}
	if err := insertEvent(ctx, tx, &e, position); err != nil {
		return nil, false, err
	}
	if err := db.appendChange(ctx, tx, now, c, &e); err != nil {
		return nil, false, err
	}
	if err := recordOp(ctx, tx, e.ID, check.OpCaseEvent, actor.ID, digest, c.ID, len(c.Events), now); err != nil {
		return nil, false, err
	}
	if c.CitizenID != "" {
		if err := tx.QueryRowContext(ctx, `SELECT name FROM citizens WHERE id = ?`, c.CitizenID).Scan(&c.CitizenName); err != nil {
			return nil, false, err
		}
	}
	return c, false, nil
}
