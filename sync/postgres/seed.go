package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/password"
)

// IsEmpty reports whether the store holds no citizens yet.
func (db *DB) IsEmpty(ctx context.Context) (bool, error) {
	var some bool
	if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM citizens)`).Scan(&some); err != nil {
		return false, internal("is empty", err)
	}
	return !some, nil
}

// Seed loads the demo city in one transaction when the store holds no
// citizens, and does nothing otherwise, so that it is safe on every start
// of every node (the writers' lock orders nodes starting together). Users
// whose username already exists are kept as they are. Seeded cases are the
// starting state, not changes.
func (db *DB) Seed(ctx context.Context, d *demo.Data) error {
	// Hash outside the transaction: argon2id takes a while per user.
	hashes := make([]string, len(d.Users))
	for i, u := range d.Users {
		if err := check.User(&u.User); err != nil {
			return fmt.Errorf("seed user %s: %w", u.Username, err)
		}
		h, err := password.Hash(u.Password)
		if err != nil {
			return internal("seed", err)
		}
		hashes[i] = h
	}
	return db.update(ctx, func(tx pgx.Tx) error {
		if _, err := lockHead(ctx, tx); err != nil {
			return internal("seed", err)
		}
		var some bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM citizens)`).Scan(&some); err != nil {
			return internal("seed", err)
		}
		if some {
			return nil
		}
		for i := range d.Users {
			u := d.Users[i].User
			err := db.insertUser(ctx, tx, &u, hashes[i])
			if sportello.ErrorCode(err) == sportello.ECONFLICT {
				continue
			} else if err != nil {
				return fmt.Errorf("seed user %s: %w", u.Username, err)
			}
		}
		var batch pgx.Batch
		for _, k := range d.Desks {
			batch.Queue(`INSERT INTO desks (id, name) VALUES ($1, $2)`, k.ID, k.Name)
		}
		for _, o := range d.Offices {
			batch.Queue(`INSERT INTO offices (id, name, address, hours, phone) VALUES ($1, $2, $3, $4, $5)`, o.ID, o.Name, o.Address, o.Hours, o.Phone)
		}
		// The demo data does not say who works which desk: its specialists
		// work them all, so that the demo's specialist has a queue.
		for _, u := range d.Users {
			if u.Role != sportello.RoleSpecialist {
				continue
			}
			for _, k := range d.Desks {
				batch.Queue(`INSERT INTO desk_members (user_id, desk_id) SELECT id, $1 FROM users WHERE username = $2 ON CONFLICT DO NOTHING`, k.ID, u.Username)
			}
		}
		for _, e := range d.Directory {
			q, args, err := directoryRow(e, db.now())
			if err != nil {
				return fmt.Errorf("seed directory entry %s: %w", e.ID, err)
			}
			batch.Queue(q, args...)
		}
		for _, c := range d.Citizens {
			batch.Queue(`INSERT INTO citizens (id, kind, name, tax_code, email, address) VALUES ($1, $2, $3, $4, $5, $6)`,
				c.ID, string(c.Kind), c.Name, c.TaxCode, c.Email, c.Address)
			for i, p := range c.Phones {
				n, err := check.Number(p)
				if err != nil {
					return fmt.Errorf("seed citizen %s: %w", c.ID, err)
				}
				batch.Queue(`INSERT INTO citizen_phones (citizen_id, position, number) VALUES ($1, $2, $3)`, c.ID, i, n)
			}
		}
		for _, k := range d.Cases {
			c, err := sportello.Replay(k.ID, k.CitizenID, k.Events)
			if err != nil {
				return fmt.Errorf("seed case %s: %w", k.ID, err)
			}
			batch.Queue(`
				INSERT INTO cases (id, citizen_id, category, subject, status, desk_id, claimed_by, opened_at, updated_at, escalated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				c.ID, nullString(c.CitizenID), c.Category, c.Subject, string(c.Status), c.DeskID, c.ClaimedBy,
				c.OpenedAt.UTC(), c.UpdatedAt.UTC(), optTime(c.EscalatedAt))
			for i, e := range c.Events {
				batch.Queue(`
					INSERT INTO case_events (id, case_id, position, kind, at, author_id, author, author_role, call_id, number, outcome, desk_id, category, note, channel)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
					e.ID, e.CaseID, i, string(e.Kind), e.At.UTC(), e.AuthorID, e.Author, string(e.AuthorRole), e.CallID, e.Number,
					string(e.Outcome), e.DeskID, e.Category, e.Note, string(e.Channel))
			}
		}
		if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
			return internal("seed", err)
		}
		if err := putKB(ctx, tx, db.now(), d.KB); err != nil {
			return fmt.Errorf("seed knowledge base: %w", err)
		}
		if err := seedOpen311(ctx, tx, d, db.now()); err != nil { // open311.go
			return err
		}
		if err := putOfficeServices(ctx, tx, d.Services); err != nil {
			return fmt.Errorf("seed office services: %w", err)
		}
		return db.seedWrapUpFacts(ctx, tx) // fcr.go
	})
}
