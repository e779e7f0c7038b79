// Package client is the desktop's side of syncd: sign-in, caller lookups
// and wrap-ups over HTTP, and a WebSocket kept open from the desktop's
// cursor that delivers every change once, in order.
//
// With a Replica (sync/sqlite.Replica) the desktop keeps working while
// syncd is unreachable: wrap-ups go to a durable outbox first and are sent
// in order, idempotently, on reconnect; caller lookups fall back to the
// cards last seen. Without one, every call goes to syncd and fails with
// EUNAVAILABLE when it cannot be reached.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

var (
	_ sportello.AuthService    = (*Client)(nil)
	_ sportello.CitizenService = (*Client)(nil)
	_ sportello.CaseService    = (*Client)(nil)
	_ sportello.SyncService    = (*Client)(nil)
)

// Log keys, constant so that logs can be queried.
const (
	logURL    = "url"
	logErr    = "err"
	logSeq    = "seq"
	logCursor = "cursor"
	logRetry  = "retry_in"
	logClose  = "close_code"
	logText   = "close_text"
)

// Client talks to one syncd. Set the exported fields before Open.
type Client struct {
	// HTTP makes the API requests.
	HTTP *http.Client
	// Dialer opens the WebSocket.
	Dialer *websocket.Dialer
	// Backoff gives the wait before reconnect attempt n (1, 2, ...).
	Backoff func(attempt int) time.Duration
	// ReadTimeout drops a WebSocket silent for this long (syncd pings
	// every 30 seconds).
	ReadTimeout time.Duration
	// PositionInterval is how often the desktop asks syncd how far it is
	// in sync (a ping; its pong carries syncd's head: position.go); 0
	// asks only once, when the connection opens.
	PositionInterval time.Duration
	// Now is the clock for RetryAt.
	Now func() time.Time
	// Replica, when set before Login, keeps the outbox, the caller cards
	// and the cursor on disk (see Replica).
	Replica Replica

	base   string // http(s)://host:port, no trailing slash
	logger *slog.Logger

	mu      sync.Mutex
	token   string
	user    *sportello.User
	state   sportello.SyncState
	atHead  bool // the cursor came from a hello once: never start at the head again (feed.go)
	subs    map[int]subscriber
	nextSub int
	cancel  context.CancelFunc
	done    chan struct{}

	flushMu sync.Mutex    // one outbox flush at a time, in order
	noBatch bool          // syncd has no POST /v1/ops: one op per request (outbox.go; under flushMu)
	kick    chan struct{} // wakes the flush loop

	board boardLink // board subscribers and the last presence (board.go)
	hand  handLink  // raised-hand subscribers (boardact.go)
	due   dueLink   // callback_due subscribers (callbackdue.go)
}

type subscriber struct {
	onState  func(sportello.SyncState)
	onChange func(sportello.Change)
}

// New returns a client of the syncd at baseURL (such as
// http://127.0.0.1:8080) that logs to logger.
func New(baseURL string, logger *slog.Logger) *Client {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Client{
		HTTP:             &http.Client{Timeout: 15 * time.Second},
		Dialer:           &websocket.Dialer{HandshakeTimeout: 10 * time.Second},
		Backoff:          DefaultBackoff,
		ReadTimeout:      75 * time.Second,
		PositionInterval: DefaultPositionInterval,
		Now:              time.Now,
		base:             strings.TrimRight(baseURL, "/"),
		logger:           logger.With("subsystem", "sync", logURL, baseURL),
		subs:             make(map[int]subscriber),
		kick:             make(chan struct{}, 1),
	}
}

// MaxBackoff caps the wait between reconnect attempts.
const MaxBackoff = 30 * time.Second

// DefaultBackoff doubles from half a second up to MaxBackoff, with jitter
// (between half and all of the step) so that desktops do not all
// reconnect at once after syncd restarts.
func DefaultBackoff(attempt int) time.Duration {
	step := MaxBackoff
	if attempt < 16 {
		step = min(MaxBackoff, (500*time.Millisecond)<<max(0, attempt-1))
	}
	return step/2 + rand.N(step/2+1)
}

// Token returns the bearer token, "" before Login.
func (c *Client) Token() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

// SetToken sets the bearer token, for a desktop that kept one.
func (c *Client) SetToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = token
}

// User returns the signed-in user, nil before Login.
func (c *Client) User() *sportello.User {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.user
}

