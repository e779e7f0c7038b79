-- Issue 7: the board's presence, raised hands and handle times in the
-- database, shared by every syncd node and kept over restarts. One row
-- per agent, written by the node whose WebSocket the agent reported
-- through (a change is announced on NOTIFY channel sportello_board);
-- board_nodes holds each node's heartbeat, so the agents of a node that
-- died show offline once its heartbeat is older than the TTL.
CREATE TABLE presence (
    user_id      TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    state        TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    since        TIMESTAMPTZ NOT NULL,
    caller       TEXT NOT NULL DEFAULT '',
    caller_name  TEXT NOT NULL DEFAULT '',
    mos          DOUBLE PRECISION NOT NULL DEFAULT 0,
    node         TEXT NOT NULL,
    day          TIMESTAMPTZ,
    in_call      BOOLEAN NOT NULL DEFAULT false,
    call_start   TIMESTAMPTZ,
    handle_ns    BIGINT NOT NULL DEFAULT 0,
    handled      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE board_nodes (
    node    TEXT PRIMARY KEY,
    seen_at TIMESTAMPTZ NOT NULL
);

-- A raised hand, as JSON (sportello.RaisedHand).
CREATE TABLE raised_hands (
    agent_id TEXT PRIMARY KEY,
    hand     JSONB NOT NULL
);

-- The board's reads of today's wrap-ups (WrapUpCounts, WrapUpHours) and
-- of their first-contact resolution and MOS (FCRCounts, OperatorFCR,
-- WrapUpMOS) as index-only scans.
CREATE INDEX case_events_wrap_up_counts ON case_events (kind, at, author_id, outcome, author);
CREATE INDEX wrap_up_facts_board ON wrap_up_facts (at, author_id, resolved, repeat_of, repeated, mos);
