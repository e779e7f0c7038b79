-- Issue 5: callbacks (richiamate). The id is the id of the case's
-- callback_scheduled event; attempts are a JSON array of
-- sportello.CallbackAttempt; owner is a user id, 'pool' or 'desk:<id>'.
CREATE TABLE callbacks (
	id          TEXT PRIMARY KEY,
	case_id     TEXT NOT NULL REFERENCES cases (id),
	citizen_id  TEXT NOT NULL DEFAULT '',
	number      TEXT NOT NULL,
	reason      TEXT NOT NULL DEFAULT '',
	window_from TEXT NOT NULL,
	window_to   TEXT NOT NULL,
	owner       TEXT NOT NULL,
	state       TEXT NOT NULL,
	attempts    TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);
CREATE INDEX callbacks_due ON callbacks (state, window_from, window_to, id);
