package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// ReplyCase returns a case with its events and its citizen (nil for a case
// without one), for a reply to that citizen.
func (db *DB) ReplyCase(ctx context.Context, caseID string) (*sportello.Case, *sportello.Citizen, error) {
	c, err := loadCase(ctx, db.read, caseID)
	if err != nil {
		return nil, nil, internal("reply case", err)
	}
	if c.CitizenID == "" {
		return c, nil, nil
	}
	ci, err := loadCitizen(ctx, db.read, c.CitizenID)
	if err != nil {
		return nil, nil, internal("reply case", err)
	}
	c.CitizenName = ci.Name
	return c, ci, nil
}

// RecordReply adds a replied event by actor to a case, or a
// callback_scheduled event with the callback cb it promises, in one
// transaction: allow (when set) may refuse the actor on the case as
// stored, Case.Apply refuses an illegal transition, and the event, its
// change and the callback are written. Outcome, Number and Note of e are
// kept (channel, recipient, text). With e.ID a repeat by the same author
// returns the case and the event as first recorded, with replayed true.
func (db *DB) RecordReply(ctx context.Context, actor *sportello.User, caseID string, e sportello.CaseEvent, cb *sportello.Callback, allow func(*sportello.Case) error) (_ *sportello.Case, _ *sportello.CaseEvent, replayed bool, _ error) {
	e, err := check.ReplyEvent(actor, caseID, e, cb)
	if err != nil {
		return nil, nil, false, err
	}
	var result *sportello.Case
	var recorded *sportello.CaseEvent
	err = db.update(ctx, func(tx *sql.Tx) error {
		if e.ID != "" {
			var kind, authorID, onCase string
			err := tx.QueryRowContext(ctx, `SELECT kind, author_id, case_id FROM case_events WHERE id = ?`, e.ID).Scan(&kind, &authorID, &onCase)
			if err == nil {
				if kind != string(e.Kind) || authorID != actor.ID || onCase != caseID {
					return check.ReusedOpID(e.ID, string(e.Kind))
				}
				c, err := loadCase(ctx, tx, caseID)
				if err != nil {
					return err
				}
				result, recorded, replayed = c, check.EventByID(c, e.ID), true
				return nil
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		} else {
			e.ID = newID()
		}
		c, err := loadCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if allow != nil {
			if err := allow(c); err != nil {
				return err
			}
		}
		now := db.Now().UTC()
		e.At, e.AuthorID, e.Author, e.AuthorRole = now, actor.ID, actor.Name, actor.Role
		position := len(c.Events)
		ev := e
		if err := c.Apply(&ev); err != nil {
			return err
		}
		if err := saveCase(ctx, tx, c, false); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, &ev, position); err != nil {
			return err
		}
		if err := db.appendChange(ctx, tx, now, c, &ev); err != nil {
			return err
		}
		if cb != nil {
			if err := insertCallback(ctx, tx, check.ReplyCallback(cb, c, &ev)); err != nil {
				return err
			}
		}
		if c.CitizenID != "" {
			if err := tx.QueryRowContext(ctx, `SELECT name FROM citizens WHERE id = ?`, c.CitizenID).Scan(&c.CitizenName); err != nil {
				return err
			}
		}
		result, recorded = c, &ev
		return nil
	})
	if err != nil {
		return nil, nil, false, internal("record reply", err)
	}
	return result, recorded, replayed, nil
}
