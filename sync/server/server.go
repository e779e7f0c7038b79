// Package server is syncd's HTTP API and WebSocket hub: sign-in with bearer
// tokens, caller lookups, wrap-ups, the change log and its live push.
package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// Store is what the server needs from the store; sync/sqlite implements
// it, and sync/postgres will.
type Store interface {
	Authenticate(ctx context.Context, username, password string) (*sportello.User, error)
	CreateSession(ctx context.Context, token, userID string, expiresAt time.Time) error
	UserBySession(ctx context.Context, token string) (*sportello.User, error)
	LookupCaller(ctx context.Context, number, reason string, actor *sportello.User) (*sportello.CallerCard, error)
	RecordWrapUp(ctx context.Context, actor *sportello.User, w sportello.WrapUp) (*sportello.Case, error)
	ChangesSince(ctx context.Context, cursor int64, limit int) ([]sportello.Change, error)
	Head(ctx context.Context) (int64, error)
}

// Log keys, constant so that logs can be queried.
const (
	logMethod  = "method"
	logPath    = "path"
	logCode    = "code"
	logErr     = "err"
	logAgent   = "agent"
	logAddr    = "addr"
	logRemote  = "remote"
	logSince   = "since"
	logReason  = "reason"
	logCloseCd = "close_code"
)

// Defaults of the server's settings.
const (
	DefaultSessionTTL   = 12 * time.Hour
	DefaultSendQueue    = 256
	DefaultPingInterval = 30 * time.Second
	DefaultWriteTimeout = 10 * time.Second
)

// Server serves syncd's API. Set the exported fields before Open or Handler.
type Server struct {
	// Addr is where Open listens, such as "127.0.0.1:0".
	Addr string
	// Now is the clock for session expiry.
	Now func() time.Time
	// SessionTTL is how long a bearer token is valid.
	SessionTTL time.Duration
	// SendQueue bounds the changes waiting for one WebSocket; a client that
	// lets it fill is dropped and resyncs from its cursor.
	SendQueue int
	// PingInterval is how often the server pings each WebSocket; a client
	// silent for twice as long is dropped.
	PingInterval time.Duration
	// WriteTimeout bounds one WebSocket write.
	WriteTimeout time.Duration

	store  Store
	logger *slog.Logger
	hub    *hub

	ln      net.Listener
	http    *http.Server
	serving chan struct{} // closed when Serve returns

	// publishing: published is the newest seq handed to the hub, known
	// once ready.
	pubMu        sync.Mutex
	pubReady     bool
	pubReadyFast atomic.Bool // pubReady, readable without pubMu
	published    int64
}

// New returns a server on store that logs to logger.
func New(store Store, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{
		Addr:         "127.0.0.1:0",
		Now:          time.Now,
		SessionTTL:   DefaultSessionTTL,
		SendQueue:    DefaultSendQueue,
		PingInterval: DefaultPingInterval,
		WriteTimeout: DefaultWriteTimeout,
		store:        store,
		logger:       logger.With("subsystem", "server"),
		hub:          newHub(),
	}
}

// Open listens on Addr and serves in the background.
func (s *Server) Open() error {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	s.ln = ln
	s.http = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	s.serving = make(chan struct{})
	go func() {
		defer close(s.serving)
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("serve", logErr, err)
		}
	}()
	s.logger.Info("listening", logAddr, ln.Addr().String())
	return nil
}

// URL returns the base URL the server answers on once open, such as
// http://127.0.0.1:8080.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Close drops every WebSocket (telling desktops to reconnect) and shuts
// down the HTTP server, waiting up to five seconds for requests in flight.
func (s *Server) Close() error {
	s.hub.close()
	var err error
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = s.http.Shutdown(ctx)
		<-s.serving
	}
	s.hub.wait(5 * time.Second)
	return err
}

// Handler returns the API as an http.Handler, for Open and for httptest.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("POST /v1/login", s.handleLogin)
	mux.Handle("GET /v1/me", s.authed(s.handleMe))
	mux.Handle("GET /v1/callers/{number}", s.authed(s.handleLookupCaller))
	mux.Handle("POST /v1/wrapups", s.authed(s.handleRecordWrapUp))
	mux.Handle("GET /v1/changes", s.authed(s.handleChanges))
	mux.Handle("GET /v1/ws", s.authed(s.handleWebSocket))
	return mux
}

