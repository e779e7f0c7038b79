package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/check"
)

// IsEmpty reports whether the store holds no citizens yet.
func (db *DB) IsEmpty(ctx context.Context) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM citizens)`).Scan(&n); err != nil {
		return false, internal("is empty", err)
	}
	return n == 0, nil
}

// Seed loads the demo city in one transaction when the store holds no
// citizens, and does nothing otherwise, so that it is safe on every start.
// Users whose username already exists are kept as they are. Seeded cases
// are the starting state, not changes: they add nothing to the change log
// (desktops read them with the caller's card).
func (db *DB) Seed(ctx context.Context, d *demo.Data) error {
	return db.update(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM citizens)`).Scan(&n); err != nil {
			return internal("seed", err)
		}
		if n > 0 {
			return nil
		}
		for i := range d.Users {
			u := d.Users[i].User
			if err := check.User(&u); err != nil {
				return fmt.Errorf("seed user %s: %w", u.Username, err)
			}
			err := db.insertUser(ctx, tx, &u, d.Users[i].Password)
			if sportello.ErrorCode(err) == sportello.ECONFLICT {
				continue
			} else if err != nil {
				return fmt.Errorf("seed user %s: %w", u.Username, err)
			}
		}
		for _, k := range d.Desks {
			if _, err := tx.ExecContext(ctx, `INSERT INTO desks (id, name) VALUES (?, ?)`, k.ID, k.Name); err != nil {
				return internal("seed desk "+k.ID, err)
			}
		}
		if err := putKB(ctx, tx, db.Now().UTC(), d.KB); err != nil {
			return fmt.Errorf("seed knowledge base: %w", err)
		}
		for _, o := range d.Offices {
			if _, err := tx.ExecContext(ctx, `INSERT INTO offices (id, name, address, hours, phone) VALUES (?, ?, ?, ?, ?)`,
				o.ID, o.Name, o.Address, o.Hours, o.Phone); err != nil {
				return internal("seed office "+o.ID, err)
			}
		}
		if err := putOfficeServices(ctx, tx, d.Services); err != nil {
			return fmt.Errorf("seed office services: %w", err)
		}
		// The demo data does not say who works which desk: its specialists
		// work them all, so that the demo's specialist has a queue.
		for _, u := range d.Users {
			if u.Role != sportello.RoleSpecialist {
				continue
			}
			for _, k := range d.Desks {
				if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO desk_members (user_id, desk_id) SELECT id, ? FROM users WHERE username = ?`, k.ID, u.Username); err != nil {
					return internal("seed desk member", err)
				}
			}
		}
		if err := putDirectory(ctx, tx, db.Now().UTC(), d.Directory); err != nil {
			return internal("seed directory", err)
		}
		if err := seedOpen311(ctx, tx, d, db.Now().UTC()); err != nil { // open311.go
			return err
		}
		for _, c := range d.Citizens {
			if err := insertCitizen(ctx, tx, c); err != nil {
				return err
			}
		}
		for _, c := range d.Cases {
			if err := seedCase(ctx, tx, c); err != nil {
				return err
			}
		}
		return db.seedWrapUpFacts(ctx, tx) // fcr.go
	})
}

// insertCitizen stores a citizen and its phones in E.164 form.
func insertCitizen(ctx context.Context, tx *sql.Tx, c sportello.Citizen) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO citizens (id, kind, name, tax_code, email, address) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, string(c.Kind), c.Name, c.TaxCode, c.Email, c.Address); err != nil {
		return internal("seed citizen "+c.ID, err)
	}
	for i, p := range c.Phones {
		n, err := check.Number(p)
		if err != nil {
			return fmt.Errorf("seed citizen %s: %w", c.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO citizen_phones (citizen_id, position, number) VALUES (?, ?, ?)`, c.ID, i, n); err != nil {
			return internal("seed citizen "+c.ID, err)
		}
	}
	return nil
}

// seedCase checks a case's events with Replay, then stores it.
func seedCase(ctx context.Context, tx *sql.Tx, k *sportello.Case) error {
	c, err := sportello.Replay(k.ID, k.CitizenID, k.Events)
	if err != nil {
		return fmt.Errorf("seed case %s: %w", k.ID, err)
	}
	if err := saveCase(ctx, tx, c, true); err != nil {
		return internal("seed case "+c.ID, err)
	}
	for i, e := range c.Events {
		if err := insertEvent(ctx, tx, e, i); err != nil {
			return internal("seed case "+c.ID, err)
		}
	}
	return nil
}
