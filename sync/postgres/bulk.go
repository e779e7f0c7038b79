package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
)

// DefaultBulkBatch is how many rows a Bulk copies per transaction.
const DefaultBulkBatch = 200_000

// Bulk loads generated data (cmd/loadgen's big city) with COPY, in large
// transactions, tables in the order their foreign keys need. Like Seed,
// loaded cases add nothing to the change log. Rows are written as given:
// cases already replayed (their derived state is stored), phones in E.164.
type Bulk struct {
	// Batch is how many rows go in one transaction.
	Batch int

	db   *DB
	ctx  context.Context
	rows map[string][][]any
	n    int
}

// bulkTables are the tables a Bulk copies into, in foreign-key order, with
// their columns.
var bulkTables = []struct {
	name    string
	columns []string
}{
	{"desks", []string{"id", "name"}},
	{"users", []string{"id", "username", "name", "role", "password_hash", "created_at"}},
	{"desk_members", []string{"user_id", "desk_id"}},
	{"citizens", []string{"id", "kind", "name", "tax_code", "email", "address"}},
	{"citizen_phones", []string{"citizen_id", "position", "number"}},
	{"cases", []string{"id", "citizen_id", "category", "subject", "status", "desk_id", "claimed_by", "opened_at", "updated_at", "escalated_at"}},
	{"case_events", []string{"id", "case_id", "position", "kind", "at", "author_id", "author", "author_role", "call_id", "number", "outcome", "desk_id", "category", "note", "channel"}},
}

// Bulk starts a bulk load; Close copies what is left.
func (db *DB) Bulk(ctx context.Context) (*Bulk, error) {
	return &Bulk{Batch: DefaultBulkBatch, db: db, ctx: ctx, rows: make(map[string][][]any)}, nil
}

func (b *Bulk) add(table string, row ...any) {
	b.rows[table] = append(b.rows[table], row)
	b.n++
}

// Flush copies the rows held so far in one transaction.
func (b *Bulk) Flush() error {
	if b.n == 0 {
		return nil
	}
	err := b.db.update(b.ctx, func(tx pgx.Tx) error {
		for _, t := range bulkTables {
			rows := b.rows[t.name]
			if len(rows) == 0 {
				continue
			}
			if _, err := tx.CopyFrom(b.ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(rows)); err != nil {
				return err
			}
		}
		return nil
	})
	clear(b.rows)
	b.n = 0
	return internal("bulk load", err)
}

func (b *Bulk) maybeFlush() error {
	if b.n < b.Batch {
		return nil
	}
	return b.Flush()
}

// HasUser reports whether a username is taken (among committed users).
func (b *Bulk) HasUser(username string) (bool, error) {
	var n int
	err := b.db.pool.QueryRow(b.ctx, `SELECT COUNT(*) FROM users WHERE username = $1`, username).Scan(&n)
	return n > 0, internal("bulk load", err)
}

// User stores a user with a password hash already made (sync/password),
// so that thousands of users cost one hash, and makes it a member of desks.
func (b *Bulk) User(u *sportello.User, passwordHash string, desks []string) error {
	b.add("users", u.ID, u.Username, u.Name, string(u.Role), passwordHash, b.db.now())
	for _, d := range desks {
		b.add("desk_members", u.ID, d)
	}
	return b.maybeFlush()
}

// Desk stores a desk; its id must be new.
func (b *Bulk) Desk(d sportello.Desk) error {
	b.add("desks", d.ID, d.Name)
	return nil
}

// Citizen stores a citizen and its phones, which must be E.164 already.
func (b *Bulk) Citizen(c *sportello.Citizen) error {
	b.add("citizens", c.ID, string(c.Kind), c.Name, c.TaxCode, c.Email, c.Address)
	for i, p := range c.Phones {
		b.add("citizen_phones", c.ID, int32(i), p)
	}
	return b.maybeFlush()
}

// Case stores a case row, with the state its events give, and its events.
func (b *Bulk) Case(c *sportello.Case) error {
	b.add("cases", c.ID, nullString(c.CitizenID), c.Category, c.Subject, string(c.Status), c.DeskID, c.ClaimedBy,
		c.OpenedAt.UTC(), c.UpdatedAt.UTC(), optTime(c.EscalatedAt))
	for i, e := range c.Events {
		b.add("case_events", e.ID, c.ID, int32(i), string(e.Kind), e.At.UTC(), e.AuthorID, e.Author, string(e.AuthorRole),
			e.CallID, e.Number, string(e.Outcome), e.DeskID, e.Category, e.Note, string(e.Channel))
	}
	return b.maybeFlush()
}

// Close copies what is left and refreshes the planner's statistics.
func (b *Bulk) Close() error {
	if err := b.Flush(); err != nil {
		return err
	}
	_, err := b.db.pool.Exec(context.WithoutCancel(b.ctx), `ANALYZE`)
	return internal("bulk load", err)
}
