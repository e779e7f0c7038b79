-- wrap_up_facts_at (at) is a prefix of wrap_up_facts_board (at, author_id,
-- resolved, repeat_of, repeated, mos; migration 0020), which serves the same
-- lookups: every wrap-up paid for both indexes.
DROP INDEX IF EXISTS wrap_up_facts_at;
