package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// PresenceStore is the part of the store that keeps the board's presence,
// raised hands and handle times, so that every syncd node on the database
// sees every node's agents and a restart loses none of it (issue 7).
type PresenceStore interface {
	// SavePresence writes an agent's presence (one row per agent, the
	// newest report wins).
	SavePresence(ctx context.Context, p wire.AgentPresence) error
	// MarkOffline sets an agent offline at a moment when their presence
	// came through node, and reports whether it did.
	MarkOffline(ctx context.Context, userID, node string, at time.Time) (bool, error)
	// Presences returns every agent's presence with its node's last
	// heartbeat.
	Presences(ctx context.Context) ([]wire.AgentPresence, error)
	// NodeHeartbeat records that node is alive at a moment.
	NodeHeartbeat(ctx context.Context, node string, at time.Time) error
	// SaveHand writes a raised (or answered) hand, DeleteHand lowers it,
	// both written by node; Hands returns the hands raised.
	SaveHand(ctx context.Context, node string, h sportello.RaisedHand) error
	DeleteHand(ctx context.Context, node, agentID string) error
	Hands(ctx context.Context) ([]sportello.RaisedHand, error)
}

// BoardNotifier is implemented by a store that several syncd nodes share
// (sync/postgres): BoardChanges sends the node that changed a presence or
// a hand ("" when unknown) until ctx ends. A server follows it with the
// store's Notifier, and reads presence and hands again when another node
// changed them.
type BoardNotifier interface {
	BoardChanges(ctx context.Context) <-chan string
}

// presenceKeptDays: an agent offline since more days than this leaves
// the board.
const presenceKeptDays = 7

// DefaultPresenceTTL is how long the agents of a node whose heartbeat
// stopped keep their state on the other nodes' boards: then they show
// offline. A node beats every third of it.
const DefaultPresenceTTL = 30 * time.Second

// presenceTTL returns the TTL of a silent node's presence.
func (c BoardConfig) presenceTTL() time.Duration {
	if c.PresenceTTL > 0 {
		return c.PresenceTTL
	}
	return DefaultPresenceTTL
}

// newNodeID names this process among the syncd nodes: a node that
// restarts is a new node, so the presence of the old one expires.
func newNodeID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// presenceRow is an agent's presence as stored, from this node's memory.
// Called with b.mu held.
func (b *board) presenceRow(id string) wire.AgentPresence {
	p := b.input.presence[id]
	row := wire.AgentPresence{UserID: id, Name: p.name, Role: p.role, State: p.state, Reason: p.reason, Since: p.since.UTC(), Node: b.node}
	if c := b.input.act.calls[id]; c != nil {
		row.Call, row.Day, row.InCall, row.CallStart, row.HandleTotal, row.Handled = c.call, c.day, c.inCall, c.start, c.total, c.handled
	}
	return row
}

// beginSave and endSave bracket a write of presence or hands to the
// store, so that a read of them that overlapped one is not taken for
// newer than this node's memory.
func (b *board) beginSave() {
	b.mu.Lock()
	b.saving++
	b.presenceGen++
	b.mu.Unlock()
}

func (b *board) endSave() {
	b.mu.Lock()
	b.saving--
	b.presenceGen++
	b.mu.Unlock()
}

// othersChanged is called when another node changed a presence or a
// hand: the board reads them again.
func (b *board) othersChanged() {
	b.mu.Lock()
	b.presenceDirty = true
	b.mu.Unlock()
	b.poke()
}

