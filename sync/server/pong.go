package server

import "github.com/sportello/sportello/sync/wire"

// pong answers a ping on c with how far c is in sync (wire.PongAfter):
// the newest seq the hub has published, once every change up to it that
// the hub queued on c has gone through live, c's writer for queued
// changes. ok is false when c is ending: no pong then.
//
// Why the head is safe to give as a resume point: publish offers each
// change, in seq order and under the hub's mu, to every connection whose
// user may see it (hubindex.go), and a connection dropped for a full
// queue leaves the hub under the same lock. So when headFor finds c still
// in the hub, every change up to the head its user may see is either
// sent already, or waiting in c.send, or was published before c joined
// and so is in the backlog the writer read from the store (last is at or
// past the store's head after it). Draining c.send up to the head before
// writing the pong puts the pong after every one of those frames on the
// socket: no change up to the head the user may see can follow it, and a
// desktop that reconnects with since set to the head misses nothing.
func (s *Server) pong(c *wsConn, last, prev *int64, live func(*queued)) (wire.ServerFrame, bool) {
	head, ok := s.hub.headFor(c)
	if !ok {
		return wire.ServerFrame{}, false // dropped: it reconnects and catches up
	}
drain:
	for *last < head {
		select {
		case q := <-c.send:
			live(q)
		default:
			break drain // the rest of what the hub queued is sent
		}
	}
	select {
	case <-c.quit:
		return wire.ServerFrame{}, false // a write or the backlog failed
	default:
	}
	sent := *prev
	if !c.visible {
		sent = *last // the default feed sends every seq, hidden ones as placeholders
	}
	return wire.PongAfter(max(*last, head), sent), true
}

// headFor returns the newest seq the hub has published, and whether c is
// still in the hub, so offered every change published since it joined.
func (h *hub) headFor(c *wsConn) (head int64, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.conns[c]; !ok {
		return 0, false
	}
	return h.lastSeq, true
}
