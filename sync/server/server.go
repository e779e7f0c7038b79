// Package server is syncd's HTTP API and WebSocket hub: sign-in with bearer
// tokens, caller lookups, wrap-ups, the change log and its live push.
package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
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
	"github.com/sportello/sportello/sync/mail"
	"github.com/sportello/sportello/sync/wire"
)

// Store is what the server needs from the store; sync/sqlite implements
// it, and sync/postgres will.
type Store interface {
	Authenticate(ctx context.Context, username, password string) (*sportello.User, error)
	CreateSession(ctx context.Context, token, userID string, expiresAt time.Time) error
	UserBySession(ctx context.Context, token string) (*sportello.User, time.Time, error)
	DeleteSession(ctx context.Context, token string) error
	LookupCaller(ctx context.Context, number, reason string, actor *sportello.User) (*sportello.CallerCard, error)
	// RecordWrapUpOnce records a wrap-up, or, for a repeat of a wrap-up
	// id, returns the case as the first send left it with replayed true.
	RecordWrapUpOnce(ctx context.Context, actor *sportello.User, w sportello.WrapUp) (c *sportello.Case, replayed bool, err error)
	ChangesSince(ctx context.Context, cursor int64, limit int) ([]sportello.Change, error)
	Head(ctx context.Context) (int64, error)
	// FeedScope returns the desks of a user, the cases not resolved the
	// user has written on in sportello.FeedScopeAge and the citizens
	// looked up in the session of token.
	FeedScope(ctx context.Context, token, userID string) (desks, cases, citizens []string, err error)
	// AccessLog returns the audit rows of a citizen, oldest first.
	AccessLog(ctx context.Context, citizenID string) ([]wire.AccessEntry, error)
	// KBPage returns up to limit knowledge-base entries with ids after
	// after, in id order; KBTotal counts them all.
	KBPage(ctx context.Context, after string, limit int) ([]sportello.KBEntry, error)
	KBTotal(ctx context.Context) (int, error)
	// Desks returns every desk, those userID is a member of marked Member;
	// UserDesks the ids of those.
	Desks(ctx context.Context, userID string) ([]sportello.Desk, error)
	UserDesks(ctx context.Context, userID string) ([]string, error)
	// Queue returns the cases waiting, taken or answered at the desks of
	// userID (every desk when all), oldest escalation first.
	Queue(ctx context.Context, userID string, all bool) ([]*sportello.Case, error)
	// RecordCaseEvent adds an action by actor to a case in one
	// transaction, after allow accepts the actor on the case as stored
	// and Case.Apply the transition; a repeat of e.ID returns the case as
	// the first send left it with replayed true.
	RecordCaseEvent(ctx context.Context, actor *sportello.User, caseID string, e sportello.CaseEvent, allow func(*sportello.Case) error) (c *sportello.Case, replayed bool, err error)
	// DeskBacklog returns every case in a desk's queue with its desk and
	// when it got there; WrapUpCounts counts the wrap-ups since a moment
	// by author and outcome. The supervisor's board reads both (board.go).
	DeskBacklog(ctx context.Context) ([]wire.DeskCase, error)
	WrapUpCounts(ctx context.Context, since time.Time) ([]wire.WrapUpCount, error)
	CallbackStore    // callbacks.go
	DirectoryStore   // directory.go
	AppointmentStore // appointments.go
	ReplyStore       // replies.go
	EditStore        // kbedit.go
	FCRStore         // fcr.go
	Open311Store     // open311.go
	ReportStore      // reports.go
	BoardActStore    // boardact.go
	CitizenStore     // citizens.go
	OverdueStore     // overdue.go
	MOSStore         // mos.go
	AuditStore       // offlineaudit.go
	PresenceStore    // presence.go
	AssignStore      // assign.go
	OperatorFCRStore // operatorfcr.go
	ServiceFCRStore  // servicefcr.go
	BatchStore       // batch.go
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

// HeaderReplayed marks the answer to a repeated op: "true" when syncd had
// already recorded it and answers with what the first send did.
const HeaderReplayed = "Idempotent-Replayed"

// Server serves syncd's API. Set the exported fields before Open or Handler.
type Server struct {
	// Addr is where Open listens, such as "127.0.0.1:0".
	Addr string
	// TLSConfig, when set, makes Open serve HTTPS (and so wss) with it.
	TLSConfig *tls.Config
	// Now is the clock for session expiry.
	Now func() time.Time
	// SessionTTL is how long a bearer token is valid.
	SessionTTL time.Duration
	// SessionCacheTTL is how long a token's user is kept in memory before
	// the store is asked again (sessions.go); 0 asks on every request.
	SessionCacheTTL time.Duration
	// SendQueue bounds the changes waiting for one WebSocket; a client that
	// lets it fill is dropped and resyncs from its cursor.
	SendQueue int
	// PingInterval is how often the server pings each WebSocket; a client
	// silent for twice as long is dropped.
	PingInterval time.Duration
	// WriteTimeout bounds one WebSocket write.
	WriteTimeout time.Duration
	// FilterChanges makes the change feed (GET /v1/changes and /v1/ws)
	// show each user only the changes they may see, the others as hidden
	// placeholders. cmd/syncd turns it on; it is off by default only for
	// the desktop's embedded single-user syncd and the walking skeleton's
	// tests, where every user saw every change.
	FilterChanges bool
	// UserThrottle and AddrThrottle slow down and lock out repeated failed
	// sign-ins per username and per remote address.
	UserThrottle, AddrThrottle Throttle
	// Board is how the supervisor's board counts and alerts (board.go).
	Board BoardConfig
	// Overdue is when overdue callbacks go to the pool (overdue.go).
	Overdue OverdueConfig
	// Mail sends case replies and appointment confirmations to citizens;
	// nil means syncd has no SMTP relay and says so when asked to send.
	Mail mail.Sender
	// Replies is the letterhead and signature of replies to citizens
	// and the callback an answer ready creates (replies.go); zero means
	// DefaultReplyConfig.
	Replies ReplyConfig
	// Open311 is what the Open311 GeoReport v2 endpoint says of itself
	// and the jurisdiction it accepts (open311.go).
	Open311 Open311Config

	store   Store
	logger  *slog.Logger
	hub     *hub
	metrics *metrics
	closing atomic.Bool // set by Close: not ready any more
	users   *limiter    // failed sign-ins per username
	addrs   *limiter    // failed sign-ins per remote address

	ln      net.Listener
	http    *http.Server
	serving chan struct{} // closed when Serve returns

	follower *follower // other nodes' commits, when the store is a Notifier (notify.go)

	sessions sessionCache // recent token lookups (sessions.go)

	boardOnce sync.Once
	brd       *board // the supervisor's board, see boardOf (board.go)

	overdue *overdueTicker // overdue callbacks to the pool (overdue.go)

	// publishing: published is the newest seq handed to the hub, known
	// once ready.
	pubMu        sync.Mutex
	pubReady     bool
	pubReadyFast atomic.Bool // pubReady, readable without pubMu
	published    int64
	pubRounds    atomic.Int64 // publishNew rounds that have started reading the store
}

// New returns a server on store that logs to logger.
func New(store Store, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m := newMetrics()
	h := newHub()
	h.metrics = m
	return &Server{
		Addr:            "127.0.0.1:0",
		Now:             time.Now,
		SessionTTL:      DefaultSessionTTL,
		SessionCacheTTL: DefaultSessionCacheTTL,
		SendQueue:       DefaultSendQueue,
		PingInterval:    DefaultPingInterval,
		WriteTimeout:    DefaultWriteTimeout,
		store:           store,
		logger:          logger.With("subsystem", "server"),
		hub:             h,
		metrics:         m,
		UserThrottle:    DefaultUserThrottle,
		AddrThrottle:    DefaultAddrThrottle,
		users:           newLimiter(),
		addrs:           newLimiter(),
	}
}

// Open listens on Addr and serves in the background.
func (s *Server) Open() error {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if s.TLSConfig != nil {
		cfg := s.TLSConfig.Clone()
		cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
		ln = tls.NewListener(ln, cfg)
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
	s.follower = s.follow()
	s.store.SetRepeatContactWindow(s.boardOf().cfg().RepeatContactWindow)
	s.boardOf().start()
	s.startOverdue() // overdue.go
	s.logger.Info("listening", logAddr, ln.Addr().String())
	return nil
}

// URL returns the base URL the server answers on once open, such as
// http://127.0.0.1:8080.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	if s.TLSConfig != nil {
		return "https://" + s.ln.Addr().String()
	}
	return "http://" + s.ln.Addr().String()
}

