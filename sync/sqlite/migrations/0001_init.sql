-- The walking skeleton's schema. Timestamps are UTC text in a fixed-width
-- RFC 3339 form so that they sort as they compare.

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('operator', 'specialist', 'supervisor', 'admin')),
	password_hash TEXT NOT NULL, -- argon2id, PHC string form
	created_at    TEXT NOT NULL
);

-- Only a hash of each bearer token is kept: a copy of the database does not
-- let anyone sign in.
CREATE TABLE sessions (
	token_hash BLOB PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE desks (
	id   TEXT PRIMARY KEY,
	name TEXT NOT NULL
);

CREATE TABLE offices (
	id      TEXT PRIMARY KEY,
	name    TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	hours   TEXT NOT NULL DEFAULT '',
	phone   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE directory (
	id     TEXT PRIMARY KEY,
	name   TEXT NOT NULL,
	number TEXT NOT NULL,
	grp    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE citizens (
	id       TEXT PRIMARY KEY,
	kind     TEXT NOT NULL CHECK (kind IN ('person', 'business')),
	name     TEXT NOT NULL,
	tax_code TEXT NOT NULL DEFAULT '',
	email    TEXT NOT NULL DEFAULT '',
	address  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX citizens_tax_code ON citizens (tax_code);

-- Numbers are E.164; the index serves the screen pop while the phone rings.
CREATE TABLE citizen_phones (
	citizen_id TEXT NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	number     TEXT NOT NULL,
	PRIMARY KEY (citizen_id, position)
);
CREATE INDEX citizen_phones_number ON citizen_phones (number);

-- A case row is a cache of the state its events give under Case.Apply.
CREATE TABLE cases (
	id         TEXT PRIMARY KEY,
	citizen_id TEXT REFERENCES citizens (id),
	category   TEXT NOT NULL DEFAULT '',
	subject    TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL,
	desk_id    TEXT NOT NULL DEFAULT '',
	claimed_by TEXT NOT NULL DEFAULT '',
	opened_at  TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX cases_citizen_id ON cases (citizen_id, updated_at);

CREATE TABLE case_events (
	id        TEXT PRIMARY KEY,
	case_id   TEXT NOT NULL REFERENCES cases (id),
	position  INTEGER NOT NULL,
	kind      TEXT NOT NULL,
	at        TEXT NOT NULL,
	author_id TEXT NOT NULL DEFAULT '',
	author    TEXT NOT NULL DEFAULT '',
	call_id   TEXT NOT NULL DEFAULT '',
	number    TEXT NOT NULL DEFAULT '',
	outcome   TEXT NOT NULL DEFAULT '',
	desk_id   TEXT NOT NULL DEFAULT '',
	category  TEXT NOT NULL DEFAULT '',
	note      TEXT NOT NULL DEFAULT '',
	UNIQUE (case_id, position)
);

-- The change log: seq is assigned as MAX(seq)+1 inside the single writer's
-- transaction, so it has no gaps.
CREATE TABLE changes (
	seq        INTEGER PRIMARY KEY,
	at         TEXT NOT NULL,
	kind       TEXT NOT NULL,
	citizen_id TEXT NOT NULL DEFAULT '',
	case_id    TEXT NOT NULL DEFAULT '',
	desk_id    TEXT NOT NULL DEFAULT '',
	event_id   TEXT REFERENCES case_events (id)
);

-- Every read of a citizen's record: who, when, why (GDPR).
CREATE TABLE audit (
	id         INTEGER PRIMARY KEY,
	at         TEXT NOT NULL,
	user_id    TEXT NOT NULL REFERENCES users (id),
	citizen_id TEXT REFERENCES citizens (id),
	number     TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL
);
CREATE INDEX audit_citizen_id ON audit (citizen_id, at);
