package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// hub fans changes out to the WebSockets. Publishing never blocks: a
// connection whose queue is full is dropped, and its desktop reconnects
// from its cursor and catches up from the store.
type hub struct {
	metrics *metrics // nil in tests of the hub alone

	mu      sync.Mutex
	conns   map[*wsConn]struct{}
	idx     hubIndex // who may see what (hubindex.go)
	round   uint64   // publishes so far: marks a connection offered the current one
	closed  bool
	lastSeq int64          // the newest change published: publish goes in seq order
	wg      sync.WaitGroup // one per connection being served
}

func newHub() *hub { return &hub{conns: make(map[*wsConn]struct{}), idx: newHubIndex()} }

// add registers c; false when the hub is closed.
func (h *hub) add(c *wsConn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.conns[c] = struct{}{}
	h.idx.add(c)
	c.joined = h.lastSeq
	h.wg.Add(1)
	return true
}

// remove unregisters c once its goroutines are done.
func (h *hub) remove(c *wsConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.conns, c)
	h.idx.drop(c)
	h.wg.Done()
}

// queued is a change waiting in a connection's send queue, with when it
// was published, for the push latency, and its frames, encoded once for
// every connection (hubframes.go).
type queued struct {
	change sportello.Change
	at     time.Time
	frames encodedFrames
}

// publish queues ch on every connection that may see it without waiting
// for any. The queues hold pointers to one shared copy: an idle
// connection's queue of DefaultSendQueue costs 8 bytes a slot, not a
// whole change. A visible-only feed is not offered the changes its user
// may not see, and the hub's index finds those who may without asking
// every connection (hubindex.go): at 2,000 desktops most changes are for
// a handful of them; the writer tells such a skip from a gap by its seq
// (writeFrames). Changes are published in seq order.
func (h *hub) publish(ch sportello.Change) {
	q := &queued{change: ch, at: time.Now()}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastSeq = max(h.lastSeq, ch.Seq)
	var slow []*wsConn
	h.offerEach(ch, func(c *wsConn) {
		select {
		case c.send <- q:
		default:
			slow = append(slow, c)
		}
	})
	for _, c := range slow {
		delete(h.conns, c) // nothing more for it: it resyncs from the store
		h.idx.drop(c)
		c.stop(wire.CloseTryAgainLater, "too slow: reconnect from your cursor")
		if h.metrics != nil {
			h.metrics.inc(`syncd_websockets_dropped_total{reason="slow"}`)
		}
	}
}

// stats returns the number of connections and the sum and maximum of
// their send queues' depths.
func (h *hub) stats() (conns, depthSum, depthMax int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		n := len(c.send)
		depthSum += n
		depthMax = max(depthMax, n)
	}
	return len(h.conns), depthSum, depthMax
}

// addCitizen widens the viewers of a session's connections to a citizen.
func (h *hub) addCitizen(session, citizenID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		if c.session == session && c.viewer != nil {
			c.viewer.addCitizen(citizenID)
			h.idx.put(c, byCitizen, citizenID)
		}
	}
}

// dropSession ends the connections of a session that signed out.
func (h *hub) dropSession(session string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		if c.session == session {
			delete(h.conns, c)
			h.idx.drop(c)
			c.stop(wire.ClosePolicyViolation, "signed out")
		}
	}
}

// close tells every connection that syncd is going away and refuses new ones.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.conns {
		c.stop(wire.CloseGoingAway, "syncd is shutting down")
	}
}

