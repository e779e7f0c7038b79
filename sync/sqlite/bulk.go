package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/sportello/sportello"
)

// DefaultBulkBatch is how many rows a Bulk writes per transaction.
const DefaultBulkBatch = 200_000

// bulkRows is how many rows one INSERT statement of a Bulk carries: the
// cost of a statement through database/sql is paid once per bulkRows rows.
const bulkRows = 64

// Bulk loads generated data (cmd/loadgen's big city) straight into the
// tables: multi-row INSERTs in large transactions on the writer
// connection, with synchronous off, foreign keys unchecked and a large
// page cache while it runs. It is fast and not crash-safe: a crash during
// a load leaves a file to throw away. Like Seed, loaded cases add nothing
// to the change log. Rows are written as given: the caller hands cases
// already replayed (their derived state is stored), phones in E.164 form,
// and references that hold.
type Bulk struct {
	// Batch is how many rows go in one transaction.
	Batch int

	db     *DB
	ctx    context.Context
	conn   *sql.Conn
	tx     *sql.Tx
	tables map[string]*bulkTable
	rows   int
}

// bulkTable buffers the rows of one table until a statement's worth.
type bulkTable struct {
	insert  string // INSERT ... VALUES without the value lists
	columns int
	args    []any
	n       int
	full    *sql.Stmt // bulkRows rows, prepared in the current transaction
}

// bulkOrder lists the tables in the order their rows are written at a
// flush, parents first.
var bulkOrder = []string{"desks", "users", "desk_members", "citizens", "citizen_phones", "cases", "case_events"}

var bulkInserts = map[string]string{
	"desks":          `INSERT OR IGNORE INTO desks (id, name)`,
	"users":          `INSERT INTO users (id, username, name, role, password_hash, created_at)`,
	"desk_members":   `INSERT OR IGNORE INTO desk_members (user_id, desk_id)`,
	"citizens":       `INSERT INTO citizens (id, kind, name, tax_code, email, address)`,
	"citizen_phones": `INSERT INTO citizen_phones (citizen_id, position, number)`,
	"cases":          `INSERT INTO cases (id, citizen_id, category, subject, status, desk_id, claimed_by, opened_at, updated_at, escalated_at)`,
	"case_events":    `INSERT INTO case_events (id, case_id, position, kind, at, author_id, author, author_role, call_id, number, outcome, desk_id, category, note, channel)`,
}

// Bulk starts a bulk load; Close commits it and restores the connection's
// settings. Nothing else may write to the store until then.
func (db *DB) Bulk(ctx context.Context) (*Bulk, error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, internal("bulk load", err)
	}
	for _, p := range []string{`PRAGMA synchronous = OFF`, `PRAGMA foreign_keys = OFF`, `PRAGMA cache_size = -1048576`, `PRAGMA temp_store = MEMORY`} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			conn.Close()
			return nil, internal("bulk load", err)
		}
	}
	b := &Bulk{Batch: DefaultBulkBatch, db: db, ctx: ctx, conn: conn, tables: make(map[string]*bulkTable)}
	for name, insert := range bulkInserts {
		b.tables[name] = &bulkTable{insert: insert, columns: strings.Count(insert, ",") + 1}
	}
	return b, nil
}

// statement returns an INSERT of n rows into t.
func (t *bulkTable) statement(n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", t.columns), ",") + ")"
	return t.insert + " VALUES " + strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

func (b *Bulk) begin() error {
	if b.tx != nil {
		return nil
	}
	tx, err := b.conn.BeginTx(b.ctx, nil)
	if err != nil {
		return err
	}
	b.tx = tx
	return nil
}

// add buffers a row of table, writing a full statement's worth.
func (b *Bulk) add(table string, row ...any) error {
	t := b.tables[table]
	t.args = append(t.args, row...)
	t.n++
	b.rows++
	if t.n < bulkRows {
		return nil
	}
	if err := b.begin(); err != nil {
		return err
	}
	if t.full == nil {
		s, err := b.tx.PrepareContext(b.ctx, t.statement(bulkRows))
		if err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		t.full = s
	}
	if _, err := t.full.ExecContext(b.ctx, t.args...); err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	t.args, t.n = t.args[:0], 0
	return nil
}