// loadPresence reads every node's presence and the raised hands from the
// store when another node changed them or a heartbeat period passed
// (to see a silent node's agents go offline), and pushes to this node's
// WebSockets the hands that another node changed. Agents of another node
// whose heartbeat is older than the TTL show offline; agents offline for
// more than a week are left out.
func (b *board) loadPresence(ctx context.Context) error {
	b.loading.Lock()
	defer b.loading.Unlock()
	cfg := b.cfg()
	now := b.s.Now()
	b.mu.Lock()
	since := now.Sub(b.presenceRead) // on the server's clock, as the heartbeats
	due := b.presenceDirty || since >= cfg.presenceTTL()/3 || since < 0
	gen, saving := b.presenceGen, b.saving
	b.presenceDirty = false
	b.mu.Unlock()
	if !due {
		return nil
	}
	retry := func() {
		b.mu.Lock()
		b.presenceDirty = true
		b.mu.Unlock()
	}
	if saving > 0 {
		retry()
		return nil
	}
	rows, err := b.s.store.Presences(ctx)
	var hands []sportello.RaisedHand
	if err == nil {
		hands, err = b.s.store.Hands(ctx)
	}
	if err != nil {
		retry()
		return err
	}
	day := startOfDay(now, cfg.Location)
	presence := make(map[string]presenceEntry, len(rows))
	calls := make(map[string]*agentCalls, len(rows))
	for _, r := range rows {
		p := presenceEntry{name: r.Name, role: r.Role, state: r.State, reason: r.Reason, since: r.Since, node: r.Node}
		call := r.Call
		if r.Node != b.node && now.Sub(r.NodeSeen) > cfg.presenceTTL() {
			// The node went silent: its agents' sockets are gone.
			p.state, p.reason, call = sportello.AgentOffline, "", sportello.PresenceCall{}
			if end := r.NodeSeen.Add(cfg.presenceTTL()); end.After(p.since) {
				p.since = end
			}
		}
		if p.state == sportello.AgentOffline && p.since.Before(day.AddDate(0, 0, -presenceKeptDays)) {
			continue
		}
		presence[r.UserID] = p
		calls[r.UserID] = &agentCalls{day: r.Day, inCall: r.InCall, start: r.CallStart, total: r.HandleTotal, handled: r.Handled, call: call}
	}
	byAgent := make(map[string]*sportello.RaisedHand, len(hands))
	for i := range hands {
		byAgent[hands[i].AgentID] = &hands[i]
	}

	b.mu.Lock()
	if b.presenceGen != gen || b.saving > 0 {
		// This node wrote meanwhile: its memory may be newer than what
		// was read. Read again on the next recompute.
		b.presenceDirty = true
		b.mu.Unlock()
		b.poke()
		return nil
	}
	var changedHands []string
	for id, h := range byAgent {
		if old := b.input.act.hands[id]; old == nil || !sameHand(*old, *h) {
			changedHands = append(changedHands, id)
		}
	}
	for id := range b.input.act.hands {
		if byAgent[id] == nil {
			changedHands = append(changedHands, id)
		}
	}
	b.input.presence, b.input.act.calls, b.input.act.hands = presence, calls, byAgent
	b.presenceRead = now
	b.mu.Unlock()
	for _, id := range changedHands {
		if !b.s.hub.userConnected(id) {
			continue
		}
		var out *sportello.RaisedHand
		if h := byAgent[id]; h != nil {
			c := *h
			out = &c
		}
		if frame, err := json.Marshal(wire.HandFrame(out)); err == nil {
			b.s.hub.pushHand(id, frame)
		}
	}
	return nil
}

// savePresence writes an agent's presence as this node's memory has it.
func (b *board) savePresence(ctx context.Context, id string) error {
	b.mu.Lock()
	row := b.presenceRow(id)
	b.mu.Unlock()
	return b.s.store.SavePresence(ctx, row)
}

// heartbeat records this node alive every third of the presence TTL,
// from start to stop, so that the other nodes keep showing its agents.
func (b *board) heartbeat() {
	defer close(b.hbDone)
	ttl := b.cfg().presenceTTL()
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), ttl/3)
		if err := b.s.store.NodeHeartbeat(ctx, b.node, b.s.Now()); err != nil {
			b.s.logger.Error("board heartbeat", logErr, err)
		}
		cancel()
		select {
		case <-b.quit:
			return
		case <-t.C:
		}
	}
}

// followBoard reads presence and hands again whenever another node
// changed them, until ctx ends; nothing when the store is not shared.
func (s *Server) followBoard(ctx context.Context, f *follower) {
	n, ok := s.store.(BoardNotifier)
	if !ok {
		return
	}
	b := s.boardOf()
	changes := n.BoardChanges(ctx)
	f.wg.Go(func() {
		for node := range changes {
			if node != b.node {
				b.othersChanged()
			}
		}
	})
}

// sameHand reports whether two hands show the same, times compared as
// instants.
func sameHand(x, y sportello.RaisedHand) bool {
	if !x.At.Equal(y.At) || !x.AnsweredAt.Equal(y.AnsweredAt) {
		return false
	}
	x.At, y.At, x.AnsweredAt, y.AnsweredAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return x == y
}