// wait waits up to d for the connections to finish.
func (h *hub) wait(d time.Duration) {
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// wsConn is one desktop's WebSocket: a reader goroutine for its frames and
// a writer (the handler's goroutine) that alone writes data frames.
type wsConn struct {
	ws      *websocket.Conn
	user    *sportello.User
	session string  // sessionKey of its token
	viewer  *viewer // what it may see
	visible bool    // feed=visible: only what it may see, with prev (feed.go)
	joined  int64   // the hub's newest seq when it joined: every later one is offered to it
	// Under the hub's mu (hubindex.go): offered every change, or indexed
	// by its user and what its viewer names; the publish round it was
	// last offered.
	everyChange bool
	indexed     bool
	offered     uint64
	send        chan *queued  // live changes, bounded; shared, read-only
	pongs       chan struct{} // a ping to answer
	resub       chan int64    // a subscribe to serve
	boards      chan []byte   // the newest board frame; nil for users who do not see the board (board.go)
	hands       chan []byte   // the newest frame of the user's raised hand (boardact.go)
	dues        chan []byte   // callbacks of the user's just due (callbackdue.go)
	quit        chan struct{} // closed by stop
	once        sync.Once
	code        int    // close code, set by stop
	reason      string // close reason, set by stop
}

// stop ends the connection with a close code; the first call wins.
func (c *wsConn) stop(code int, reason string) {
	c.once.Do(func() {
		c.code, c.reason = code, reason
		close(c.quit)
	})
}

var upgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 4096,
	// An idle connection holds no write buffer: one is taken from the
	// pool for each frame written.
	WriteBufferPool: &sync.Pool{},
	// Desktops are not browsers and sign in with a bearer token, never a
	// cookie, so a cross-origin page gains nothing: accept any origin.
	CheckOrigin: func(r *http.Request) bool { return true },
}

// handleWebSocket serves GET /v1/ws?since=N: hello, every change after N,
// then each change as it commits. since=head starts at the hello's
// cursor, with no backlog: a desktop whose replica is empty (feed.go).
func (s *Server) handleWebSocket(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	since, err := sinceParam(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.viewerOf(r, u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered with an HTTP error
	}
	c := &wsConn{
		ws:      ws,
		user:    u,
		session: sessionKey(tokenOf(r)),
		viewer:  v,
		visible: r.URL.Query().Get(wire.FeedParam) == wire.FeedVisible,
		send:    make(chan *queued, max(1, s.SendQueue)),
		pongs:   make(chan struct{}, 1),
		resub:   make(chan int64, 1),
		quit:    make(chan struct{}),
		boards:  boardQueue(u),
		hands:   make(chan []byte, 1),
		dues:    make(chan []byte, dueQueue),
	}
	log := s.logger.With(logAgent, u.Username, logRemote, r.RemoteAddr)
	if !s.hub.add(c) {
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(wire.CloseGoingAway, "syncd is shutting down"), time.Now().Add(time.Second))
		ws.Close()
		return
	}
	s.boardAttached(c)
	s.handAttached(c)
	log.Info("websocket open", logSince, since)
	// The WebSocket is served on goroutines of its own, and this handler
	// returns: net/http's goroutine for the connection would otherwise
	// keep its 4 KB read and write buffers, which the WebSocket does not
	// use, for as long as the desktop stays connected (~16 MB of live heap
	// at 2,000 desktops, issue 4).
	go s.serveWebSocket(context.WithoutCancel(r.Context()), c, since, log)
}

// serveWebSocket runs a connection the hub has added until it ends: its
// reader, and its writer on this goroutine.
func (s *Server) serveWebSocket(ctx context.Context, c *wsConn, since int64, log *slog.Logger) {
	defer s.boardDetached(c.user) // after remove: the user's last socket marks them offline
	defer s.hub.remove(c)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		s.readFrames(c, log)
	}()
	s.writeFrames(ctx, c, since, log)
	c.ws.Close()
	<-readerDone
	log.Info("websocket closed", logCloseCd, c.code, logReason, c.reason)
}

// readFrames reads the client's frames until the connection ends. A frame
// that is not a valid client frame closes the connection with
// CloseMalformedFrame.
func (s *Server) readFrames(c *wsConn, log *slog.Logger) {
	wait := 2 * s.PingInterval
	c.ws.SetReadLimit(wire.MaxFrameBytes)
	c.ws.SetReadDeadline(time.Now().Add(wait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(wait)) })
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			switch {
			case errors.Is(err, websocket.ErrReadLimit):
				c.stop(websocket.CloseMessageTooBig, "frame too large")
			case websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway):
				c.stop(websocket.CloseNormalClosure, "")
			default:
				c.stop(websocket.CloseNormalClosure, "")
			}
			return
		}
		c.ws.SetReadDeadline(time.Now().Add(wait))
		if typ != websocket.TextMessage {
			log.Info("malformed frame", logReason, "binary frame")
			c.stop(wire.CloseMalformedFrame, "frames are JSON text")
			return
		}
		f, err := wire.DecodeClientFrame(data)
		if err != nil {
			msg := sportello.ErrorMessage(err)
			log.Info("malformed frame", logReason, msg)
			c.stop(wire.CloseMalformedFrame, truncate(msg, 120))
			return
		}
		switch f.Type {
		case wire.FramePing:
			select {
			case c.pongs <- struct{}{}:
			default: // one pong answers any number of pings
			}
		case wire.FrameSubscribe:
			select { // the newest subscribe replaces one not yet served
			case <-c.resub:
			default:
			}
			c.resub <- f.Since
		}
	}
}

