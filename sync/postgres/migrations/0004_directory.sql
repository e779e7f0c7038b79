-- Issue 6: the transfer directory keeps each entry whole (hours, note,
-- keywords, desk) as JSON, like the knowledge base.
ALTER TABLE directory ADD COLUMN body TEXT NOT NULL DEFAULT '';
ALTER TABLE directory ADD COLUMN updated_at TIMESTAMPTZ;
