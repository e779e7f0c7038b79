package client

import (
	"context"
	"net/http"
	"net/url"
	"sync"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

var (
	_ sportello.HandService        = (*Client)(nil)
	_ sportello.BoardActionService = (*Client)(nil)
)

// handLink holds the client's raised-hand subscribers.
type handLink struct {
	mu   sync.Mutex
	subs map[int]func(*sportello.RaisedHand)
	next int
}

// RaiseHand asks a supervisor for help; every board shows it with the
// agent's current call.
func (c *Client) RaiseHand(ctx context.Context, note string) (*sportello.RaisedHand, error) {
	var h sportello.RaisedHand
	if err := c.do(ctx, http.MethodPost, "/v1/hand", wire.RaiseHandRequest{Note: note}, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// LowerHand takes the agent's hand down.
func (c *Client) LowerHand(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/v1/hand", nil, nil)
}

// SubscribeHand calls onHand with the agent's hand each time syncd
// pushes it (answered, or nil once lowered), on the sync goroutine,
// until cancel.
func (c *Client) SubscribeHand(onHand func(*sportello.RaisedHand)) (cancel func()) {
	l := &c.hand
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.subs == nil {
		l.subs = map[int]func(*sportello.RaisedHand){}
	}
	id := l.next
	l.next++
	l.subs[id] = onHand
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.subs, id)
	}
}

// deliverHand hands a pushed hand to the subscribers.
func (c *Client) deliverHand(h *sportello.RaisedHand) {
	l := &c.hand
	l.mu.Lock()
	subs := make([]func(*sportello.RaisedHand), 0, len(l.subs))
	for _, f := range l.subs {
		subs = append(subs, f)
	}
	l.mu.Unlock()
	for _, f := range subs {
		f(h)
	}
}

// AnswerHand tells an agent that the signed-in supervisor is coming.
func (c *Client) AnswerHand(ctx context.Context, agentID string) (*sportello.RaisedHand, error) {
	var h sportello.RaisedHand
	if err := c.do(ctx, http.MethodPost, "/v1/hands/"+url.PathEscape(agentID)+"/answer", nil, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// ReassignCallback gives a scheduled callback to another owner: a user
// id, the pool, or a desk.
func (c *Client) ReassignCallback(ctx context.Context, id, owner string) (*sportello.Callback, error) {
	var cb sportello.Callback
	if err := c.do(ctx, http.MethodPost, "/v1/callbacks/"+url.PathEscape(id)+"/owner", wire.ReassignCallbackRequest{Owner: owner}, &cb); err != nil {
		return nil, err
	}
	return &cb, nil
}

// MoveAgent takes an agent out of a desk and into another (either may
// be empty).
func (c *Client) MoveAgent(ctx context.Context, agentID, fromDesk, toDesk string) error {
	return c.do(ctx, http.MethodPost, "/v1/agents/"+url.PathEscape(agentID)+"/desks", wire.MoveAgentRequest{From: fromDesk, To: toDesk}, nil)
}