// truncate keeps a close reason within the 123 bytes a close frame allows.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// writeFrames is the connection's only writer of data frames: hello, the
// backlog after since, then live changes, skipping any already sent and
// filling any gap from the store, so the desktop sees every seq once, in
// order.
func (s *Server) writeFrames(ctx context.Context, c *wsConn, since int64, log *slog.Logger) {
	ping := time.NewTicker(s.PingInterval)
	defer ping.Stop()
	write := func(f wire.ServerFrame) bool {
		c.ws.SetWriteDeadline(time.Now().Add(s.WriteTimeout))
		if err := c.ws.WriteJSON(f); err != nil {
			c.stop(websocket.CloseAbnormalClosure, "")
			return false
		}
		return true
	}
	last := since
	prev := since // the last seq sent on a visible-only feed, or where it started (feed.go)
	// catchUp sends every stored change after last.
	catchUp := func() bool {
		for {
			changes, err := s.store.ChangesSince(ctx, last, wire.MaxChangesLimit)
			if err != nil {
				log.Error("websocket backlog", logErr, err)
				c.stop(websocket.CloseInternalServerErr, "cannot read changes: reconnect")
				return false
			}
			for _, ch := range changes {
				if f, send := c.frameOf(ch, &prev); send && !write(f) {
					return false
				}
				if c.ownEvent(ch) {
					// Its viewer has learned the case from a change
					// the hub did not publish to it (hubindex.go).
					s.hub.watchCase(c, ch.CaseID)
				}
				last = ch.Seq
			}
			if len(changes) < wire.MaxChangesLimit {
				return true
			}
		}
	}

	head, err := s.store.Head(ctx)
	if err != nil {
		log.Error("websocket hello", logErr, err)
		c.stop(websocket.CloseInternalServerErr, "cannot read changes: reconnect")
	} else if write(wire.Hello(head)) {
		if last == sinceHead {
			last, prev = head, head
		}
		catchUp()
	}
	// live sends a change the hub queued on c.
	live := func(q *queued) {
		ch := q.change
		switch {
		case ch.Seq <= last:
			return // already sent with the backlog
		case ch.Seq > last+1 && !(c.visible && last >= c.joined):
			if !catchUp() {
				return
			}
		case ch.Seq > last+1:
			// A visible-only feed is not offered the changes its user
			// may not see (publish): the seqs in between, published
			// since it joined, are those.
			last = ch.Seq - 1
			fallthrough
		default:
			// Not for this user (nothing written), or written from
			// the frames encoded once for all (hubframes.go).
			if wrote, ok := s.writeLive(c, q, &prev, write); ok {
				last = ch.Seq
				if wrote {
					s.metrics.pushLatency.observe(time.Since(q.at))
				}
			}
		}
	}
	for {
		select {
		case <-c.quit:
			msg := websocket.FormatCloseMessage(c.code, c.reason)
			if c.code == websocket.CloseAbnormalClosure {
				return // the connection is broken: nothing to say
			}
			c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
			return
		case q := <-c.send:
			live(q)
		case n := <-c.resub:
			last, prev = n, n
			catchUp()
		case frame := <-c.boards:
			s.writeBoard(c, frame)
			s.metrics.add("syncd_board_bytes_total", int64(len(frame)))
		case frame := <-c.hands:
			s.writeBoard(c, frame)
		case frame := <-c.dues:
			s.writeBoard(c, frame)
		case <-c.pongs:
			if f, ok := s.pong(c, &last, &prev, live); ok { // pong.go
				write(f)
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(s.WriteTimeout)); err != nil {
				c.stop(websocket.CloseAbnormalClosure, "")
			}
		}
	}
}
