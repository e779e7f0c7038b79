package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// presenceDayGone is how long a silent node's heartbeat is kept: after
// it, its agents' rows read as from no node (offline).
const presenceDayGone = 24 * time.Hour

// optTimeText stores a zero time as "".
func optTimeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return encodeTime(t)
}

// optTimeDecode reads a time stored by optTimeText.
func optTimeDecode(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return decodeTime(s)
}

// SavePresence writes an agent's presence for the board: one row per
// agent, the newest report wins whichever node it came through.
func (db *DB) SavePresence(ctx context.Context, p wire.AgentPresence) error {
	err := db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO presence (user_id, name, role, state, reason, since, caller, caller_name, mos, node, day, in_call, call_start, handle_ns, handled)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, role = excluded.role, state = excluded.state,
				reason = excluded.reason, since = excluded.since, caller = excluded.caller, caller_name = excluded.caller_name,
				mos = excluded.mos, node = excluded.node, day = excluded.day, in_call = excluded.in_call,
				call_start = excluded.call_start, handle_ns = excluded.handle_ns, handled = excluded.handled`,
			p.UserID, p.Name, string(p.Role), string(p.State), p.Reason, encodeTime(p.Since), p.Call.Caller, p.Call.CallerName, p.Call.MOS,
			p.Node, optTimeText(p.Day), p.InCall, optTimeText(p.CallStart), int64(p.HandleTotal), p.Handled)
		return err
	})
	return internal("save presence", err)
}

// MarkOffline sets an agent offline at a moment, with no caller, when
// their presence was last reported through node: a WebSocket closing on
// one node does not undo what the agent reports through another. It
// reports whether it changed a row.
func (db *DB) MarkOffline(ctx context.Context, userID, node string, at time.Time) (bool, error) {
	var changed bool
	err := db.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE presence SET state = ?, reason = '', since = ?, caller = '', caller_name = '', mos = 0
			WHERE user_id = ? AND node = ? AND state <> ?`,
			string(sportello.AgentOffline), encodeTime(at), userID, node, string(sportello.AgentOffline))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		changed = n > 0
		return err
	})
	return changed, internal("mark offline", err)
}

// Presences returns every agent's presence with the last heartbeat of
// the node it came through (zero when that node left none).
func (db *DB) Presences(ctx context.Context) ([]wire.AgentPresence, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT p.user_id, p.name, p.role, p.state, p.reason, p.since, p.caller, p.caller_name, p.mos, p.node,
			COALESCE(n.seen_at, ''), p.day, p.in_call, p.call_start, p.handle_ns, p.handled
		FROM presence p LEFT JOIN board_nodes n ON n.node = p.node ORDER BY p.user_id`)
	if err != nil {
		return nil, internal("presences", err)
	}
	defer rows.Close()
	var out []wire.AgentPresence
	for rows.Next() {
		var p wire.AgentPresence
		var role, state, since, seen, day, start string
		var handle int64
		if err := rows.Scan(&p.UserID, &p.Name, &role, &state, &p.Reason, &since, &p.Call.Caller, &p.Call.CallerName, &p.Call.MOS, &p.Node,
			&seen, &day, &p.InCall, &start, &handle, &p.Handled); err != nil {
			return nil, internal("presences", err)
		}
		p.Role, p.State, p.HandleTotal = sportello.Role(role), sportello.AgentState(state), time.Duration(handle)
		if p.Since, err = decodeTime(since); err != nil {
			return nil, internal("presences", err)
		}
		if p.NodeSeen, err = optTimeDecode(seen); err != nil {
			return nil, internal("presences", err)
		}
		if p.Day, err = optTimeDecode(day); err != nil {
			return nil, internal("presences", err)
		}
		if p.CallStart, err = optTimeDecode(start); err != nil {
			return nil, internal("presences", err)
		}
		out = append(out, p)
	}
	return out, internal("presences", rows.Err())
}

// NodeHeartbeat records that a syncd node is alive at a moment, and
// forgets the nodes silent for a day.
func (db *DB) NodeHeartbeat(ctx context.Context, node string, at time.Time) error {
	err := db.update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO board_nodes (node, seen_at) VALUES (?, ?)
			ON CONFLICT (node) DO UPDATE SET seen_at = excluded.seen_at`, node, encodeTime(at)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM board_nodes WHERE seen_at < ?`, encodeTime(at.Add(-presenceDayGone)))
		return err
	})
	return internal("node heartbeat", err)
}

// SaveHand writes an agent's raised hand (raised or answered); node is
// the syncd node that wrote it.
func (db *DB) SaveHand(ctx context.Context, node string, h sportello.RaisedHand) error {
	data, err := json.Marshal(h)
	if err != nil {
		return internal("save hand", err)
	}
	err = db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO raised_hands (agent_id, hand) VALUES (?, ?)
			ON CONFLICT (agent_id) DO UPDATE SET hand = excluded.hand`, h.AgentID, string(data))
		return err
	})
	return internal("save hand", err)
}

// DeleteHand lowers an agent's hand (none raised: nothing to do).
func (db *DB) DeleteHand(ctx context.Context, node, agentID string) error {
	err := db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM raised_hands WHERE agent_id = ?`, agentID)
		return err
	})
	return internal("delete hand", err)
}

// Hands returns the hands raised, by agent id.
func (db *DB) Hands(ctx context.Context) ([]sportello.RaisedHand, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT hand FROM raised_hands ORDER BY agent_id`)
	if err != nil {
		return nil, internal("hands", err)
	}
	defer rows.Close()
	var out []sportello.RaisedHand
	for rows.Next() {
		var data string
		var h sportello.RaisedHand
		if err := rows.Scan(&data); err != nil {
			return nil, internal("hands", err)
		}
		if err := json.Unmarshal([]byte(data), &h); err != nil {
			return nil, internal("hands", err)
		}
		out = append(out, h)
	}
	return out, internal("hands", rows.Err())
}
