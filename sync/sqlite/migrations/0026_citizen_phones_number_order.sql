-- The caller's citizen is the first by (position, citizen_id) among those
-- with the number (citizenByNumber: every screen pop, every wrap-up with a
-- caller's number). On (number) alone SQLite sorted the matches in a temp
-- B-tree each time, inside the writer's transaction; on (number,
-- position, citizen_id) the first entry is the answer.
DROP INDEX IF EXISTS citizen_phones_number;
CREATE INDEX citizen_phones_number ON citizen_phones (number, position, citizen_id);
