-- Issue 7: what the supervisor's board reads on every recompute: today's
-- wrap-ups (the cases in desks' queues use cases_status).
CREATE INDEX case_events_kind_at ON case_events (kind, at);
