-- Issue 5: callbacks (richiamate). The id is the id of the case's
-- callback_scheduled event; attempts are a JSON array of
-- sportello.CallbackAttempt; owner is a user id, 'pool' or 'desk:<id>'.
CREATE TABLE callbacks (
	id          TEXT COLLATE "C" PRIMARY KEY,
	case_id     TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
	citizen_id  TEXT COLLATE "C" NOT NULL DEFAULT '',
	number      TEXT NOT NULL,
	reason      TEXT NOT NULL DEFAULT '',
	window_from TIMESTAMPTZ NOT NULL,
	window_to   TIMESTAMPTZ NOT NULL,
	owner       TEXT COLLATE "C" NOT NULL,
	state       TEXT NOT NULL,
	attempts    TEXT NOT NULL DEFAULT '[]',
	created_at  TIMESTAMPTZ NOT NULL,
	updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX callbacks_due ON callbacks (state, window_from, window_to, id);