// statusOf maps application error codes to HTTP statuses: the one table.
var statusOf = map[string]int{
	sportello.EINVALID:      http.StatusBadRequest,
	sportello.EUNAUTHORIZED: http.StatusUnauthorized,
	sportello.EFORBIDDEN:    http.StatusForbidden,
	sportello.ENOTFOUND:     http.StatusNotFound,
	sportello.ECONFLICT:     http.StatusConflict,
	sportello.EINTERNAL:     http.StatusInternalServerError,
	sportello.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// StatusOf returns the HTTP status for an application error code.
func StatusOf(code string) int {
	if st, ok := statusOf[code]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// writeError answers with an ErrorResponse; internal details are logged,
// never sent.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := sportello.ErrorCode(err), sportello.ErrorMessage(err)
	status := StatusOf(code)
	if code == sportello.EINTERNAL {
		s.logger.Error("request failed", logMethod, r.Method, logPath, r.URL.Path, logErr, err)
	} else {
		s.logger.Debug("request refused", logMethod, r.Method, logPath, r.URL.Path, logCode, code, logErr, msg)
	}
	if code == sportello.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="syncd"`)
	}
	s.writeJSON(w, status, wire.ErrorResponse{Code: code, Message: msg})
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.logger.Debug("write response", logErr, err)
	}
}

// decodeBody reads a JSON request body strictly, within wire.MaxBodyBytes.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, wire.MaxBodyBytes)
	err := wire.Decode(body, v)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return sportello.Errorf(sportello.EINVALID, "the request body is larger than %d bytes", tooLarge.Limit)
	}
	if err != nil && sportello.ErrorCode(err) == sportello.EINTERNAL {
		return sportello.Errorf(sportello.EINVALID, "the request body could not be read")
	}
	return err
}

type userKey struct{}

// authed runs h for a signed-in user: the bearer token comes from the
// Authorization header, or from the token query parameter on /v1/ws
// (browsers cannot set headers on a WebSocket).
func (s *Server) authed(h func(w http.ResponseWriter, r *http.Request, u *sportello.User)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := bearerToken(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		u, err := s.store.UserBySession(r.Context(), token)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := s.ensurePublishCursor(r.Context()); err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)), u)
	})
}

// maxTokenLen bounds a bearer token before it is hashed and looked up.
const maxTokenLen = 128

func bearerToken(r *http.Request) (string, error) {
	token := ""
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, t, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return "", sportello.Errorf(sportello.EUNAUTHORIZED, "use an Authorization: Bearer token")
		}
		token = strings.TrimSpace(t)
	} else if r.URL.Path == "/v1/ws" {
		token = r.URL.Query().Get("token")
	}
	if token == "" {
		return "", sportello.Errorf(sportello.EUNAUTHORIZED, "sign in first: no token")
	}
	if len(token) > maxTokenLen {
		return "", sportello.Errorf(sportello.EUNAUTHORIZED, "sign in first: the token is not valid")
	}
	return token, nil
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if _, err := s.store.Head(r.Context()); err != nil {
		s.writeError(w, r, sportello.Errorf(sportello.EUNAVAILABLE, "the store does not answer"))
		s.logger.Error("health", logErr, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req wire.LoginRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := req.Validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.store.Authenticate(r.Context(), req.Username, req.Password)
	if err != nil {
		if sportello.ErrorCode(err) == sportello.EUNAUTHORIZED {
			s.logger.Info("sign-in refused", logAgent, req.Username, logRemote, r.RemoteAddr)
		}
		s.writeError(w, r, err)
		return
	}
	token, err := newToken()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	expires := s.Now().UTC().Add(s.SessionTTL)
	if err := s.store.CreateSession(r.Context(), token, u.ID, expires); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger.Info("signed in", logAgent, u.Username)
	s.writeJSON(w, http.StatusOK, wire.LoginResponse{Token: token, User: *u, ExpiresAt: expires})
}

// newToken returns 32 random bytes, base64url: the bearer token.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	s.writeJSON(w, http.StatusOK, u)
}

func (s *Server) handleLookupCaller(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	number, reason := r.PathValue("number"), r.URL.Query().Get("reason")
	card, err := s.store.LookupCaller(r.Context(), number, reason, u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger.Debug("caller looked up", logAgent, u.Username, logReason, reason)
	s.writeJSON(w, http.StatusOK, card)
}

func (s *Server) handleRecordWrapUp(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var wu sportello.WrapUp
	if err := decodeBody(w, r, &wu); err != nil {
		s.writeError(w, r, err)
		return
	}
	k, err := s.store.RecordWrapUp(r.Context(), u, wu)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// Push the new changes before answering, so that the author's own
	// WebSocket sees them no later than the response.
	s.publishNew(r.Context())
	s.writeJSON(w, http.StatusCreated, k)
}

func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	since, err := queryInt(r, "since", 0)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := queryInt(r, "limit", wire.DefaultChangesLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if limit < 1 || limit > wire.MaxChangesLimit {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "limit must be between 1 and %d", wire.MaxChangesLimit))
		return
	}
	changes, err := s.store.ChangesSince(r.Context(), since, int(limit))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := wire.ChangesResponse{Changes: changes, Cursor: since}
	if n := len(changes); n > 0 {
		resp.Cursor = changes[n-1].Seq
	}
	s.writeJSON(w, http.StatusOK, resp)
}

// queryInt reads a non-negative integer query parameter.
func queryInt(r *http.Request, name string, def int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, sportello.Errorf(sportello.EINVALID, "%s must be a whole number not below 0, not %q", name, v)
	}
	return n, nil
}

// publishNew hands the hub every change committed since the last publish,
// in seq order. Reading them back from the store (rather than taking what
// one request wrote) keeps the order right when requests commit
// concurrently, and will serve changes written by other syncd nodes.
func (s *Server) publishNew(ctx context.Context) {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	if err := s.readyToPublish(ctx); err != nil {
		s.logger.Error("publish", logErr, err)
		return
	}
	for {
		changes, err := s.store.ChangesSince(ctx, s.published, wire.MaxChangesLimit)
		if err != nil {
			// WebSockets fill the gap from the store on the next change.
			s.logger.Error("publish", logErr, err)
			return
		}
		for _, c := range changes {
			s.hub.publish(c)
			s.published = c.Seq
		}
		if len(changes) < wire.MaxChangesLimit {
			return
		}
	}
}

// readyToPublish learns, on the first request that needs it, where the
// change log stood before this server accepted any write. Called with
// pubMu held.
func (s *Server) readyToPublish(ctx context.Context) error {
	if s.pubReady {
		return nil
	}
	head, err := s.store.Head(ctx)
	if err != nil {
		return err
	}
	s.published, s.pubReady = head, true
	return nil
}

// ensurePublishCursor is called before any write can happen (at the start
// of every signed-in request) so that the publish cursor predates it.
func (s *Server) ensurePublishCursor(ctx context.Context) error {
	if s.pubReadyFast.Load() {
		return nil
	}
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	if err := s.readyToPublish(ctx); err != nil {
		return err
	}
	s.pubReadyFast.Store(true)
	return nil
}
