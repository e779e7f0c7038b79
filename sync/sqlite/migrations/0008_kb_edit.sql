-- Issue 6: the knowledge base and the transfer directory are edited with
-- history, and each saved edit is a change pushed to every desktop.

-- Every saved version of an entry: who, when, what changed, the entry as
-- saved (as it last was, for a retirement). kind is 'kb' or 'directory'.
CREATE TABLE entry_versions (
	kind      TEXT NOT NULL,
	entry_id  TEXT NOT NULL,
	version   INTEGER NOT NULL,
	action    TEXT NOT NULL,
	at        TEXT NOT NULL,
	author_id TEXT NOT NULL DEFAULT '',
	author    TEXT NOT NULL DEFAULT '',
	changed   TEXT NOT NULL DEFAULT '[]',
	body      TEXT NOT NULL,
	PRIMARY KEY (kind, entry_id, version)
);

-- A change of kind 'kb' or 'directory' names its entry and carries it as
-- saved ('' when retired).
ALTER TABLE changes ADD COLUMN entry_id TEXT NOT NULL DEFAULT '';
ALTER TABLE changes ADD COLUMN entry TEXT NOT NULL DEFAULT '';

-- Entries stored before versions count from 1.
UPDATE kb SET body = json_set(body, '$.version', 1) WHERE COALESCE(json_extract(body, '$.version'), 0) = 0;
UPDATE directory SET body = json_set(body, '$.version', 1) WHERE body <> '' AND COALESCE(json_extract(body, '$.version'), 0) = 0;
