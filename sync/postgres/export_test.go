package postgres

// QueuedWrapUps returns the items waiting for db's next group commit.
func QueuedWrapUps(db *DB) int { return db.wrapUpCommitter().Queued() }