// Close drops every WebSocket (telling desktops to reconnect) and shuts
// down the HTTP server, waiting up to five seconds for requests in flight.
func (s *Server) Close() error {
	s.closing.Store(true)
	s.follower.stop()
	s.boardOf().stop()
	s.stopOverdue()
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
	mux.HandleFunc("GET /readyz", s.handleReady)
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	s.routeOpen311(mux) // open311.go: city apps, not behind sessions
	mux.HandleFunc("POST /v1/login", s.handleLogin)
	mux.Handle("POST /v1/logout", s.authed(ActionLogout, s.handleLogout))
	mux.Handle("GET /v1/me", s.authed(ActionMe, s.handleMe))
	mux.Handle("GET /v1/callers/{number}", s.authed(ActionLookupCaller, s.handleLookupCaller))
	mux.Handle("POST /v1/wrapups", s.authed(ActionRecordWrapUp, s.handleRecordWrapUp))
	mux.Handle("POST /v1/ops", s.authed(ActionPushOps, s.handlePushOps))                             // batch.go
	mux.Handle("GET /v1/citizens", s.authed(ActionSearchCitizens, s.handleSearchCitizens))           // citizens.go
	mux.Handle("POST /v1/citizens", s.authed(ActionEditCitizen, s.handleCreateCitizen))              // citizens.go
	mux.Handle("PUT /v1/citizens/{id}", s.authed(ActionEditCitizen, s.handleUpdateCitizen))          // citizens.go
	mux.Handle("POST /v1/citizens/{id}/merge", s.authed(ActionMergeCitizens, s.handleMergeCitizens)) // citizens.go
	mux.Handle("GET /v1/changes", s.authed(ActionReadChanges, s.handleChanges))
	mux.Handle("GET /v1/ws", s.authed(ActionReadChanges, s.handleWebSocket))
	mux.Handle("GET /v1/audit", s.authed(ActionReadAudit, s.handleAudit))
	mux.Handle("POST /v1/audit/offline", s.authed(ActionLookupCaller, s.handleOfflineRead))
	mux.Handle("GET /v1/kb", s.authed(ActionReadKB, s.handleKB))
	mux.Handle("GET /v1/directory", s.authed(ActionReadDirectory, s.handleDirectory))
	// Editing the knowledge base and the directory, with history (kbedit.go),
	// and importing and exporting the catalogue (catalog.go).
	mux.Handle("POST /v1/kb", s.authed(ActionEditKB, s.handleCreateKB))
	mux.Handle("PUT /v1/kb/{id}", s.authed(ActionEditKB, s.handleUpdateKB))
	mux.Handle("DELETE /v1/kb/{id}", s.authed(ActionEditKB, s.handleRetireKB))
	mux.Handle("GET /v1/kb/{id}/history", s.authed(ActionReadHistory, s.handleKBHistory))
	mux.Handle("POST /v1/directory", s.authed(ActionEditDirectory, s.handleCreateDirectory))
	mux.Handle("PUT /v1/directory/{id}", s.authed(ActionEditDirectory, s.handleUpdateDirectory))
	mux.Handle("DELETE /v1/directory/{id}", s.authed(ActionEditDirectory, s.handleRetireDirectory))
	mux.Handle("GET /v1/directory/{id}/history", s.authed(ActionReadHistory, s.handleDirectoryHistory))
	mux.Handle("POST /v1/catalog/import", s.authed(ActionImportCatalog, s.handleImportCatalog))
	mux.Handle("GET /v1/catalog/export", s.authed(ActionExportCatalog, s.handleExportCatalog))
	mux.Handle("GET /v1/desks", s.authed(ActionReadDesks, s.handleDesks))
	mux.Handle("GET /v1/desks/availability", s.authed(ActionReadDeskAvailability, s.handleDeskAvailability))
	mux.Handle("GET /v1/kb/usefulness", s.authed(ActionReadKBUsefulness, s.handleKBUsefulness))
	mux.Handle("GET /v1/queue", s.authed(ActionReadQueue, s.handleQueue))
	mux.Handle("POST /v1/cases/{id}/events", s.authed(ActionWorkOnCase, s.handleCaseEvent))
	mux.Handle("POST /v1/cases/{id}/assign", s.authed(ActionAssignCase, s.handleAssignCase)) // assign.go
	mux.Handle("POST /v1/presence", s.authed(ActionReportPresence, s.handlePresence))
	mux.Handle("GET /v1/board", s.authed(ActionReadBoard, s.handleBoard))
	// Acting from the board (boardact.go): raised hands, callbacks, desks.
	mux.Handle("POST /v1/hand", s.authed(ActionRaiseHand, s.handleRaiseHand))
	mux.Handle("DELETE /v1/hand", s.authed(ActionRaiseHand, s.handleLowerHand))
	mux.Handle("POST /v1/hands/{agent}/answer", s.authed(ActionAnswerHand, s.handleAnswerHand))
	mux.Handle("POST /v1/callbacks/{id}/owner", s.authed(ActionReassignCallback, s.handleReassignCallback))
	mux.Handle("POST /v1/agents/{id}/desks", s.authed(ActionMoveAgent, s.handleMoveAgent))
	mux.Handle("GET /v1/reports", s.authed(ActionReadReports, s.handleReport)) // reports.go
	mux.Handle("GET /v1/callbacks", s.authed(ActionReadCallbacks, s.handleCallbacks))
	mux.Handle("POST /v1/callbacks/{id}/attempts", s.authed(ActionAttemptCallback, s.handleCallbackAttempt))
	mux.Handle("GET /v1/appointments/services", s.authed(ActionReadAppointments, s.handleOfficeServices))
	mux.Handle("GET /v1/appointments/slots", s.authed(ActionReadAppointments, s.handleFreeSlots))
	mux.Handle("GET /v1/appointments", s.authed(ActionReadAppointments, s.handleCitizenAppointments))
	mux.Handle("POST /v1/appointments", s.authed(ActionBookAppointment, s.handleBookAppointment))
	mux.Handle("POST /v1/appointments/{id}/move", s.authed(ActionBookAppointment, s.handleMoveAppointment))
	mux.Handle("POST /v1/appointments/{id}/cancel", s.authed(ActionBookAppointment, s.handleCancelAppointment))
	mux.Handle("POST /v1/cases/{id}/replies", s.authed(ActionReplyToCitizen, s.handleReply))
	mux.Handle("GET /v1/cases/{id}/letter.pdf", s.authed(ActionPrintLetter, s.handleLetter))
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

type tokenKey struct{}

// tokenOf returns the bearer token of a request that authed let through.
func tokenOf(r *http.Request) string {
	t, _ := r.Context().Value(tokenKey{}).(string)
	return t
}

// authed runs h for a signed-in user whose role may do action: the bearer
// token comes from the Authorization header, or from the token query
// parameter on /v1/ws (browsers cannot set headers on a WebSocket).
func (s *Server) authed(action Action, h func(w http.ResponseWriter, r *http.Request, u *sportello.User)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := bearerToken(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		u, err := s.userBySession(r.Context(), token)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !Allowed(u.Role, action) {
			s.logger.Info("forbidden", logAgent, u.Username, logMethod, r.Method, logPath, r.URL.Path)
			s.writeError(w, r, forbidden(u, action))
			return
		}
		if err := s.ensurePublishCursor(r.Context()); err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, token)), u)
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

