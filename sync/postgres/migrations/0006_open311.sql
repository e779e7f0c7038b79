-- Issue 6: Open311 GeoReport v2, as sync/sqlite's 0009_open311.sql.

CREATE TABLE open311_services (
	code     TEXT PRIMARY KEY,
	category TEXT NOT NULL,
	desk_id  TEXT NOT NULL REFERENCES desks (id),
	body     TEXT NOT NULL
);

CREATE TABLE open311_keys (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	key_hash   BYTEA NOT NULL UNIQUE,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE open311_requests (
	case_id      TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
	token        TEXT NOT NULL UNIQUE,
	service_code TEXT NOT NULL,
	key_id       TEXT NOT NULL REFERENCES open311_keys (id),
	requested_at TIMESTAMPTZ NOT NULL,
	lat          DOUBLE PRECISION,
	long         DOUBLE PRECISION,
	address      TEXT NOT NULL DEFAULT '',
	address_id   TEXT NOT NULL DEFAULT '',
	description  TEXT NOT NULL DEFAULT '',
	media_url    TEXT NOT NULL DEFAULT '',
	reporter     TEXT NOT NULL DEFAULT '{}',
	attributes   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX open311_requests_requested_at ON open311_requests (requested_at);

CREATE INDEX citizens_email ON citizens (lower(email)) WHERE email <> '';
