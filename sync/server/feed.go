package server

import (
	"net/http"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// sinceHead is the since of a WebSocket opened with since=head: the
// connection starts at the newest seq, which its hello frame carries.
const sinceHead = -1

// sinceParam reads the since query parameter of /v1/ws: a seq, or
// wire.SinceHead for a desktop whose replica is empty and takes its
// working set from card lookups and queues rather than by replaying the
// whole change log.
func sinceParam(r *http.Request) (int64, error) {
	if r.URL.Query().Get("since") == wire.SinceHead {
		return sinceHead, nil
	}
	return queryInt(r, "since", 0)
}

// frameOf returns the frame that carries ch to c, and whether to send it
// at all. The default feed sends every change, those c may not see as
// hidden placeholders, so that the desktop's cursor moves by one. A
// visible-only feed (wire.FeedVisible) sends only what c may see, each
// frame with the seq sent before it (*prev, which it advances), so that
// the desktop can tell a skipped change it may not see from a gap: at
// 2,000 desktops most changes are for a handful of them, and a
// placeholder per change per desktop is most of the traffic.
func (c *wsConn) frameOf(ch sportello.Change, prev *int64) (wire.ServerFrame, bool) {
	if !c.visible {
		return wire.ChangeFrame(c.viewer.show(ch)), true
	}
	if !c.viewer.visible(ch) {
		return wire.ServerFrame{}, false
	}
	f := wire.ChangeFrameAfter(ch, *prev)
	*prev = ch.Seq
	return f, true
}
