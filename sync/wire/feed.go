package wire

import "github.com/sportello/sportello"

// SinceHead, as the since of GET /v1/ws, starts the connection at syncd's
// newest seq (the hello frame's cursor) with no backlog: what a desktop
// with an empty replica asks for, since its working set comes from caller
// lookups and queues, not from replaying the whole change log.
const SinceHead = "head"

// FeedParam is the query parameter of GET /v1/ws that chooses the feed;
// FeedVisible is its one value besides the default.
const FeedParam = "feed"

// FeedVisible asks syncd (GET /v1/ws?feed=visible) to send only the
// changes the user may see, each change frame with Prev, instead of a
// hidden placeholder for every change the user may not see. The desktop
// accepts a change whose Prev is at or below its cursor: nothing it may
// see lies between; a Prev above its cursor is a gap, and it subscribes
// again from its cursor.
const FeedVisible = "visible"

// ChangeFrameAfter returns the frame of a visible-only feed that carries
// c, sent after the change prev (or after the connection's start).
func ChangeFrameAfter(c sportello.Change, prev int64) ServerFrame {
	return ServerFrame{Type: FrameChange, Change: &c, Prev: &prev}
}