// handleReady serves GET /readyz: 200 when syncd takes requests (its store
// answers and it is not shutting down), 503 otherwise, so that a load
// balancer sends desktops elsewhere.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if s.closing.Load() {
		s.writeError(w, r, sportello.Errorf(sportello.EUNAVAILABLE, "syncd is shutting down"))
		return
	}
	if _, err := s.store.Head(r.Context()); err != nil {
		s.logger.Error("ready", logErr, err)
		s.writeError(w, r, sportello.Errorf(sportello.EUNAVAILABLE, "the store does not answer"))
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
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
	// Throttled keys are refused before the password is checked, so that
	// guessing costs the server nothing.
	now, addr := s.Now(), remoteHost(r)
	userKey := strings.ToLower(req.Username)
	if err := s.throttled(w, userKey, addr, now); err != nil {
		s.logger.Warn("sign-in throttled", logAgent, req.Username, logRemote, addr)
		s.metrics.inc(`syncd_logins_total{result="throttled"}`)
		s.writeError(w, r, err)
		return
	}
	u, err := s.store.Authenticate(r.Context(), req.Username, req.Password)
	if err != nil {
		if sportello.ErrorCode(err) == sportello.EUNAUTHORIZED {
			s.users.fail(userKey, s.UserThrottle, now)
			s.addrs.fail(addr, s.AddrThrottle, now)
			s.logger.Info("sign-in refused", logAgent, req.Username, logRemote, addr)
			s.metrics.inc(`syncd_logins_total{result="refused"}`)
		}
		s.writeError(w, r, err)
		return
	}
	s.users.succeed(userKey)
	s.metrics.inc(`syncd_logins_total{result="ok"}`)
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

// throttled returns the error for a sign-in that must wait, setting
// Retry-After, or nil.
func (s *Server) throttled(w http.ResponseWriter, userKey, addr string, now time.Time) error {
	wait, locked := s.users.wait(userKey, s.UserThrottle, now)
	if aw, al := s.addrs.wait(addr, s.AddrThrottle, now); aw > wait {
		wait, locked = aw, al
	}
	if wait <= 0 {
		return nil
	}
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	if locked {
		mins := (secs + 59) / 60
		return sportello.Errorf(sportello.EFORBIDDEN, "too many failed sign-ins: sign-in is locked for %d minutes; try again later or ask an administrator", mins)
	}
	return sportello.Errorf(sportello.EFORBIDDEN, "too many failed sign-ins: wait %d seconds and try again", secs)
}

// remoteHost is the address a request came from, without its port. syncd
// does not trust X-Forwarded-For: behind a proxy, every desktop shares the
// proxy's address and the per-address throttle counts them together.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	token := tokenOf(r)
	if err := s.store.DeleteSession(r.Context(), token); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.sessions.forget(sessionKey(token))
	s.hub.dropSession(sessionKey(token))
	s.logger.Info("signed out", logAgent, u.Username)
	w.WriteHeader(http.StatusNoContent)
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
	if card.Citizen != nil {
		// The session holds this citizen open: its feed shows the
		// citizen's changes from now on.
		s.hub.addCitizen(sessionKey(tokenOf(r)), card.Citizen.ID)
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
	k, replayed, err := s.store.RecordWrapUpOnce(r.Context(), u, wu)
	if err != nil {
		s.metrics.inc(`syncd_ops_total{kind="wrap_up",result="refused"}`)
		s.writeError(w, r, err)
		return
	}
	if replayed {
		s.metrics.inc(`syncd_ops_total{kind="wrap_up",result="replayed"}`)
		// A resend from an outbox: nothing new to push.
		w.Header().Set(HeaderReplayed, "true")
		s.writeJSON(w, http.StatusOK, k)
		return
	}
	s.metrics.inc(`syncd_ops_total{kind="wrap_up",result="created"}`)
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
	v, err := s.viewerOf(r, u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range changes {
		changes[i] = v.show(changes[i])
	}
	resp := wire.ChangesResponse{Changes: changes, Cursor: since}
	if n := len(changes); n > 0 {
		resp.Cursor = changes[n-1].Seq
	}
	s.writeJSON(w, http.StatusOK, resp)
}

// viewerOf returns what the session of r may see of the change feed. A
// supervisor's feed is its own working set, like anyone's (policy.go).
func (s *Server) viewerOf(r *http.Request, u *sportello.User) (*viewer, error) {
	if !s.FilterChanges || u.Role == sportello.RoleAdmin {
		return newViewer(u, true, nil, nil, nil), nil
	}
	desks, cases, citizens, err := s.store.FeedScope(r.Context(), tokenOf(r), u.ID)
	if err != nil {
		return nil, err
	}
	return newViewer(u, false, desks, cases, citizens), nil
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	citizen := r.URL.Query().Get("citizen_id")
	if citizen == "" || len(citizen) > 64 {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "name the citizen: ?citizen_id=ID"))
		return
	}
	entries, err := s.store.AccessLog(r.Context(), citizen)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if entries == nil {
		entries = []wire.AccessEntry{}
	}
	s.logger.Info("audit log read", logAgent, u.Username)
	s.writeJSON(w, http.StatusOK, wire.AccessLogResponse{CitizenID: citizen, Entries: entries})
}

