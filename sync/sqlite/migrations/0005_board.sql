-- Issue 7: what the supervisor's board reads on every recompute: the
-- cases in desks' queues, and today's wrap-ups.
CREATE INDEX cases_status_desk ON cases (status, desk_id, escalated_at);
CREATE INDEX case_events_kind_at ON case_events (kind, at);
