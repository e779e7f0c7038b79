package client

import (
	"context"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// DefaultPositionInterval is how often a desktop asks syncd how far it is
// in sync, unless PositionInterval says otherwise.
const DefaultPositionInterval = 10 * time.Second

// Why the desktop takes syncd's head from a pong as its cursor.
//
// syncd pushes a desktop only the changes its user may see (feed=visible),
// so the last change a desktop received lags syncd's head, or stays 0 on
// a desktop pushed nothing yet, though it lacks nothing. A ping asks how
// far it is in sync: syncd answers, after every change up to its head
// that this user may see (sync/server/pong.go), with a pong whose cursor
// is that head and whose prev is the last change it sent. Frames arrive
// in order, so when the pong's prev is at or below the cursor (the same
// check as a change frame's prev) the desktop has taken every one of
// them, and the head becomes its cursor, on disk too: a reconnect resumes
// from it and is sent every later change it may see. A prev above the
// cursor means a sent change was not taken (a frame that did not decode):
// the desktop subscribes again from its cursor, as for any gap.

// askPosition pings syncd at once, then every PositionInterval, until ctx
// ends or a write fails (the reader then sees the connection end).
func (c *Client) askPosition(ctx context.Context, w *frameWriter) {
	every := c.PositionInterval
	var tick <-chan time.Time
	if every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	for {
		if err := w.write(wire.Ping()); err != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}

// syncedTo makes seq, the head a pong confirmed, the cursor, on disk too,
// and returns it.
func (c *Client) syncedTo(seq int64) int64 {
	if c.Replica != nil {
		if err := c.Replica.SetCursor(context.Background(), seq); err != nil {
			c.logger.Warn("keep cursor", logErr, err)
		}
	}
	c.setState(func(s *sportello.SyncState) { s.Cursor = max(s.Cursor, seq) })
	return seq
}

// frameWriter writes a session's data frames one at a time: the reader's
// subscribes and askPosition's pings (a gorilla Conn takes one writer).
type frameWriter struct {
	mu sync.Mutex
	ws *websocket.Conn
}

// write sends f within 5 seconds.
func (w *frameWriter) write(f wire.ClientFrame) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return w.ws.WriteJSON(f)
}
