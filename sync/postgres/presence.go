package postgres

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// ChannelBoard is the LISTEN/NOTIFY channel on which a change of an
// agent's presence or raised hand is announced, with the name of the
// syncd node that wrote it as the payload.
const ChannelBoard = "sportello_board"

// presenceDayGone is how long a silent node's heartbeat is kept: after
// it, its agents' rows read as from no node (offline).
const presenceDayGone = 24 * time.Hour

// boardSubs are the receivers of BoardChanges.
type boardSubs struct {
	mu   sync.Mutex
	subs map[chan string]struct{}
}

// BoardChanges sends the node named in each presence or hand change
// committed on the database (by any node, this one included), until ctx
// ends (then it closes the channel). The notifications come through the
// LISTEN connection of Changes, which must be running. A reader that
// falls behind gets "" (some node) in place of what it missed; so does
// every reader after that connection is made again. It implements
// sync/server's BoardNotifier.
func (db *DB) BoardChanges(ctx context.Context) <-chan string {
	ch := make(chan string, 1)
	db.board.mu.Lock()
	if db.board.subs == nil {
		db.board.subs = map[chan string]struct{}{}
	}
	db.board.subs[ch] = struct{}{}
	db.board.mu.Unlock()
	go func() {
		<-ctx.Done()
		db.board.mu.Lock()
		delete(db.board.subs, ch)
		db.board.mu.Unlock()
		close(ch)
	}()
	return ch
}

// boardNotify sends node to every BoardChanges receiver without waiting.
func (db *DB) boardNotify(node string) {
	db.board.mu.Lock()
	defer db.board.mu.Unlock()
	for ch := range db.board.subs {
		select {
		case ch <- node:
			continue
		default:
		}
		select { // full: the two changes become one from "some node"
		case <-ch:
		default:
		}
		select {
		case ch <- "":
		default:
		}
	}
}

// notifyBoard announces a presence or hand change of node when tx commits.
func notifyBoard(ctx context.Context, tx pgx.Tx, node string) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, ChannelBoard, node)
	return err
}

// optTime0 reads a NULL time as zero.
func optTime0(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// SavePresence writes an agent's presence for the board: one row per
// agent, the newest report wins whichever node it came through.
func (db *DB) SavePresence(ctx context.Context, p wire.AgentPresence) error {
	err := db.update(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO presence (user_id, name, role, state, reason, since, caller, caller_name, mos, node, day, in_call, call_start, handle_ns, handled)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
			ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, role = excluded.role, state = excluded.state,
				reason = excluded.reason, since = excluded.since, caller = excluded.caller, caller_name = excluded.caller_name,
				mos = excluded.mos, node = excluded.node, day = excluded.day, in_call = excluded.in_call,
				call_start = excluded.call_start, handle_ns = excluded.handle_ns, handled = excluded.handled`,
			p.UserID, p.Name, string(p.Role), string(p.State), p.Reason, p.Since.UTC(), p.Call.Caller, p.Call.CallerName, p.Call.MOS,
			p.Node, optTime(p.Day), p.InCall, optTime(p.CallStart), int64(p.HandleTotal), p.Handled); err != nil {
			return err
		}
		return notifyBoard(ctx, tx, p.Node)
	})
	return internal("save presence", err)
}

// MarkOffline sets an agent offline at a moment, with no caller, when
// their presence was last reported through node: a WebSocket closing on
// one node does not undo what the agent reports through another. It
// reports whether it changed a row.
func (db *DB) MarkOffline(ctx context.Context, userID, node string, at time.Time) (bool, error) {
	var changed bool
	err := db.update(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE presence SET state = $1, reason = '', since = $2, caller = '', caller_name = '', mos = 0
			WHERE user_id = $3 AND node = $4 AND state <> $1`,
			string(sportello.AgentOffline), at.UTC(), userID, node)
		if err != nil {
			return err
		}
		if changed = tag.RowsAffected() > 0; changed {
			return notifyBoard(ctx, tx, node)
		}
		return nil
	})
	return changed, internal("mark offline", err)
}

// Presences returns every agent's presence with the last heartbeat of
// the node it came through (zero when that node left none).
func (db *DB) Presences(ctx context.Context) ([]wire.AgentPresence, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT p.user_id, p.name, p.role, p.state, p.reason, p.since, p.caller, p.caller_name, p.mos, p.node,
			n.seen_at, p.day, p.in_call, p.call_start, p.handle_ns, p.handled
		FROM presence p LEFT JOIN board_nodes n ON n.node = p.node ORDER BY p.user_id`)
	if err != nil {
		return nil, internal("presences", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (wire.AgentPresence, error) {
		var p wire.AgentPresence
		var role, state string
		var seen, day, start *time.Time
		var handle int64
		err := r.Scan(&p.UserID, &p.Name, &role, &state, &p.Reason, &p.Since, &p.Call.Caller, &p.Call.CallerName, &p.Call.MOS, &p.Node,
			&seen, &day, &p.InCall, &start, &handle, &p.Handled)
		p.Role, p.State, p.HandleTotal = sportello.Role(role), sportello.AgentState(state), time.Duration(handle)
		p.Since, p.NodeSeen, p.Day, p.CallStart = p.Since.UTC(), optTime0(seen), optTime0(day), optTime0(start)
		return p, err
	})
	return out, internal("presences", err)
}

// NodeHeartbeat records that a syncd node is alive at a moment, and
// forgets the nodes silent for a day.
func (db *DB) NodeHeartbeat(ctx context.Context, node string, at time.Time) error {
	err := db.update(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO board_nodes (node, seen_at) VALUES ($1, $2)
			ON CONFLICT (node) DO UPDATE SET seen_at = excluded.seen_at`, node, at.UTC()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM board_nodes WHERE seen_at < $1`, at.Add(-presenceDayGone).UTC())
		return err
	})
	return internal("node heartbeat", err)
}

// SaveHand writes an agent's raised hand (raised or answered) and
// announces it on ChannelBoard from node.
func (db *DB) SaveHand(ctx context.Context, node string, h sportello.RaisedHand) error {
	data, err := json.Marshal(h)
	if err != nil {
		return internal("save hand", err)
	}
	err = db.update(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO raised_hands (agent_id, hand) VALUES ($1, $2)
			ON CONFLICT (agent_id) DO UPDATE SET hand = excluded.hand`, h.AgentID, string(data)); err != nil {
			return err
		}
		return notifyBoard(ctx, tx, node)
	})
	return internal("save hand", err)
}

// DeleteHand lowers an agent's hand (none raised: nothing to do) and
// announces it on ChannelBoard from node.
func (db *DB) DeleteHand(ctx context.Context, node, agentID string) error {
	err := db.update(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM raised_hands WHERE agent_id = $1`, agentID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return notifyBoard(ctx, tx, node)
	})
	return internal("delete hand", err)
}

// Hands returns the hands raised, by agent id.
func (db *DB) Hands(ctx context.Context) ([]sportello.RaisedHand, error) {
	rows, err := db.pool.Query(ctx, `SELECT hand::text FROM raised_hands ORDER BY agent_id`)
	if err != nil {
		return nil, internal("hands", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sportello.RaisedHand, error) {
		var data string
		var h sportello.RaisedHand
		if err := r.Scan(&data); err != nil {
			return h, err
		}
		return h, json.Unmarshal([]byte(data), &h)
	})
	return out, internal("hands", err)
}
