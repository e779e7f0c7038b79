package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxReadStmts bounds the statements kept prepared on the read pool.
const maxReadStmts = 64

// readStmts is a queryer over the read pool that prepares each query the
// first time it runs and keeps it: modernc compiles a statement run as
// text every time, and the hot reads (a token's session on each request,
// the change log each publish reads back, the screen pop) were a tenth of
// syncd at 1,000 ops/s (issue 4). A *sql.Stmt prepares itself once on
// each pooled connection it meets. Only the call sites that pass it use
// it, with fixed query texts; past maxReadStmts a query runs as text.
type readStmts struct {
	pool *sql.DB

	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// stmt returns query prepared, or nil to run it as text.
func (r *readStmts) stmt(ctx context.Context, query string) *sql.Stmt {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.stmts[query]; ok {
		return s
	}
	if len(r.stmts) >= maxReadStmts {
		return nil
	}
	s, err := r.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil // the text run reports the error
	}
	if r.stmts == nil {
		r.stmts = map[string]*sql.Stmt{}
	}
	r.stmts[query] = s
	return s
}

// QueryContext runs query, prepared.
func (r *readStmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := r.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return r.pool.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query, prepared.
func (r *readStmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := r.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return r.pool.QueryRowContext(ctx, query, args...)
}

// close closes the prepared statements.
func (r *readStmts) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for q, s := range r.stmts {
		s.Close()
		delete(r.stmts, q)
	}
}
