-- syncd's schema on PostgreSQL: the same tables as sync/sqlite's
-- migrations 0001-0004, in PostgreSQL's types. Ids are compared byte by
-- byte (COLLATE "C") whatever the database's locale, so that paging by id
-- gives the same order as on SQLite.

CREATE TABLE users (
	id            TEXT COLLATE "C" PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('operator', 'specialist', 'supervisor', 'admin')),
	password_hash TEXT NOT NULL, -- argon2id, PHC string form
	created_at    TIMESTAMPTZ NOT NULL
);

-- Only a hash of each bearer token is kept: a copy of the database does not
-- let anyone sign in.
CREATE TABLE sessions (
	token_hash BYTEA PRIMARY KEY,
	user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE desks (
	id   TEXT COLLATE "C" PRIMARY KEY,
	name TEXT NOT NULL
);

CREATE TABLE offices (
	id      TEXT COLLATE "C" PRIMARY KEY,
	name    TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	hours   TEXT NOT NULL DEFAULT '',
	phone   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE directory (
	id     TEXT COLLATE "C" PRIMARY KEY,
	name   TEXT NOT NULL,
	number TEXT NOT NULL,
	grp    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE citizens (
	id       TEXT COLLATE "C" PRIMARY KEY,
	kind     TEXT NOT NULL CHECK (kind IN ('person', 'business')),
	name     TEXT NOT NULL,
	tax_code TEXT NOT NULL DEFAULT '',
	email    TEXT NOT NULL DEFAULT '',
	address  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX citizens_tax_code ON citizens (tax_code);

-- Numbers are E.164; the index serves the screen pop while the phone rings.
CREATE TABLE citizen_phones (
	citizen_id TEXT COLLATE "C" NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	number     TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (citizen_id, position)
);
CREATE INDEX citizen_phones_number ON citizen_phones (number);

-- A case row is a cache of the state its events give under Case.Apply.
CREATE TABLE cases (
	id         TEXT COLLATE "C" PRIMARY KEY,
	citizen_id TEXT COLLATE "C" REFERENCES citizens (id),
	category   TEXT NOT NULL DEFAULT '',
	subject    TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL,
	desk_id    TEXT COLLATE "C" NOT NULL DEFAULT '',
	claimed_by TEXT NOT NULL DEFAULT '',
	opened_at  TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	-- when the case last reached a desk (NULL: never), the order a desk's
	-- queue is worked in
	escalated_at TIMESTAMPTZ
);
CREATE INDEX cases_citizen_id ON cases (citizen_id, updated_at);
CREATE INDEX cases_status ON cases (status, updated_at);
CREATE INDEX cases_desk_queue ON cases (desk_id, status, escalated_at);

CREATE TABLE case_events (
	id        TEXT COLLATE "C" PRIMARY KEY,
	case_id   TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
	position  INTEGER NOT NULL,
	kind      TEXT NOT NULL,
	at        TIMESTAMPTZ NOT NULL,
	author_id TEXT COLLATE "C" NOT NULL DEFAULT '',
	author    TEXT NOT NULL DEFAULT '',
	author_role TEXT NOT NULL DEFAULT '', -- the author's role then: replay depends on it
	call_id   TEXT NOT NULL DEFAULT '',
	number    TEXT NOT NULL DEFAULT '',
	outcome   TEXT NOT NULL DEFAULT '',
	desk_id   TEXT COLLATE "C" NOT NULL DEFAULT '',
	category  TEXT NOT NULL DEFAULT '',
	note      TEXT NOT NULL DEFAULT '',
	UNIQUE (case_id, position)
);
CREATE INDEX case_events_author_id ON case_events (author_id, case_id);

-- The change log. seq is not a sequence (sequences leave gaps on
-- rollback): it is change_head.seq + 1, taken in the writing transaction
-- while it holds change_head's row lock, so writers commit one at a time in
-- seq order and a reader never sees seq n+1 before n.
CREATE TABLE changes (
	seq        BIGINT PRIMARY KEY,
	at         TIMESTAMPTZ NOT NULL,
	kind       TEXT NOT NULL,
	citizen_id TEXT COLLATE "C" NOT NULL DEFAULT '',
	case_id    TEXT COLLATE "C" NOT NULL DEFAULT '',
	desk_id    TEXT COLLATE "C" NOT NULL DEFAULT '',
	event_id   TEXT COLLATE "C" REFERENCES case_events (id)
);
CREATE INDEX changes_case_id ON changes (case_id);

-- The newest seq: one row, the writers' lock.
CREATE TABLE change_head (
	one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
	seq BIGINT NOT NULL
);
INSERT INTO change_head (one, seq) VALUES (TRUE, 0);

-- Every read of a citizen's record: who, when, why (GDPR).
CREATE TABLE audit (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at         TIMESTAMPTZ NOT NULL,
	user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id),
	citizen_id TEXT COLLATE "C" REFERENCES citizens (id),
	number     TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL
);
CREATE INDEX audit_citizen_id ON audit (citizen_id, at);
CREATE INDEX audit_user_id ON audit (user_id, at);

-- Every op a client sent with its own id (UUIDv7), recorded in the op's
-- transaction: a repeat of the id gets the case as the op left it (its
-- first `events` events), and a different payload under a used id is refused.
CREATE TABLE ops (
	id         TEXT COLLATE "C" PRIMARY KEY,
	kind       TEXT NOT NULL,
	user_id    TEXT COLLATE "C" NOT NULL,
	digest     BYTEA NOT NULL, -- SHA-256 of the op's normalized payload and author
	case_id    TEXT COLLATE "C" NOT NULL,
	events     INTEGER NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ops_case_id ON ops (case_id);

-- Which desks' queues a specialist works.
CREATE TABLE desk_members (
	user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	desk_id TEXT COLLATE "C" NOT NULL REFERENCES desks (id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, desk_id)
);

-- The knowledge base as JSON documents (sportello.KBEntry), kept as text:
-- desktops copy it into their replica and search it there.
CREATE TABLE kb (
	id         TEXT COLLATE "C" PRIMARY KEY,
	kind       TEXT NOT NULL,
	body       TEXT NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
