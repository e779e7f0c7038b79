-- case_events_kind_at (kind, at) is a prefix of case_events_wrap_up_counts
-- (kind, at, author_id, outcome, author, migration 0017), which serves the
-- same lookups: every event paid for both indexes.
DROP INDEX IF EXISTS case_events_kind_at;
