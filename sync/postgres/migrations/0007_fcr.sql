-- Issues 5, 6 and 7: first-contact resolution as recorded and true, and
-- which knowledge-base entries answered the call (as sync/sqlite's
-- migration 0010). One row per handled wrap-up, written in its
-- transaction; repeat_of is the earlier wrap-up of the same citizen and
-- service within the window it repeats ('' when none), repeated whether
-- a later wrap-up repeats it.
CREATE TABLE wrap_up_facts (
	event_id   TEXT COLLATE "C" PRIMARY KEY REFERENCES case_events (id) ON DELETE CASCADE,
	case_id    TEXT COLLATE "C" NOT NULL,
	citizen_id TEXT COLLATE "C" NOT NULL DEFAULT '',
	service    TEXT NOT NULL DEFAULT '',
	author_id  TEXT COLLATE "C" NOT NULL DEFAULT '',
	at         TIMESTAMPTZ NOT NULL,
	resolved   BOOLEAN NOT NULL,
	repeat_of  TEXT COLLATE "C" NOT NULL DEFAULT '',
	repeated   BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX wrap_up_facts_at ON wrap_up_facts (at);
CREATE INDEX wrap_up_facts_contact ON wrap_up_facts (citizen_id, service, at);

CREATE TABLE wrap_up_kb (
	event_id TEXT COLLATE "C" NOT NULL REFERENCES wrap_up_facts (event_id) ON DELETE CASCADE,
	kb_id    TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (event_id, kb_id)
);
CREATE INDEX wrap_up_kb_kb_id ON wrap_up_kb (kb_id);

INSERT INTO wrap_up_facts (event_id, case_id, citizen_id, service, author_id, at, resolved)
SELECT e.id, e.case_id, COALESCE(c.citizen_id, ''), CASE WHEN e.category <> '' THEN e.category ELSE c.category END,
	e.author_id, e.at, e.outcome = 'resolved_first_contact'
FROM case_events e JOIN cases c ON c.id = e.case_id
WHERE e.kind = 'wrap_up' AND e.outcome <> 'missed';
