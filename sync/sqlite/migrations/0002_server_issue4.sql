-- syncd for issue 4: idempotent ops, desk membership, and the indexes the
-- per-user change feed reads.

-- Every op a client sent with its own id (UUIDv7), recorded in the op's
-- transaction: a repeat of the id gets the case as the op left it (its
-- first `events` events), and a different payload under a used id is refused.
CREATE TABLE ops (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	digest     BLOB NOT NULL, -- SHA-256 of the op's normalized payload and author
	case_id    TEXT NOT NULL,
	events     INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX ops_case_id ON ops (case_id);

-- Which desks' queues a specialist works.
CREATE TABLE desk_members (
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	desk_id TEXT NOT NULL REFERENCES desks (id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, desk_id)
);

-- The cases a user has written on, and the citizens a user looked up since
-- a session began: what an operator's feed shows.
CREATE INDEX case_events_author_id ON case_events (author_id, case_id);
CREATE INDEX audit_user_id ON audit (user_id, at);
