-- Issue 5: the desks' queues. An event keeps its author's role (a
-- supervisor may release or reassign a case someone else holds, and the
-- case state machine must replay that the same way), and a case row keeps
-- when it last reached a desk, the order a desk's queue is worked in.
ALTER TABLE case_events ADD COLUMN author_role TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN escalated_at TEXT NOT NULL DEFAULT '';
UPDATE cases SET escalated_at = COALESCE((
	SELECT MAX(e.at) FROM case_events e
	WHERE e.case_id = cases.id AND (e.kind = 'escalated' OR (e.kind = 'wrap_up' AND e.outcome = 'escalated'))), '');
CREATE INDEX cases_desk_queue ON cases (desk_id, status, escalated_at);
