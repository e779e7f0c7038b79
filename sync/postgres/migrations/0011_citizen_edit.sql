-- Citizens registered, edited and merged from the desktop (issue 5). A
-- merged duplicate stays as a tombstone naming the citizen it was merged
-- into (its cases, numbers, callbacks, appointments and audit rows moved
-- there), so that an old reference still leads to the survivor.
ALTER TABLE citizens ADD COLUMN merged_into TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE citizens ADD COLUMN merged_at TIMESTAMPTZ;
ALTER TABLE citizens ADD COLUMN merged_by TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX citizens_merged_into ON citizens (merged_into) WHERE merged_into <> '';
-- What a number is ('mobile', 'home', 'work'; '' when not said).
ALTER TABLE citizen_phones ADD COLUMN label TEXT NOT NULL DEFAULT '';
