package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// Every write of a citizen takes change_head's lock first (lockHead): the
// writers are then ordered, so that the check that a tax code is free and
// the insert that takes it cannot interleave with another node's.

// CreateCitizen registers a citizen for actor (checked and normalized by
// check.Citizen), with an audit row and a change, in one transaction. A
// resend of the same citizen under its id returns it with created false; a
// different citizen under a used id, or a tax code already registered to
// another citizen, is ECONFLICT naming the record.
func (db *DB) CreateCitizen(ctx context.Context, actor *sportello.User, c sportello.Citizen, reason string) (_ *sportello.Citizen, created bool, _ error) {
	if actor == nil {
		return nil, false, sportello.Errorf(sportello.EUNAUTHORIZED, "sign in to register a citizen")
	}
	c, err := check.Citizen(c)
	if err != nil {
		return nil, false, err
	}
	why, err := check.CitizenReason("registered the citizen", reason)
	if err != nil {
		return nil, false, err
	}
	var out *sportello.Citizen
	err = db.update(ctx, func(tx pgx.Tx) error {
		created = false
		head, err := lockHead(ctx, tx)
		if err != nil {
			return err
		}
		old, err := loadCitizenRecord(ctx, tx, c.ID)
		if err == nil {
			if !check.SameCitizen(old, &c) {
				return sportello.Errorf(sportello.ECONFLICT, "the id %s is already used by the citizen %s: make a new id for a new citizen", c.ID, old.Name)
			}
			out = old
			return nil
		} else if sportello.ErrorCode(err) != sportello.ENOTFOUND {
			return err
		}
		if err := taxCodeFree(ctx, tx, c); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO citizens (id, kind, name, tax_code, email, address, language) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			c.ID, c.Kind, c.Name, c.TaxCode, c.Email, c.Address, c.Language); err != nil {
			return err
		}
		if err := putPhones(ctx, tx, &c); err != nil {
			return err
		}
		if err := citizenWritten(ctx, tx, db.now(), &head, actor, c.ID, why); err != nil {
			return err
		}
		out, created = &c, true
		return setHead(ctx, tx, head)
	})
	if err != nil {
		return nil, false, internal("register citizen", err)
	}
	return out, created, nil
}

// UpdateCitizen saves an edit of a known citizen by actor: every field as
// given (numbers left out are removed), with an audit row and a change. A
// merged duplicate is ECONFLICT naming the survivor; an edit that changes
// nothing writes only the audit row.
func (db *DB) UpdateCitizen(ctx context.Context, actor *sportello.User, c sportello.Citizen, reason string) (*sportello.Citizen, error) {
	if actor == nil {
		return nil, sportello.Errorf(sportello.EUNAUTHORIZED, "sign in to edit a citizen")
	}
	if c.ID == "" {
		return nil, sportello.Errorf(sportello.EINVALID, "id: name the citizen to edit")
	}
	c, err := check.Citizen(c)
	if err != nil {
		return nil, err
	}
	why, err := check.CitizenReason("edited the citizen", reason)
	if err != nil {
		return nil, err
	}
	err = db.update(ctx, func(tx pgx.Tx) error {
		head, err := lockHead(ctx, tx)
		if err != nil {
			return err
		}
		old, err := loadCitizenRecord(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if old.MergedInto != "" {
			return check.MergedCitizen(old)
		}
		if check.SameCitizen(old, &c) {
			return citizenAudit(ctx, tx, db.now(), actor, c.ID, why)
		}
		if err := taxCodeFree(ctx, tx, c); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE citizens SET kind = $1, name = $2, tax_code = $3, email = $4, address = $5, language = $6 WHERE id = $7`,
			c.Kind, c.Name, c.TaxCode, c.Email, c.Address, c.Language, c.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM citizen_phones WHERE citizen_id = $1`, c.ID); err != nil {
			return err
		}
		if err := putPhones(ctx, tx, &c); err != nil {
			return err
		}
		if err := citizenWritten(ctx, tx, db.now(), &head, actor, c.ID, why); err != nil {
			return err
		}
		return setHead(ctx, tx, head)
	})
	if err != nil {
		return nil, internal("edit citizen", err)
	}
	return &c, nil
}

