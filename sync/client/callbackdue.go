package client

import (
	"sync"

	"github.com/sportello/sportello"
)

var _ sportello.CallbackDueService = (*Client)(nil)

// dueLink holds the client's callback_due subscribers.
type dueLink struct {
	mu   sync.Mutex
	subs map[int]func(*sportello.Callback, int)
	next int
}

// SubscribeCallbacksDue calls onDue each time syncd pushes callbacks as
// just due to this user (their own, the pool's, their desks'): the first
// in the calling order and how many more; on the sync goroutine, until
// cancel.
func (c *Client) SubscribeCallbacksDue(onDue func(*sportello.Callback, int)) (cancel func()) {
	l := &c.due
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.subs == nil {
		l.subs = map[int]func(*sportello.Callback, int){}
	}
	id := l.next
	l.next++
	l.subs[id] = onDue
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.subs, id)
	}
}

// deliverDue hands a push of callbacks due to the subscribers.
func (c *Client) deliverDue(cb *sportello.Callback, more int) {
	l := &c.due
	l.mu.Lock()
	subs := make([]func(*sportello.Callback, int), 0, len(l.subs))
	for _, f := range l.subs {
		subs = append(subs, f)
	}
	l.mu.Unlock()
	for _, f := range subs {
		f(cb, more)
	}
}
