-- As SQLite's migration 0026: citizenByNumber's first match by
-- (position, citizen_id) read from the index, not sorted.
DROP INDEX IF EXISTS citizen_phones_number;
CREATE INDEX citizen_phones_number ON citizen_phones (number, position, citizen_id);
