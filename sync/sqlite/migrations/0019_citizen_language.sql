-- Issue 5: the language a citizen prefers for replies: '' (Italian, the
-- default), 'it' or 'en'.
ALTER TABLE citizens ADD COLUMN language TEXT NOT NULL DEFAULT '';
