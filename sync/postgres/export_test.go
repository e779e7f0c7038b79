package postgres

import "github.com/jackc/pgx/v5"

// QueuedWrapUps returns the items waiting for db's next group commit.
func QueuedWrapUps(db *DB) int { return db.wrapUpCommitter().Queued() }

// SetTracer makes db's pool trace its queries with t; call it before Open.
func SetTracer(db *DB, t pgx.QueryTracer) { db.tracer = t }
