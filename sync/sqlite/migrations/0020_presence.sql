-- Issue 7: the board's presence, raised hands and handle times in the
-- database, so that they outlive a restart of syncd (and, on PostgreSQL,
-- every node's board sees every node's agents). One row per agent,
-- written by the node whose WebSocket the agent reported through;
-- board_nodes holds each node's heartbeat, so the agents of a node that
-- died show offline once its heartbeat is older than the TTL.
CREATE TABLE presence (
    user_id      TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    state        TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    since        TEXT NOT NULL,
    caller       TEXT NOT NULL DEFAULT '',
    caller_name  TEXT NOT NULL DEFAULT '',
    mos          REAL NOT NULL DEFAULT 0,
    node         TEXT NOT NULL,
    day          TEXT NOT NULL DEFAULT '',
    in_call      INTEGER NOT NULL DEFAULT 0,
    call_start   TEXT NOT NULL DEFAULT '',
    handle_ns    INTEGER NOT NULL DEFAULT 0,
    handled      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE board_nodes (
    node    TEXT PRIMARY KEY,
    seen_at TEXT NOT NULL
);

-- A raised hand, as JSON (sportello.RaisedHand).
CREATE TABLE raised_hands (
    agent_id TEXT PRIMARY KEY,
    hand     TEXT NOT NULL
);

-- The board's reads of today's wrap-ups (WrapUpCounts, WrapUpHours) from
-- the index alone, without a lookup of each event's row.
CREATE INDEX case_events_wrap_up_counts ON case_events (kind, at, author_id, outcome, author);

-- And of their first-contact resolution and MOS (FCRCounts, OperatorFCR,
-- WrapUpMOS), also from the index alone.
CREATE INDEX wrap_up_facts_board ON wrap_up_facts (at, author_id, resolved, repeat_of, repeated, mos);
