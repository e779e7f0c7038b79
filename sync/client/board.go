package client

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/sportello/sportello"
)

var (
	_ sportello.BoardService    = (*Client)(nil)
	_ sportello.PresenceService = (*Client)(nil)
)

// boardLink holds the client's board subscribers and the agent's last
// reported state.
type boardLink struct {
	mu       sync.Mutex
	subs     map[int]func(*sportello.Board)
	next     int
	presence *sportello.Presence // last reported, sent again on reconnect
	sending  sync.Mutex          // one report at a time, so they reach syncd in order
}

// Board returns the supervisor's board as syncd has it now.
func (c *Client) Board(ctx context.Context) (*sportello.Board, error) {
	var b sportello.Board
	if err := c.do(ctx, http.MethodGet, "/v1/board", nil, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// SubscribeBoard calls onBoard with each board syncd pushes (to
// supervisors and admins only), on the sync goroutine, until cancel.
func (c *Client) SubscribeBoard(onBoard func(*sportello.Board)) (cancel func()) {
	l := &c.board
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.subs == nil {
		l.subs = map[int]func(*sportello.Board){}
	}
	id := l.next
	l.next++
	l.subs[id] = onBoard
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.subs, id)
	}
}

// watched reports whether anyone subscribed to the board: a board frame
// is large, and a desktop that shows no board (or a simulated one, 50 of
// them in loadgen on syncd's cores) need not decode it.
func (l *boardLink) watched() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.subs) > 0
}

// deliverBoard hands a pushed board to the subscribers.
func (c *Client) deliverBoard(b *sportello.Board) {
	l := &c.board
	l.mu.Lock()
	subs := make([]func(*sportello.Board), 0, len(l.subs))
	for _, f := range l.subs {
		subs = append(subs, f)
	}
	l.mu.Unlock()
	for _, f := range subs {
		f(b)
	}
}

// SetPresence reports the agent's state to syncd. syncd marks an agent
// offline when their WebSocket closes, so the client reports the last
// state again each time it reconnects.
func (c *Client) SetPresence(ctx context.Context, p sportello.Presence) error {
	c.board.sending.Lock()
	defer c.board.sending.Unlock()
	c.board.mu.Lock()
	c.board.presence = &p
	c.board.mu.Unlock()
	return c.do(ctx, http.MethodPost, "/v1/presence", p, nil)
}

// presenceAgain reports the last state again after a reconnect, without
// holding up the sync goroutine.
func (c *Client) presenceAgain() {
	c.board.mu.Lock()
	p := c.board.presence
	c.board.mu.Unlock()
	if p == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c.board.sending.Lock()
		defer c.board.sending.Unlock()
		// A newer SetPresence may have gone first: send only what is still the last.
		c.board.mu.Lock()
		same := c.board.presence == p
		c.board.mu.Unlock()
		if !same {
			return
		}
		if err := c.do(ctx, http.MethodPost, "/v1/presence", *p, nil); err != nil {
			c.logger.Info("presence not reported again", logErr, err)
		}
	}()
}