// Login signs in and keeps the token for later requests.
func (c *Client) Login(ctx context.Context, username, password string) (*sportello.User, error) {
	var resp wire.LoginResponse
	if err := c.do(ctx, http.MethodPost, "/v1/login", wire.LoginRequest{Username: username, Password: password}, &resp); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.token, c.user = resp.Token, &resp.User
	c.mu.Unlock()
	return &resp.User, nil
}

// Me returns the user the token belongs to.
func (c *Client) Me(ctx context.Context) (*sportello.User, error) {
	var u sportello.User
	if err := c.do(ctx, http.MethodGet, "/v1/me", nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// LookupCaller returns the caller's card; syncd audits the read with reason.
func (c *Client) LookupCaller(ctx context.Context, number, reason string) (*sportello.CallerCard, error) {
	var card sportello.CallerCard
	path := "/v1/callers/" + url.PathEscape(number) + "?reason=" + url.QueryEscape(reason)
	err := c.do(ctx, http.MethodGet, path, nil, &card)
	if c.Replica == nil {
		if err != nil {
			return nil, err
		}
		return &card, nil
	}
	if err == nil {
		if err := c.Replica.PutCard(ctx, &card); err != nil {
			c.logger.Warn("keep card", logErr, err)
		}
		return &card, nil
	}
	if sportello.ErrorCode(err) != sportello.EUNAVAILABLE {
		return nil, err
	}
	kept, kerr := c.Replica.Card(ctx, number)
	if kerr != nil {
		return nil, err // nothing kept: say syncd is unreachable
	}
	kept.Offline = true
	c.queueOfflineRead(ctx, kept, reason) // offlineaudit.go
	return kept, nil
}

// RecordWrapUp stores a wrap-up and returns the case as it now is.
func (c *Client) RecordWrapUp(ctx context.Context, w sportello.WrapUp) (*sportello.Case, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if w.ID == "" {
		w.ID = newID()
	}
	if w.CaseID == "" && w.NewCaseID == "" {
		w.NewCaseID = newID()
	}
	if c.Replica != nil {
		return c.recordWrapUpQueued(ctx, w)
	}
	var k sportello.Case
	if err := c.do(ctx, http.MethodPost, "/v1/wrapups", w, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// Changes returns up to limit changes after since.
func (c *Client) Changes(ctx context.Context, since int64, limit int) (*wire.ChangesResponse, error) {
	var resp wire.ChangesResponse
	path := "/v1/changes?since=" + strconv.FormatInt(since, 10) + "&limit=" + strconv.Itoa(limit)
	if err := c.do(ctx, http.MethodGet, path, nil, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// Ping checks that syncd answers.
func (c *Client) Ping(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/healthz", nil, nil)
}

// unreachable is the error of every request that did not get an answer.
func (c *Client) unreachable() *sportello.Error {
	return sportello.Errorf(sportello.EUNAVAILABLE, "syncd unreachable at %s", c.base)
}

// do sends a JSON request and decodes the JSON answer into out, or turns
// syncd's ErrorResponse back into a *sportello.Error.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var raw []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		raw = b
	}
	return c.doRaw(ctx, method, path, raw, out)
}

// doRaw is do with the request body already encoded (nil for none).
func (c *Client) doRaw(ctx context.Context, method, path string, in []byte, out any) error {
	var body io.Reader
	if in != nil {
		body = bytes.NewReader(in)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return sportello.Errorf(sportello.EINVALID, "bad syncd address %q", c.base)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if token := c.Token(); token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.logger.Debug("request failed", logErr, err)
		return c.unreachable()
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return c.unreachable()
	}
	if resp.StatusCode/100 != 2 {
		return responseError(resp, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode %s %s: %w", method, path, err)
	}
	return nil
}

// codeOf maps HTTP statuses back to codes when an answer is not syncd's
// JSON (a proxy's page, the mux's 404).
var codeOf = map[int]string{
	http.StatusBadRequest:         sportello.EINVALID,
	http.StatusUnauthorized:       sportello.EUNAUTHORIZED,
	http.StatusForbidden:          sportello.EFORBIDDEN,
	http.StatusNotFound:           sportello.ENOTFOUND,
	http.StatusMethodNotAllowed:   sportello.EINVALID,
	http.StatusConflict:           sportello.ECONFLICT,
	http.StatusBadGateway:         sportello.EUNAVAILABLE,
	http.StatusServiceUnavailable: sportello.EUNAVAILABLE,
	http.StatusGatewayTimeout:     sportello.EUNAVAILABLE,
}

func responseError(resp *http.Response, data []byte) error {
	var e wire.ErrorResponse
	if err := json.Unmarshal(data, &e); err == nil && e.Code != "" {
		return e.Err()
	}
	code, ok := codeOf[resp.StatusCode]
	if !ok {
		code = sportello.EINTERNAL
	}
	return sportello.Errorf(code, "syncd answered %s", resp.Status)
}

// State returns the link to syncd as it is now.
func (c *Client) State() sportello.SyncState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Subscribe calls onState on every change of state and onChange for every
// change, on the sync goroutine, until cancel is called. Either may be nil.
func (c *Client) Subscribe(onState func(sportello.SyncState), onChange func(sportello.Change)) (cancel func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := c.nextSub
	c.nextSub++
	c.subs[id] = subscriber{onState: onState, onChange: onChange}
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.subs, id)
	}
}

// SetCursor sets the change to resume after, for a desktop that kept its
// cursor; call it before Open.
func (c *Client) SetCursor(seq int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state.Cursor = seq
}

// Open starts keeping a WebSocket to syncd from the cursor, reconnecting
// with backoff until ctx ends or Close is called. It needs a token.
func (c *Client) Open(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == "" {
		return sportello.Errorf(sportello.EUNAUTHORIZED, "sign in before connecting to syncd")
	}
	if c.done != nil {
		return errors.New("sync client already open")
	}
	if c.Replica != nil {
		if seq, err := c.Replica.Cursor(ctx); err == nil && seq > c.state.Cursor {
			c.state.Cursor = seq
		}
		if ops, err := c.Replica.Outbox(ctx); err == nil {
			c.state.Pending = pendingChanges(ops) // left by an earlier run: sent once online
		}
	}
	ctx, c.cancel = context.WithCancel(ctx)
	done := make(chan struct{})
	c.done = done
	go func() {
		defer close(done)
		var flusher sync.WaitGroup
		if c.Replica != nil {
			flusher.Go(func() { c.flushLoop(ctx) })
			c.kickFlush()
		}
		c.run(ctx)
		flusher.Wait()
	}()
	return nil
}

// Close stops the WebSocket and waits for the sync goroutine to end.
func (c *Client) Close() error {
	c.mu.Lock()
	cancel, done := c.cancel, c.done
	c.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	c.mu.Lock()
	if c.done == done {
		c.cancel, c.done = nil, nil
	}
	c.mu.Unlock()
	c.HTTP.CloseIdleConnections()
	return nil
}

// setState changes the state with fn and tells the subscribers.
func (c *Client) setState(fn func(s *sportello.SyncState)) {
	c.mu.Lock()
	before := c.state
	fn(&c.state)
	s := c.state
	subs := c.subscribers()
	c.mu.Unlock()
	if s == before {
		return
	}
	for _, sub := range subs {
		if sub.onState != nil {
			sub.onState(s)
		}
	}
}

// subscribers copies the subscribers; called with mu held.
func (c *Client) subscribers() []subscriber {
	subs := make([]subscriber, 0, len(c.subs))
	for _, s := range c.subs {
		subs = append(subs, s)
	}
	return subs
}

// run is the sync goroutine: connect, read until the connection breaks,
// wait, and again.
func (c *Client) run(ctx context.Context) {
	attempt := 0
	for {
		connected, err := c.session(ctx)
		if ctx.Err() != nil {
			c.setState(func(s *sportello.SyncState) { s.Online, s.Err, s.RetryAt = false, "", time.Time{} })
			return
		}
		if connected {
			attempt = 0
		}
		attempt++
		wait := c.Backoff(attempt)
		msg := sportello.ErrorMessage(err)
		c.logger.Info("sync offline", logErr, err, logRetry, wait)
		c.setState(func(s *sportello.SyncState) { s.Online, s.Err, s.RetryAt = false, msg, c.Now().Add(wait) })
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			c.setState(func(s *sportello.SyncState) { s.Online, s.Err, s.RetryAt = false, "", time.Time{} })
			return
		case <-t.C:
		}
	}
}

// wsURL returns the WebSocket address for resuming after cursor, or for
// starting at syncd's head when fromHead.
func (c *Client) wsURL(cursor int64, fromHead bool) string {
	u := c.base
	switch {
	case strings.HasPrefix(u, "https://"):
		u = "wss://" + strings.TrimPrefix(u, "https://")
	case strings.HasPrefix(u, "http://"):
		u = "ws://" + strings.TrimPrefix(u, "http://")
	}
	feed := "&" + wire.FeedParam + "=" + wire.FeedVisible // only what this user may see (feed.go)
	if fromHead {
		return u + "/v1/ws?since=" + wire.SinceHead + feed
	}
	return u + "/v1/ws?since=" + strconv.FormatInt(cursor, 10) + feed
}

// session runs one WebSocket connection to its end; connected reports
// whether syncd said hello, so that the backoff starts over.
func (c *Client) session(ctx context.Context) (connected bool, err error) {
	cursor := c.State().Cursor
	fromHead := c.startsAtHead(cursor) // feed.go
	header := http.Header{"Authorization": {"Bearer " + c.Token()}}
	ws, resp, err := c.Dialer.DialContext(ctx, c.wsURL(cursor, fromHead), header)
	if err != nil {
		if resp != nil {
			data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			return false, responseError(resp, data)
		}
		return false, c.unreachable()
	}
	w := &frameWriter{ws: ws} // position.go
	asking, stopAsking := context.WithCancel(ctx)
	var asker sync.WaitGroup
	defer func() {
		stopAsking()
		ws.Close()
		asker.Wait()
	}()
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()

	ws.SetReadLimit(wire.MaxBodyBytes)
	ws.SetPingHandler(func(data string) error {
		ws.SetReadDeadline(time.Now().Add(c.ReadTimeout))
		err := ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(5*time.Second))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	resyncing := false // a subscribe is out for a gap
	// gap asks syncd to send again from the cursor, once per gap.
	gap := func(seq int64) error {
		if resyncing {
			return nil
		}
		c.logger.Warn("gap in changes", logCursor, cursor, logSeq, seq)
		if err := w.write(wire.Subscribe(cursor)); err != nil {
			return c.unreachable()
		}
		resyncing = true
		return nil
	}
	for {
		ws.SetReadDeadline(time.Now().Add(c.ReadTimeout))
		_, data, err := ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				c.logger.Info("syncd closed the connection", logClose, ce.Code, logText, ce.Text)
			}
			return connected, c.unreachable()
		}
		if t, err := wire.ServerFrameType(data); err == nil && t == wire.FrameBoard && !c.board.watched() {
			continue // nobody shows the board on this desktop: not decoded (board.go)
		}
		f, err := wire.DecodeServerFrame(data)
		if err != nil {
			c.logger.Warn("unreadable frame from syncd", logErr, err)
			continue
		}
		switch f.Type {
		case wire.FrameHello:
			connected = true
			if fromHead {
				cursor = c.startAt(f.Cursor) // feed.go
			}
			c.logger.Info("sync online", logCursor, cursor)
			c.setState(func(s *sportello.SyncState) { s.Online, s.Err, s.RetryAt = true, "", time.Time{} })
			c.kickFlush()     // back online: send what waited
			c.presenceAgain() // syncd marked the agent offline when the last socket closed
			asker.Go(func() { c.askPosition(asking, w) })
		case wire.FrameChange:
			switch {
			case f.Change.Seq <= cursor:
				continue // seen already
			case f.Change.Seq > cursor+1 && !after(f, cursor): // feed.go
				if err := gap(f.Change.Seq); err != nil {
					return connected, err
				}
				continue
			}
			resyncing = false
			cursor = f.Change.Seq
			c.deliver(*f.Change)
		case wire.FramePong:
			switch {
			case f.Prev == nil:
				continue // an older syncd: its pong is no resume point
			case !after(f, cursor):
				// A change was sent that this desktop did not take.
				if err := gap(*f.Prev); err != nil {
					return connected, err
				}
				continue
			}
			resyncing = false
			if f.Cursor > cursor {
				cursor = c.syncedTo(f.Cursor) // position.go
			}
		case wire.FrameBoard:
			c.deliverBoard(f.Board)
		case wire.FrameHand:
			c.deliverHand(f.Hand)
		case wire.FrameCallbackDue:
			c.deliverDue(f.Due, f.DueMore)
		}
	}
}

// deliver advances the cursor and hands ch to the subscribers.
func (c *Client) deliver(ch sportello.Change) {
	c.applyEntryChange(context.Background(), ch) // kbedit.go
	if c.Replica != nil {
		if err := c.Replica.SetCursor(context.Background(), ch.Seq); err != nil {
			c.logger.Warn("keep cursor", logErr, err)
		}
	}
	c.mu.Lock()
	c.state.Cursor = ch.Seq
	s := c.state
	subs := c.subscribers()
	c.mu.Unlock()
	for _, sub := range subs {
		if sub.onChange != nil {
			sub.onChange(ch)
		}
		if sub.onState != nil {
			sub.onState(s)
		}
	}
}
