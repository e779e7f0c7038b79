package server

import (
	"bytes"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello/sync/wire"
)

// encodedFrames are the frames of one published change, each encoded
// once, by the first writer that needs it, and shared by every
// connection that sends it: at 2,000 desktops, encoding the change again
// for each connection (Conn.WriteJSON) was over a quarter of syncd's CPU.
// A visible-only feed's frame differs per connection only by its prev,
// spliced into the change frame (frameAfter).
type encodedFrames struct {
	changeOnce, hiddenOnce sync.Once
	change, hidden         []byte // as Conn.WriteJSON writes them; nil when not encodable
}

// changeFrame returns the encoded wire.ChangeFrame of q's change.
func (q *queued) changeFrame() []byte {
	q.frames.changeOnce.Do(func() {
		q.frames.change = encodeFrame(wire.ChangeFrame(q.change))
	})
	return q.frames.change
}

// hiddenFrame returns the encoded frame of q's change's hidden placeholder.
func (q *queued) hiddenFrame() []byte {
	q.frames.hiddenOnce.Do(func() {
		q.frames.hidden = encodeFrame(wire.ChangeFrame(wire.Hidden(q.change)))
	})
	return q.frames.hidden
}

// encodeFrame returns f as Conn.WriteJSON writes it (a json.Encoder's
// output, newline included), nil when it cannot be encoded. It calls the
// frame's MarshalJSON itself: an Encoder checks and compacts again what
// a MarshalJSON returns, already compact, which was half the cost of
// encoding a change (2% of syncd's CPU at 1,000 ops/s).
func encodeFrame(f wire.ServerFrame) []byte {
	b, err := f.MarshalJSON()
	if err != nil {
		return nil
	}
	return append(b, '\n')
}

// frameEnd ends an encoded change frame: the frame's closing brace and
// the encoder's newline.
var frameEnd = []byte("}\n")

// frameAfter appends to dst what Conn.WriteJSON writes for
// wire.ChangeFrameAfter(c, prev), given change, the encoded
// wire.ChangeFrame(c): the same bytes, with "prev" after "change" as the
// frame's fields go, and the change not encoded again. ok is false when
// change does not end as an encoded frame does.
func frameAfter(dst, change []byte, prev int64) (out []byte, ok bool) {
	body, found := bytes.CutSuffix(change, frameEnd)
	if !found {
		return dst, false
	}
	dst = append(dst, body...)
	dst = append(dst, `,"prev":`...)
	dst = strconv.AppendInt(dst, prev, 10)
	return append(dst, frameEnd...), true
}

// framePool holds the buffers visible-only frames are spliced in.
var framePool = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledFrame bounds the buffers kept in framePool: a rare big change
// does not pin its buffer.
const maxPooledFrame = 64 << 10

// writeLive writes a published change to c as c's feed carries it, from
// q's frames encoded once for every connection: a visible-only feed the
// change with *prev (which it advances), or nothing when c's user may not
// see it; the default feed the change or its hidden placeholder. wrote
// reports whether a frame was written, ok whether the connection is still
// good (a failed write stops it). A change that cannot be encoded goes
// through write, as any frame would.
func (s *Server) writeLive(c *wsConn, q *queued, prev *int64, write func(wire.ServerFrame) bool) (wrote, ok bool) {
	ch := q.change
	var data []byte
	switch {
	case c.visible && !c.viewer.visible(ch):
		return false, true
	case c.visible:
		buf := framePool.Get().(*[]byte)
		defer func() {
			if cap(*buf) <= maxPooledFrame {
				framePool.Put(buf)
			}
		}()
		spliced, good := frameAfter((*buf)[:0], q.changeFrame(), *prev)
		*buf = spliced
		if !good {
			f, _ := c.frameOf(ch, prev)
			return true, write(f)
		}
		*prev = ch.Seq
		data = spliced
	case c.viewer.visible(ch):
		data = q.changeFrame()
	default:
		data = q.hiddenFrame()
	}
	if data == nil {
		f, _ := c.frameOf(ch, prev)
		return true, write(f)
	}
	c.ws.SetWriteDeadline(time.Now().Add(s.WriteTimeout))
	if err := c.ws.WriteMessage(websocket.TextMessage, data); err != nil {
		c.stop(websocket.CloseAbnormalClosure, "")
		return true, false
	}
	return true, true
}
