-- A user's feed follows the cases the user wrote on lately (FeedScope,
-- sportello.FeedScopeAge): one range of (author_id, at) instead of the
-- user's whole history. case_events_author_id served only that query.
DROP INDEX IF EXISTS case_events_author_id;
CREATE INDEX case_events_author_at ON case_events (author_id, at, case_id);
