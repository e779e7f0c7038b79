-- Issue 6: Open311 GeoReport v2. City apps file service requests with an
-- API key; each request opens a case on the desk its service maps to.

-- The service list: code -> case category -> desk, seeded from the demo
-- catalogue and changed by the city. body is the service whole as JSON
-- (name, description, keywords, attributes).
CREATE TABLE open311_services (
	code     TEXT PRIMARY KEY,
	category TEXT NOT NULL,
	desk_id  TEXT NOT NULL REFERENCES desks (id),
	body     TEXT NOT NULL
);

-- Only a hash of each API key is kept, like sessions' tokens.
CREATE TABLE open311_keys (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	key_hash   BLOB NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);

-- One row per request: the case it opened, where and what, and who
-- reported it (never shown by GET requests).
CREATE TABLE open311_requests (
	case_id      TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
	token        TEXT NOT NULL UNIQUE,
	service_code TEXT NOT NULL,
	key_id       TEXT NOT NULL REFERENCES open311_keys (id),
	requested_at TEXT NOT NULL,
	lat          REAL,
	long         REAL,
	address      TEXT NOT NULL DEFAULT '',
	address_id   TEXT NOT NULL DEFAULT '',
	description  TEXT NOT NULL DEFAULT '',
	media_url    TEXT NOT NULL DEFAULT '',
	reporter     TEXT NOT NULL DEFAULT '{}', -- Open311Reporter as JSON
	attributes   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX open311_requests_requested_at ON open311_requests (requested_at);

-- Reporters are matched to citizens by email as well as by phone.
CREATE INDEX citizens_email ON citizens (lower(email)) WHERE email <> '';
