package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

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
	err = db.update(ctx, func(tx *sql.Tx) error {
		created = false
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO citizens (id, kind, name, tax_code, email, address, language) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.Kind, c.Name, c.TaxCode, c.Email, c.Address, c.Language); err != nil {
			return err
		}
		if err := putPhones(ctx, tx, &c); err != nil {
			return err
		}
		if err := db.citizenWritten(ctx, tx, db.now(), actor, c.ID, why); err != nil {
			return err
		}
		out, created = &c, true
		return nil
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
	err = db.update(ctx, func(tx *sql.Tx) error {
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
		if _, err := tx.ExecContext(ctx, `UPDATE citizens SET kind = ?, name = ?, tax_code = ?, email = ?, address = ?, language = ? WHERE id = ?`,
			c.Kind, c.Name, c.TaxCode, c.Email, c.Address, c.Language, c.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM citizen_phones WHERE citizen_id = ?`, c.ID); err != nil {
			return err
		}
		if err := putPhones(ctx, tx, &c); err != nil {
			return err
		}
		return db.citizenWritten(ctx, tx, db.now(), actor, c.ID, why)
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
	var rows *sql.Rows
	switch {
	case q.TaxCode != "":
		rows, err = db.read.QueryContext(ctx, `SELECT id FROM citizens WHERE tax_code = ? AND merged_into = '' ORDER BY name, id LIMIT ?`, q.TaxCode, sportello.MaxCitizenSearch)
	case q.Number != "":
		rows, err = db.read.QueryContext(ctx, `
			SELECT DISTINCT p.citizen_id FROM citizen_phones p JOIN citizens c ON c.id = p.citizen_id
			WHERE p.number = ? AND c.merged_into = '' ORDER BY p.citizen_id LIMIT ?`, q.Number, sportello.MaxCitizenSearch)
	default:
		rows, err = db.read.QueryContext(ctx, `SELECT id FROM citizens WHERE instr(lower(name), ?) > 0 AND merged_into = '' ORDER BY name, id LIMIT ?`,
			strings.ToLower(q.Name), sportello.MaxCitizenSearch)
	}
	if err != nil {
		return nil, internal("search citizens", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, internal("search citizens", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, internal("search citizens", err)
	}
	found := []sportello.Citizen{}
	err = db.update(ctx, func(tx *sql.Tx) error {
		found = found[:0]
		for _, id := range ids {
			c, err := loadCitizenRecord(ctx, tx, id)
			if errors.Is(err, sql.ErrNoRows) || sportello.ErrorCode(err) == sportello.ENOTFOUND {
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
	err = db.update(ctx, func(tx *sql.Tx) error {
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
			if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET citizen_id = ? WHERE citizen_id = ?`, keep.ID, dup.ID); err != nil {
				return err
			}
		}
		// Earlier tombstones of the duplicate now point at the survivor:
		// one hop always leads to a live citizen.
		if _, err := tx.ExecContext(ctx, `UPDATE citizens SET merged_into = ? WHERE merged_into = ?`, keep.ID, dup.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE citizens SET merged_into = ?, merged_at = ?, merged_by = ? WHERE id = ?`, keep.ID, now, actor.ID, dup.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE citizens SET tax_code = ?, email = ?, address = ? WHERE id = ?`,
			merged.TaxCode, merged.Email, merged.Address, keep.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM citizen_phones WHERE citizen_id IN (?, ?)`, keep.ID, dup.ID); err != nil {
			return err
		}
		if err := putPhones(ctx, tx, merged); err != nil {
			return err
		}
		if err := db.citizenWritten(ctx, tx, now, actor, keep.ID, why); err != nil {
			return err
		}
		if err := db.appendCitizenChange(ctx, tx, now, dup.ID); err != nil {
			return err
		}
		out = merged
		return nil
	})
	if err != nil {
		return nil, internal("merge citizens", err)
	}
	return out, nil
}

// loadCitizenRecord returns a citizen with its phones and, for a merged
// duplicate, the survivor's id; ENOTFOUND when there is none.
func loadCitizenRecord(ctx context.Context, q queryer, id string) (*sportello.Citizen, error) {
	if !check.Storable(id) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no citizen has id %s", check.Clip(id, 40))
	}
	c, err := loadCitizen(ctx, q, id)
	if err != nil {
		return nil, err
	}
	err = q.QueryRowContext(ctx, `SELECT merged_into FROM citizens WHERE id = ?`, id).Scan(&c.MergedInto)
	return c, err
}

// liveCitizen returns the id of the citizen a reference leads to: the
// citizen itself, or the survivor a merged duplicate names; ENOTFOUND
// when there is none. A wrap-up sent from an outbox after a merge so
// lands on the survivor.
func liveCitizen(ctx context.Context, q queryer, id string) (string, error) {
	var into string
	err := q.QueryRowContext(ctx, `SELECT merged_into FROM citizens WHERE id = ?`, id).Scan(&into)
	if errors.Is(err, sql.ErrNoRows) {
		return "", sportello.Errorf(sportello.ENOTFOUND, "no citizen has id %s", check.Clip(id, 40))
	} else if err != nil {
		return "", err
	}
	if into != "" {
		return into, nil
	}
	return id, nil
}

// taxCodeFree refuses a tax code that another live citizen has.
func taxCodeFree(ctx context.Context, tx *sql.Tx, c sportello.Citizen) error {
	if c.TaxCode == "" {
		return nil
	}
	var id, name string
	err := tx.QueryRowContext(ctx, `SELECT id, name FROM citizens WHERE tax_code = ? AND id <> ? AND merged_into = '' ORDER BY id LIMIT 1`, c.TaxCode, c.ID).Scan(&id, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	return check.TaxCodeTaken(c.TaxCode, id, name)
}

// putPhones stores a citizen's numbers in order, with their labels.
func putPhones(ctx context.Context, tx *sql.Tx, c *sportello.Citizen) error {
	for i, n := range c.Phones {
		if _, err := tx.ExecContext(ctx, `INSERT INTO citizen_phones (citizen_id, position, number, label) VALUES (?, ?, ?, ?)`, c.ID, i, n, c.PhoneLabel(i)); err != nil {
			return err
		}
	}
	return nil
}

// citizenWritten records a write of a citizen's record: the audit row and
// the change.
func (db *DB) citizenWritten(ctx context.Context, tx *sql.Tx, now string, actor *sportello.User, id, why string) error {
	if err := citizenAudit(ctx, tx, now, actor, id, why); err != nil {
		return err
	}
	return db.appendCitizenChange(ctx, tx, now, id)
}

// citizenAudit adds an audit row: actor used the citizen's record, why.
func citizenAudit(ctx context.Context, tx *sql.Tx, now string, actor *sportello.User, id, why string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit (at, user_id, citizen_id, number, reason) VALUES (?, ?, ?, '', ?)`, now, actor.ID, id, why)
	return err
}

// appendCitizenChange appends a change of a citizen's record to the feed,
// noted for the tail (tail.go).
func (db *DB) appendCitizenChange(ctx context.Context, tx *sql.Tx, now, id string) error {
	ch := sportello.Change{Kind: sportello.ChangeKindCitizen, CitizenID: id}
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO changes (seq, at, kind, citizen_id)
		SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM changes RETURNING seq`, now, ch.Kind, id).Scan(&ch.Seq); err != nil {
		return err
	}
	var err error
	if ch.At, err = decodeTime(now); err != nil {
		return err
	}
	db.tail.note(ch)
	return nil
}
