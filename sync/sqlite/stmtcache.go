package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// execer is what the write path's helpers run statements on: a *sql.Tx,
// or a cachedTx that reuses statements prepared once on the writer.
type execer interface {
	queryer
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// maxCachedStmts bounds the statements kept prepared on the writer.
const maxCachedStmts = 128

// stmtCache holds statements prepared on the writer connection, by their
// text (issue 4). modernc's driver compiles the text of every statement
// run without a prepared one: a wrap-up opening a case runs 11 (13 in a
// group, with its savepoint), each compiled anew before.
// A statement first met inside a transaction cannot be prepared then (the
// writer's only connection is the transaction's), so it is run as text,
// noted, and prepared after the commit, by prepareNoted.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
	noted map[string]bool
	runs  int64 // statements looked up, each text once a transaction (cachedTx.stmt)
	texts int64 // of those, run as text (not prepared yet)
}

// get returns the statement prepared for query, or nil after noting it.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runs++
	if s := c.stmts[query]; s != nil {
		return s
	}
	c.texts++
	if len(c.stmts)+len(c.noted) < maxCachedStmts {
		if c.noted == nil {
			c.noted = map[string]bool{}
		}
		c.noted[query] = true
	}
	return nil
}

// prepareNoted prepares on w the statements noted since the last call;
// one that fails to prepare is left to run as text.
func (c *stmtCache) prepareNoted(ctx context.Context, w *sql.DB) {
	c.mu.Lock()
	noted := c.noted
	c.noted = nil
	c.mu.Unlock()
	for query := range noted {
		s, err := w.PrepareContext(ctx, query)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if c.stmts == nil {
			c.stmts = map[string]*sql.Stmt{}
		}
		if c.stmts[query] == nil {
			c.stmts[query], s = s, nil
		}
		c.mu.Unlock()
		if s != nil {
			s.Close()
		}
	}
}

// close closes every statement prepared.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.stmts {
		s.Close()
	}
	c.stmts, c.noted = nil, nil
}

// cachedTx is a writer's transaction that runs each statement through the
// store's stmtCache when the statement is prepared there.
type cachedTx struct {
	*sql.Tx
	cache *stmtCache
	// bound holds the cache's statements bound to this transaction, by
	// text (nil: not prepared yet, run as text). database/sql makes a new
	// statement each time one is bound: bound per call, that was 8% of
	// what syncd allocated at 1,000 ops/s, a group commit running the
	// same dozen statements for each of its tens of ops (issue 4).
	bound map[string]*sql.Stmt
}

// stmt returns query's statement bound to the transaction, or nil when
// the cache has none prepared.
func (t cachedTx) stmt(ctx context.Context, query string) *sql.Stmt {
	s, ok := t.bound[query]
	if !ok {
		if prepared := t.cache.get(query); prepared != nil {
			s = t.Tx.StmtContext(ctx, prepared)
		}
		t.bound[query] = s
	}
	return s
}

// ExecContext runs query in the transaction.
func (t cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := t.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs query in the transaction.
func (t cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := t.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction.
func (t cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := t.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// commitCached is commit (sqlite.go) with the transaction's statements
// run through the store's stmtCache, and those first met prepared after
// it ends: the group commit's transaction, which waits for the log's sync
// itself (groupcommit.go).
func (db *DB) commitCached(ctx context.Context, fn func(tx execer) error) (uint64, error) {
	n, err := db.commit(ctx, func(tx *sql.Tx) error { return fn(cachedTx{Tx: tx, cache: &db.stmts, bound: map[string]*sql.Stmt{}}) })
	db.stmts.prepareNoted(context.WithoutCancel(ctx), db.write)
	return n, err
}
