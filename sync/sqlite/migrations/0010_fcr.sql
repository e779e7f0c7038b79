-- Issues 5, 6 and 7: first-contact resolution as recorded and true, and
-- which knowledge-base entries answered the call. One row per handled
-- wrap-up (missed calls are not contacts), written in the wrap-up's
-- transaction: its citizen and service (the wrap-up's category, else its
-- case's), whether it was recorded resolved, the earlier wrap-up it
-- repeats (same citizen and service within the window; '' when none) and
-- whether a later wrap-up repeats it. Purging a case purges its rows.
CREATE TABLE wrap_up_facts (
	event_id   TEXT PRIMARY KEY REFERENCES case_events (id) ON DELETE CASCADE,
	case_id    TEXT NOT NULL,
	citizen_id TEXT NOT NULL DEFAULT '',
	service    TEXT NOT NULL DEFAULT '',
	author_id  TEXT NOT NULL DEFAULT '',
	at         TEXT NOT NULL,
	resolved   INTEGER NOT NULL,
	repeat_of  TEXT NOT NULL DEFAULT '',
	repeated   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX wrap_up_facts_at ON wrap_up_facts (at);
CREATE INDEX wrap_up_facts_contact ON wrap_up_facts (citizen_id, service, at);

-- The knowledge-base entries a wrap-up says answered the call.
CREATE TABLE wrap_up_kb (
	event_id TEXT NOT NULL REFERENCES wrap_up_facts (event_id) ON DELETE CASCADE,
	kb_id    TEXT NOT NULL,
	PRIMARY KEY (event_id, kb_id)
);
CREATE INDEX wrap_up_kb_kb_id ON wrap_up_kb (kb_id);

-- Wrap-ups recorded before this migration count as recorded, none of
-- them as a repeat (their entries were not kept).
INSERT INTO wrap_up_facts (event_id, case_id, citizen_id, service, author_id, at, resolved)
SELECT e.id, e.case_id, COALESCE(c.citizen_id, ''), CASE WHEN e.category <> '' THEN e.category ELSE c.category END,
	e.author_id, e.at, e.outcome = 'resolved_first_contact'
FROM case_events e JOIN cases c ON c.id = e.case_id
WHERE e.kind = 'wrap_up' AND e.outcome <> 'missed';