// SearchCitizens finds citizens for actor by tax code, by number or by a
// part of the name, at most sportello.MaxCitizenSearch, merged duplicates
// left out; each citizen found is audited as read, with the reason.
func (db *DB) SearchCitizens(ctx context.Context, actor *sportello.User, query, reason string) ([]sportello.Citizen, error) {
	if actor == nil {
		return nil, sportello.Errorf(sportello.EUNAUTHORIZED, "sign in to search citizens")
	}
	q, err := check.CitizenQuery(query)
	if err != nil {
		return nil, err
	}
	why, err := check.Reason(reason)
	if err != nil {
		return nil, err
	}
	var ids []string
	switch {
	case q.TaxCode != "":
		ids, err = db.strings(ctx, "search citizens", `SELECT id FROM citizens WHERE tax_code = $1 AND merged_into = '' ORDER BY name, id LIMIT $2`, q.TaxCode, sportello.MaxCitizenSearch)
	case q.Number != "":
		ids, err = db.strings(ctx, "search citizens", `
			SELECT DISTINCT p.citizen_id FROM citizen_phones p JOIN citizens c ON c.id = p.citizen_id
			WHERE p.number = $1 AND c.merged_into = '' ORDER BY p.citizen_id LIMIT $2`, q.Number, sportello.MaxCitizenSearch)
	default:
		ids, err = db.strings(ctx, "search citizens", `SELECT id FROM citizens WHERE strpos(lower(name), $1) > 0 AND merged_into = '' ORDER BY name, id LIMIT $2`,
			strings.ToLower(q.Name), sportello.MaxCitizenSearch)
	}
	if err != nil {
		return nil, err
	}
	found := []sportello.Citizen{}
	err = db.update(ctx, func(tx pgx.Tx) error {
		found = found[:0]
		for _, id := range ids {
			c, err := loadCitizenRecord(ctx, tx, id)
			if sportello.ErrorCode(err) == sportello.ENOTFOUND {
				continue
			} else if err != nil {
				return err
			}
			if err := citizenAudit(ctx, tx, db.now(), actor, id, "search: "+why); err != nil {
				return err
			}
			found = append(found, *c)
		}
		return nil
	})
	if err != nil {
		return nil, internal("search citizens", err)
	}
	return found, nil
}

