package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// Replica is the desktop's local copy on SQLite: the outbox of changes
// syncd has not accepted yet, the caller cards last seen and the change
// cursor. It lives in its own file, apart from syncd's store, and is wiped
// on sign-out. Writes are synchronous=FULL: an outbox entry is on disk
// before the desktop says "saved".
type Replica struct {
	// Now is the clock for stored timestamps.
	Now func() time.Time

	path string
	db   *sql.DB
}

// NewReplica returns a replica on the file at path; call Open before use.
func NewReplica(path string) *Replica {
	return &Replica{Now: time.Now, path: path}
}

const replicaSchema = `
CREATE TABLE IF NOT EXISTS outbox (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	id         TEXT NOT NULL UNIQUE,
	kind       TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	rejected   TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS cards (
	number     TEXT PRIMARY KEY,
	body       TEXT NOT NULL,
	fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);`

// Open opens (creating when missing) the replica file.
func (r *Replica) Open() error {
	if err := os.MkdirAll(filepath.Dir(r.path), 0o700); err != nil {
		return fmt.Errorf("open replica: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	db, err := sql.Open("sqlite", "file:"+r.path+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("open replica: %w", err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(replicaSchema + replicaKBSchema + replicaDirectorySchema); err != nil {
		db.Close()
		return fmt.Errorf("open replica %s: %w", r.path, err)
	}
	r.db = db
	if err := r.checkKBIndex(context.Background()); err != nil { // replica_kb.go
		db.Close()
		return fmt.Errorf("open replica %s: %w", r.path, err)
	}
	return nil
}

// Close closes the file.
func (r *Replica) Close() error {
	if r.db == nil {
		return nil
	}
	return r.db.Close()
}

// Enqueue stores op at the end of the outbox; an op already there (same
// id) is left as it is.
func (r *Replica) Enqueue(ctx context.Context, op wire.Op) error {
	_, err := r.db.ExecContext(ctx, `INSERT INTO outbox (id, kind, body, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
		op.ID, op.Kind, string(op.Body), r.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", op.ID, err)
	}
	return nil
}

// Outbox returns the ops waiting to be sent, oldest first (rejected ones
// stay in the file but are not returned).
func (r *Replica) Outbox(ctx context.Context) ([]wire.Op, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT id, kind, body, created_at, attempts FROM outbox WHERE rejected = '' ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var ops []wire.Op
	for rows.Next() {
		var op wire.Op
		var body, created string
		if err := rows.Scan(&op.ID, &op.Kind, &body, &created, &op.Attempts); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		op.Body = json.RawMessage(body)
		op.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		ops = append(ops, op)
	}
	return ops, rows.Err()
}

// Sent removes an op syncd accepted.
func (r *Replica) Sent(ctx context.Context, id string) error {
	_, err := r.db.ExecContext(ctx, `DELETE FROM outbox WHERE id = ?`, id)
	return err
}

// Attempted counts a failed try to send the op.
func (r *Replica) Attempted(ctx context.Context, id string) error {
	_, err := r.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1 WHERE id = ?`, id)
	return err
}

// Reject keeps an op syncd refused, with the reason, and stops sending it.
func (r *Replica) Reject(ctx context.Context, id, reason string) error {
	if reason == "" {
		reason = "rejected"
	}
	_, err := r.db.ExecContext(ctx, `UPDATE outbox SET rejected = ? WHERE id = ?`, reason, id)
	return err
}

// Rejected returns the ops syncd refused, with their reasons, oldest first.
func (r *Replica) Rejected(ctx context.Context) ([]wire.Op, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT id, kind, body, rejected FROM outbox WHERE rejected <> '' ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ops []wire.Op
	for rows.Next() {
		var op wire.Op
		var body string
		if err := rows.Scan(&op.ID, &op.Kind, &body, &op.Rejected); err != nil {
			return nil, err
		}
		op.Body = json.RawMessage(body)
		ops = append(ops, op)
	}
	return ops, rows.Err()
}

// PutCard keeps the card for offline lookups of its number.
func (r *Replica) PutCard(ctx context.Context, card *sportello.CallerCard) error {
	body, err := json.Marshal(card)
	if err != nil {
		return err
	}
	return r.execCache(ctx, `INSERT INTO cards (number, body, fetched_at) VALUES (?, ?, ?)
		ON CONFLICT(number) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at`,
		card.Number, string(body), r.Now().UTC().Format(time.RFC3339Nano))
}

// execCache runs a write of a copy of syncd's data (a caller card, read
// again from syncd if lost) without waiting for the disk: synchronous
// NORMAL for that commit alone, on the replica's one connection held for
// it. A power cut may lose it, never the outbox, whose commits stay FULL
// (the next FULL commit syncs the log with it). The card is on the way
// from the ring to the operator's screen: the disk flush was its slowest
// step (p99 30-55 ms, issue 4).
func (r *Replica) execCache(ctx context.Context, query string, args ...any) error {
	conn, err := r.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, query, args...)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = FULL`); rerr != nil {
		// Never hand the outbox a connection that does not sync: drop it
		// (the next one opens with FULL).
		conn.Raw(func(any) error { return driver.ErrBadConn })
		return errors.Join(err, rerr)
	}
	return err
}

// Card returns the kept card of number, or ENOTFOUND.
func (r *Replica) Card(ctx context.Context, number string) (*sportello.CallerCard, error) {
	var body string
	err := r.db.QueryRowContext(ctx, `SELECT body FROM cards WHERE number = ?`, number).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no copy of %s on this desktop", number)
	} else if err != nil {
		return nil, err
	}
	var card sportello.CallerCard
	if err := json.Unmarshal([]byte(body), &card); err != nil {
		return nil, fmt.Errorf("card %s: %w", number, err)
	}
	return &card, nil
}

// Cursor returns the last change seen (0 for none).
func (r *Replica) Cursor(ctx context.Context) (int64, error) {
	var v int64
	err := r.db.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'cursor'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// SetCursor keeps the last change seen.
func (r *Replica) SetCursor(ctx context.Context, seq int64) error {
	_, err := r.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('cursor', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, seq)
	return err
}

// Wipe removes everything: on sign-out, nothing of the user's citizens
// stays on the desktop. Ops not yet sent are dropped with the rest, so
// the desktop asks before signing out with a non-empty outbox.
func (r *Replica) Wipe(ctx context.Context) error {
	_, err := r.db.ExecContext(ctx, `DELETE FROM outbox; DELETE FROM cards; DELETE FROM meta; DELETE FROM kb; DELETE FROM kb_fts;`)
	return err
}