// maxKBCursor bounds the after parameter of GET /v1/kb.
const maxKBCursor = 200

func (s *Server) handleKB(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	after := r.URL.Query().Get("after")
	if len(after) > maxKBCursor {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "after is longer than %d bytes", maxKBCursor))
		return
	}
	limit, err := queryInt(r, "limit", wire.KBPageLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if limit < 1 || limit > wire.KBPageLimit {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "limit must be between 1 and %d", wire.KBPageLimit))
		return
	}
	entries, err := s.store.KBPage(r.Context(), after, int(limit))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	total, err := s.store.KBTotal(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if entries == nil {
		entries = []sportello.KBEntry{}
	}
	s.writeJSON(w, http.StatusOK, wire.KBPageResponse{Entries: entries, Total: total})
}

// sessionKey names a session in memory without keeping its token.
func sessionKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return string(h[:])
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
//
// Callers whose commits are done wait for one round that started reading
// after they called: when many requests commit at once (group commit),
// one round publishes for all of them and the others return.
func (s *Server) publishNew(ctx context.Context) {
	covering := s.pubRounds.Load() + 1 // a round reading after now covers this caller
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	if s.pubRounds.Load() >= covering {
		return // that round has run while this caller waited
	}
	s.pubRounds.Add(1)
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
		s.metrics.add("syncd_changes_published_total", int64(len(changes)))
		if len(changes) > 0 {
			s.boardChangedBy(changes) // only the board's sections they move (boardread.go)
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
