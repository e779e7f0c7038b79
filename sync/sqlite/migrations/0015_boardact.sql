-- Issue 7: the board reads the callbacks done or failed today.
CREATE INDEX callbacks_updated_at ON callbacks (updated_at);