// Flush writes the rows buffered and commits.
func (b *Bulk) Flush() error {
	if err := b.begin(); err != nil {
		return internal("bulk load", err)
	}
	for _, name := range bulkOrder {
		t := b.tables[name]
		if t.n > 0 {
			if _, err := b.tx.ExecContext(b.ctx, t.statement(t.n), t.args...); err != nil {
				return internal("bulk load", fmt.Errorf("%s: %w", name, err))
			}
			t.args, t.n = t.args[:0], 0
		}
		if t.full != nil {
			t.full.Close()
			t.full = nil
		}
	}
	err := b.tx.Commit()
	b.tx, b.rows = nil, 0
	return internal("bulk load", err)
}

// maybeFlush commits once a batch is full.
func (b *Bulk) maybeFlush() error {
	if b.rows < b.Batch {
		return nil
	}
	return b.Flush()
}

// HasUser reports whether a username is taken.
func (b *Bulk) HasUser(username string) (bool, error) {
	if err := b.begin(); err != nil {
		return false, internal("bulk load", err)
	}
	var n int
	err := b.tx.QueryRowContext(b.ctx, `SELECT COUNT(*) FROM users WHERE username = ?`, username).Scan(&n)
	return n > 0, internal("bulk load", err)
}

// User stores a user with a password hash already made (sync/password),
// so that thousands of users cost one hash, and makes it a member of desks.
func (b *Bulk) User(u *sportello.User, passwordHash string, desks []string) error {
	if err := b.add("users", u.ID, u.Username, u.Name, string(u.Role), passwordHash, b.db.now()); err != nil {
		return internal("bulk user", err)
	}
	for _, d := range desks {
		if err := b.add("desk_members", u.ID, d); err != nil {
			return internal("bulk user", err)
		}
	}
	return b.maybeFlush()
}

// Desk stores a desk unless one has its id.
func (b *Bulk) Desk(d sportello.Desk) error {
	return internal("bulk desk", b.add("desks", d.ID, d.Name))
}

// Citizen stores a citizen and its phones, which must be E.164 already.
func (b *Bulk) Citizen(c *sportello.Citizen) error {
	if err := b.add("citizens", c.ID, string(c.Kind), c.Name, c.TaxCode, c.Email, c.Address); err != nil {
		return internal("bulk citizen", err)
	}
	for i, p := range c.Phones {
		if err := b.add("citizen_phones", c.ID, i, p); err != nil {
			return internal("bulk citizen", err)
		}
	}
	return b.maybeFlush()
}

// Case stores a case row, with the state its events give, and its events.
func (b *Bulk) Case(c *sportello.Case) error {
	if err := b.add("cases", c.ID, nullString(c.CitizenID), c.Category, c.Subject, string(c.Status), c.DeskID, c.ClaimedBy,
		encodeTime(c.OpenedAt), encodeTime(c.UpdatedAt), encodeOptTime(c.EscalatedAt)); err != nil {
		return internal("bulk case", err)
	}
	for i, e := range c.Events {
		if err := b.add("case_events", e.ID, c.ID, i, string(e.Kind), encodeTime(e.At), e.AuthorID, e.Author, string(e.AuthorRole),
			e.CallID, e.Number, string(e.Outcome), e.DeskID, e.Category, e.Note, string(e.Channel)); err != nil {
			return internal("bulk case", err)
		}
	}
	return b.maybeFlush()
}

// Close commits what is left, brings the connection back to the store's
// settings, refreshes the query planner's statistics and checkpoints the
// WAL into the file.
func (b *Bulk) Close() error {
	err := b.Flush()
	cache := -2000 // SQLite's default, unless SetWriterCacheMB chose another
	if b.db.writerCacheMB > 0 {
		cache = -b.db.writerCacheMB * 1024
	}
	// synchronous NORMAL is the writer's in both modes (walsync.go); the
	// checkpoint syncs what the load wrote.
	for _, p := range []string{`PRAGMA synchronous = NORMAL`, `PRAGMA foreign_keys = ON`, fmt.Sprintf(`PRAGMA cache_size = %d`, cache), `PRAGMA optimize`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
		if _, perr := b.conn.ExecContext(context.WithoutCancel(b.ctx), p); perr != nil && err == nil {
			err = internal("bulk load", perr)
		}
	}
	if cerr := b.conn.Close(); err == nil {
		err = cerr
	}
	return err
}
