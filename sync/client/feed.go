package client

import (
	"context"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// startsAtHead reports whether the next WebSocket should start at syncd's
// head rather than replay the change log from cursor: a desktop with a
// replica that has never had a cursor (a fresh sign-in) takes its working
// set from caller lookups and queues, so the history of the whole city
// would be read for nothing. A client without a replica (the embedded
// single-user syncd, tools) replays from its cursor as before.
func (c *Client) startsAtHead(cursor int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Replica != nil && cursor == 0 && !c.atHead
}

// startAt makes head, from the hello of a connection opened at the head,
// the cursor, on disk too, and returns it.
func (c *Client) startAt(head int64) int64 {
	if c.Replica != nil {
		if err := c.Replica.SetCursor(context.Background(), head); err != nil {
			c.logger.Warn("keep cursor", logErr, err)
		}
	}
	c.mu.Lock()
	c.atHead = true
	c.mu.Unlock()
	c.setState(func(s *sportello.SyncState) { s.Cursor = head })
	c.logger.Info("sync starts at the head", logCursor, head)
	return head
}

// after reports whether a change frame of the visible-only feed, or a
// pong (position.go), follows on from cursor: its prev, the change syncd
// sent before it, is at or below the cursor, so the seqs skipped in
// between are changes this user may not see, not a gap.
func after(f wire.ServerFrame, cursor int64) bool {
	return f.Prev != nil && *f.Prev <= cursor
}
