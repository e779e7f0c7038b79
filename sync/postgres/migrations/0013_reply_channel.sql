-- Issue 5: the citizen's preferred reply channel (phone, email, letter,
-- fax) on the wrap-up event that escalates a case to a desk; '' on every
-- other event.
ALTER TABLE case_events ADD COLUMN channel TEXT NOT NULL DEFAULT '';
