-- Issue 7: a supervisor assigns a case to a specialist of its desk; the
-- assigned event names the specialist (user id and display name).
ALTER TABLE case_events ADD COLUMN assignee_id TEXT NOT NULL DEFAULT '';
ALTER TABLE case_events ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
