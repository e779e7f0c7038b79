-- The knowledge base: services, offices and free-form answers, kept as
-- JSON documents (sportello.KBEntry); desktops copy it into their replica
-- and search it there.
CREATE TABLE kb (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	body       TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