// MergeCitizens merges the duplicate citizen into the kept one for actor,
// in one transaction: the duplicate's cases, callbacks, appointments,
// first-contact facts, audit rows and numbers move to the kept citizen,
// which also takes the tax code, email and address it lacks; the
// duplicate stays as a tombstone (MergedInto), and an audit row records
// who merged. A repeat of a merge done returns the survivor and writes
// nothing. Two citizens with different tax codes or kinds are not one:
// ECONFLICT.
func (db *DB) MergeCitizens(ctx context.Context, actor *sportello.User, keepID, duplicateID, reason string) (*sportello.Citizen, error) {
	if err := check.Merge(actor, keepID, duplicateID); err != nil {
		return nil, err
	}
	why, err := check.CitizenReason("merged the citizen "+duplicateID+" into this record", reason)
	if err != nil {
		return nil, err
	}
	var out *sportello.Citizen
	err = db.update(ctx, func(tx pgx.Tx) error {
		head, err := lockHead(ctx, tx)
		if err != nil {
			return err
		}
		keep, err := loadCitizenRecord(ctx, tx, keepID)
		if err != nil {
			return err
		}
		dup, err := loadCitizenRecord(ctx, tx, duplicateID)
		if err != nil {
			return err
		}
		if dup.MergedInto == keep.ID {
			out = keep // done before: nothing to do
			return nil
		}
		merged, err := check.MergedRecord(keep, dup)
		if err != nil {
			return err
		}
		now := db.now()
		for _, table := range check.CitizenRefTables {
			if _, err := tx.Exec(ctx, `UPDATE `+table+` SET citizen_id = $1 WHERE citizen_id = $2`, keep.ID, dup.ID); err != nil {
				return err
			}
		}
		// Earlier tombstones of the duplicate now point at the survivor:
		// one hop always leads to a live citizen.
		if _, err := tx.Exec(ctx, `UPDATE citizens SET merged_into = $1 WHERE merged_into = $2`, keep.ID, dup.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE citizens SET merged_into = $1, merged_at = $2, merged_by = $3 WHERE id = $4`, keep.ID, now, actor.ID, dup.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE citizens SET tax_code = $1, email = $2, address = $3 WHERE id = $4`,
			merged.TaxCode, merged.Email, merged.Address, keep.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM citizen_phones WHERE citizen_id IN ($1, $2)`, keep.ID, dup.ID); err != nil {
			return err
		}
		if err := putPhones(ctx, tx, merged); err != nil {
			return err
		}
		if err := citizenWritten(ctx, tx, now, &head, actor, keep.ID, why); err != nil {
			return err
		}
		head++
		if err := appendCitizenChange(ctx, tx, head, now, dup.ID); err != nil {
			return err
		}
		out = merged
		return setHead(ctx, tx, head)
	})
	if err != nil {
		return nil, internal("merge citizens", err)
	}
	return out, nil
}

// loadCitizenRecord returns a citizen with its phones and, for a merged
// duplicate, the survivor's id; ENOTFOUND when there is none.
func loadCitizenRecord(ctx context.Context, q querier, id string) (*sportello.Citizen, error) {
	if !check.Storable(id) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no citizen has id %s", check.Clip(id, 40))
	}
	c, err := loadCitizen(ctx, q, id)
	if err != nil {
		return nil, err
	}
	err = q.QueryRow(ctx, `SELECT merged_into FROM citizens WHERE id = $1`, id).Scan(&c.MergedInto)
	return c, err
}

// noCitizen is the error of a citizen id not found.
func noCitizen(id string) error {
	return sportello.Errorf(sportello.ENOTFOUND, "no citizen has id %s", check.Clip(id, 40))
}

// taxCodeFree refuses a tax code that another live citizen has.
func taxCodeFree(ctx context.Context, tx pgx.Tx, c sportello.Citizen) error {
	if c.TaxCode == "" {
		return nil
	}
	var id, name string
	err := tx.QueryRow(ctx, `SELECT id, name FROM citizens WHERE tax_code = $1 AND id <> $2 AND merged_into = '' ORDER BY id LIMIT 1`, c.TaxCode, c.ID).Scan(&id, &name)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	return check.TaxCodeTaken(c.TaxCode, id, name)
}

// putPhones stores a citizen's numbers in order, with their labels.
func putPhones(ctx context.Context, tx pgx.Tx, c *sportello.Citizen) error {
	for i, n := range c.Phones {
		if _, err := tx.Exec(ctx, `INSERT INTO citizen_phones (citizen_id, position, number, label) VALUES ($1, $2, $3, $4)`, c.ID, i, n, c.PhoneLabel(i)); err != nil {
			return err
		}
	}
	return nil
}

// citizenWritten records a write of a citizen's record: the audit row and
// the change (seq *head+1, which it advances).
func citizenWritten(ctx context.Context, tx pgx.Tx, now time.Time, head *int64, actor *sportello.User, id, why string) error {
	if err := citizenAudit(ctx, tx, now, actor, id, why); err != nil {
		return err
	}
	*head++
	return appendCitizenChange(ctx, tx, *head, now, id)
}

// citizenAudit adds an audit row: actor used the citizen's record, why.
func citizenAudit(ctx context.Context, tx pgx.Tx, now time.Time, actor *sportello.User, id, why string) error {
	_, err := tx.Exec(ctx, `INSERT INTO audit (at, user_id, citizen_id, number, reason) VALUES ($1, $2, $3, '', $4)`, now, actor.ID, id, why)
	return err
}

// appendCitizenChange appends the change of seq for a citizen's record.
func appendCitizenChange(ctx context.Context, tx pgx.Tx, seq int64, now time.Time, id string) error {
	_, err := tx.Exec(ctx, `INSERT INTO changes (seq, at, kind, citizen_id) VALUES ($1, $2, $3, $4)`, seq, now, sportello.ChangeKindCitizen, id)
	return err
}
