package server

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// BoardConfig is the supervisor's board: how syncd counts (the day, the
// SLA on the business calendar) and the thresholds that raise alerts.
// Zero fields take the defaults below.
type BoardConfig struct {
	// Location is where "today" and business days are counted;
	// Europe/Rome when nil.
	Location *time.Location
	// Calendar gives the holidays; Italy's with Milan's patron day when
	// it has none.
	Calendar sportello.Calendar
	// SLADays is how many business days a desk has to answer a case from
	// its escalation (DefaultSLADays); DeskSLADays overrides it per desk id.
	SLADays     int
	DeskSLADays map[string]int
	// RiskDays: a case is at risk this many business days before its SLA
	// is due (DefaultRiskDays).
	RiskDays int
	// SLA is the SLA per desk and category on the service hours (sla.go);
	// its zero fields take Location, Calendar, SLADays, DeskSLADays and
	// RiskDays above. The queues and the board's desks both use it.
	SLA sportello.SLAPolicy
	// FCRTarget is the share of wrap-ups resolved at first contact the
	// service aims at (DefaultFCRTarget); under it, with at least
	// FCRMinWrapUps wrap-ups today, the board raises an alert.
	FCRTarget     float64
	FCRMinWrapUps int
	// TrueFCRTarget is the threshold of true first-contact resolution
	// today (repeat contacts removed): under it, with at least
	// FCRMinWrapUps first contacts, the board raises an alert
	// (operatorfcr.go). 0 means FCRTarget.
	TrueFCRTarget float64
	// Debounce is the least time between two recomputes (DefaultDebounce):
	// a burst of changes costs one.
	Debounce time.Duration
	// Refresh recomputes the board while nothing changes, as time passes
	// (SLA at risk and breached, a new day) (DefaultRefresh).
	Refresh time.Duration
	// ReadShare bounds the share of time the board spends reading the
	// store (DefaultReadShare): after a read that took d, the sections
	// changes marked, and every section each Refresh, are read again no
	// sooner than d·(1/ReadShare − 1) later (a new day at once), while
	// agents' states still go out every Debounce. Today's
	// counts are read whole (boardread.go), so on a busy day a read grows
	// with the day's wrap-ups; the bound keeps the board from taking the
	// writer's cores then (issue 4: 36% of syncd at 1,000 ops/s without it).
	ReadShare float64
	// RepeatContactWindow: a wrap-up is a repeat contact when its citizen
	// had one on the same service this long before it
	// (sportello.DefaultRepeatContactWindow); syncd gives it to the store,
	// which flags each wrap-up as it records it (fcr.go).
	RepeatContactWindow time.Duration
	// CallbacksOverdueAlert: more overdue callbacks than this raise an
	// alert (DefaultCallbacksOverdueAlert); CallbackTarget is the share
	// to make inside their window (sportello.DefaultCallbackTarget).
	CallbacksOverdueAlert int
	CallbackTarget        float64
	// PresenceTTL: the agents of another node whose heartbeat is older
	// than this show offline (DefaultPresenceTTL, presence.go).
	PresenceTTL time.Duration
}

// Defaults of BoardConfig.
const (
	DefaultSLADays       = 2
	DefaultRiskDays      = 1
	DefaultFCRTarget     = 0.8
	DefaultFCRMinWrapUps = 10
	// 50 ms: with 500 agents it keeps a change's way to every board under
	// 200 ms at p99 (126 ms measured; 300-324 ms at 250 ms), for about a
	// third more board reads (docs/BENCHMARKS.md).
	DefaultDebounce = 50 * time.Millisecond
	DefaultRefresh  = time.Minute
	// DefaultReadShare: 3%. A read of 2 ms (a quiet day) waits 65 ms;
	// one of 20 ms (the 20,000-citizen city at 1,000 ops/s) waits 650 ms;
	// one of 4 s (a heavy day at a million citizens) waits 2 minutes, and
	// today's counts and the queues are that old while agents' states go
	// out every debounce. At a tenth, syncd did 881-937 ops/s at 1,000
	// asked; at 3%, 953-977 in alternating runs (issue 4). Counts kept
	// from the change stream would not have to choose.
	DefaultReadShare = 0.03
)

func (c BoardConfig) withDefaults() BoardConfig {
	if c.Location == nil {
		c.Location = time.UTC
		if loc, err := time.LoadLocation("Europe/Rome"); err == nil {
			c.Location = loc
		}
	}
	if c.Calendar.Fixed == nil {
		c.Calendar = sportello.ItalianCalendar(1207, "Sant'Ambrogio")
	}
	if c.SLADays <= 0 {
		c.SLADays = DefaultSLADays
	}
	if c.RiskDays <= 0 {
		c.RiskDays = DefaultRiskDays
	}
	if c.FCRTarget <= 0 {
		c.FCRTarget = DefaultFCRTarget
	}
	if c.FCRMinWrapUps <= 0 {
		c.FCRMinWrapUps = DefaultFCRMinWrapUps
	}
	if c.Debounce <= 0 {
		c.Debounce = DefaultDebounce
	}
	if c.Refresh <= 0 {
		c.Refresh = DefaultRefresh
	}
	if c.ReadShare <= 0 || c.ReadShare > 1 {
		c.ReadShare = DefaultReadShare
	}
	if c.RepeatContactWindow <= 0 {
		c.RepeatContactWindow = sportello.DefaultRepeatContactWindow
	}
	c.SLA = c.slaPolicy() // sla.go
	return c
}

// startOfDay is midnight of t's date in loc.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// presenceEntry is one agent's reported state, in this node's memory.
type presenceEntry struct {
	name   string
	role   sportello.Role
	state  sportello.AgentState
	reason string
	since  time.Time
	node   string // the node it came through (presence.go)
}

// boardInput is what the board is computed from: the store's part is
// read again only after a change (or on a new day), presence lives here.
type boardInput struct {
	desks    []sportello.Desk
	backlog  []wire.DeskCase
	wrapUps  []wire.WrapUpCount
	fcr      fcrInput                // fcr.go
	offices  []sportello.BoardOffice // appointments booked today (appointments.go)
	act      actInput                // callbacks, hours, calls, hands (boardact.go)
	presence map[string]presenceEntry
}

// computeBoard computes the board at now from its inputs: agents (those
// who reported a state on this node, and those who wrapped up calls
// today), calls in progress (agents on a call), each desk's backlog with
// its SLA counts, first-contact resolution today, and the alerts.
func computeBoard(now time.Time, cfg BoardConfig, in boardInput) *sportello.Board {
	b := &sportello.Board{At: now.UTC(), Agents: []sportello.BoardAgent{}, Desks: []sportello.BoardDesk{}, Alerts: []sportello.BoardAlert{}}

	agents := map[string]*sportello.BoardAgent{}
	for id, p := range in.presence {
		agents[id] = &sportello.BoardAgent{ID: id, Name: p.name, Role: p.role, State: p.state, Reason: p.reason, Since: p.since.UTC()}
	}
	for _, w := range in.wrapUps {
		if w.Outcome == sportello.OutcomeMissed {
			// Not a handled call: it counts neither for the agent nor for FCR.
			b.MissedToday += w.Count
			continue
		}
		a := agents[w.AuthorID]
		if a == nil {
			a = &sportello.BoardAgent{ID: w.AuthorID, Name: w.Author, State: sportello.AgentOffline}
			agents[w.AuthorID] = a
		}
		a.CallsToday += w.Count
		b.FCR.WrapUps += w.Count
		if w.Outcome == sportello.OutcomeResolvedFirstContact {
			b.FCR.Resolved += w.Count
		}
	}
	for _, a := range agents {
		if a.State == sportello.AgentOnCall {
			b.CallsInProgress++
		}
		b.Agents = append(b.Agents, *a)
	}
	slices.SortFunc(b.Agents, func(x, y sportello.BoardAgent) int {
		return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.ID, y.ID))
	})
	b.FCR.Target = cfg.FCRTarget
	in.fcr.apply(&b.FCR)
	b.Appointments = in.offices

	desks := map[string]*sportello.BoardDesk{}
	for _, d := range in.desks {
		b.Desks = append(b.Desks, sportello.BoardDesk{ID: d.ID, Name: d.Name})
	}
	for i := range b.Desks {
		desks[b.Desks[i].ID] = &b.Desks[i]
	}
	var unknown []sportello.BoardDesk // a desk removed with cases left in its queue
	for _, k := range in.backlog {
		d := desks[k.DeskID]
		if d == nil {
			unknown = append(unknown, sportello.BoardDesk{ID: k.DeskID, Name: k.DeskID})
			d = &unknown[len(unknown)-1]
			desks[k.DeskID] = d
		}
		d.Open++
		if k.EscalatedAt.IsZero() {
			continue // a case from before escalations were timed: no SLA known
		}
		if d.OldestAt.IsZero() || k.EscalatedAt.Before(d.OldestAt) {
			d.OldestAt = k.EscalatedAt.UTC()
		}
		st, _ := cfg.SLA.State(k.DeskID, k.Category, k.EscalatedAt, now) // the queues' function (sla.go)
		switch {
		case st.Breached:
			d.Breached++
		case st.AtRisk:
			d.AtRisk++
		}
	}
	for _, d := range unknown {
		b.Desks = append(b.Desks, *desks[d.ID])
	}

	if b.FCR.WrapUps >= cfg.FCRMinWrapUps && b.FCR.Rate() < cfg.FCRTarget {
		b.Alerts = append(b.Alerts, sportello.BoardAlert{Kind: sportello.AlertFCRBelowTarget,
			Message: fmt.Sprintf("first-contact resolution today is %.0f%%, under the %.0f%% target", 100*b.FCR.Rate(), 100*cfg.FCRTarget)})
	}
	applyOperatorFCR(b, cfg, in.fcr.operators) // operatorfcr.go: per agent, and the true rate's alert
	for _, d := range b.Desks {
		// The oldest case is the first past its SLA: a breach anywhere
		// at the desk means the oldest one is past it.
		if d.Breached > 0 {
			b.Alerts = append(b.Alerts, sportello.BoardAlert{Kind: sportello.AlertDeskPastSLA, DeskID: d.ID, DeskName: d.Name,
				Message: fmt.Sprintf("the oldest case at %s is past its SLA (%d cases past it)", d.Name, d.Breached)})
		}
	}
	applyAct(now, cfg, in, b)
	return b
}

// board keeps the supervisor's board: computed once per change (at most
// every Debounce), whatever the number of supervisors, and pushed to
// their WebSockets as one encoded frame.
type board struct {
	s    *Server
	kick chan struct{} // something changed: recompute
	quit chan struct{}
	done chan struct{}

	computing sync.Mutex // one recompute at a time
	// weekBefore is this week's first-contact resolution before the day
	// weekFor, read with everything (boardread.go); under computing.
	weekBefore sportello.FCRCounts
	weekFor    time.Time
	cfgOnce    sync.Once
	cfgV       BoardConfig

	node    string        // this process among the nodes (presence.go)
	hbDone  chan struct{} // closed when the heartbeat ends
	loading sync.Mutex    // one read of presence at a time

	mu        sync.Mutex
	running   bool
	dirty     readSet   // the sections the store changed since they were read (boardread.go)
	readFor   time.Time // the day (its midnight) the wrap-ups were counted for
	readAllAt time.Time // when every section was last read
	// nextRead: changed sections, and the periodic read of all, wait for
	// it (BoardConfig.ReadShare); readWaiting says some do.
	nextRead    time.Time
	readWaiting bool
	input       boardInput
	latest      *sportello.Board
	frame       []byte // latest, encoded as a board frame
	// presenceDirty: another node changed presence or hands since they
	// were read at presenceRead; presenceGen counts this node's writes of
	// them, saving those under way (presence.go).
	presenceDirty bool
	presenceRead  time.Time
	presenceGen   uint64
	saving        int
}

func newBoard(s *Server) *board {
	return &board{s: s, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{}),
		node: newNodeID(), hbDone: make(chan struct{}), presenceDirty: true,
		dirty: readAll, input: boardInput{presence: map[string]presenceEntry{}}}
}

// boardOf returns the server's board, made on first use.
func (s *Server) boardOf() *board {
	s.boardOnce.Do(func() { s.brd = newBoard(s) })
	return s.brd
}

// poke asks the loop for a recompute without waiting.
func (b *board) poke() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// cfg is the server's BoardConfig with its defaults, read once (set the
// server's Board before Open).
func (b *board) cfg() BoardConfig {
	b.cfgOnce.Do(func() { b.cfgV = b.s.Board.withDefaults() })
	return b.cfgV
}

// start runs the recompute loop until stop.
func (b *board) start() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.running {
		return
	}
	b.running = true
	go b.run()
	go b.heartbeat() // presence.go
}

// stop ends the loop and waits for it.
func (b *board) stop() {
	b.mu.Lock()
	running := b.running
	b.running = false
	b.mu.Unlock()
	if running {
		close(b.quit)
		<-b.done
		<-b.hbDone
	}
}

// run recomputes on a kick or as time passes, at most every Debounce, and
// only while someone watches: without watchers the board is computed when
// GET /v1/board asks for it.
func (b *board) run() {
	defer close(b.done)
	cfg := b.cfg()
	// Also every third of the presence TTL: a silent node's agents go
	// offline on time (presence.go).
	tick := time.NewTicker(min(cfg.Refresh, cfg.presenceTTL()/3))
	defer tick.Stop()
	readAt := time.NewTimer(time.Hour) // sections waiting for their read
	readAt.Stop()
	for {
		select {
		case <-b.quit:
			return
		case <-b.kick:
		case <-tick.C:
		case <-readAt.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if b.s.hub.boardWatchers() > 0 {
			if _, err := b.recompute(ctx, false); err != nil {
				b.s.logger.Error("board", logErr, err)
			}
		} else if err := b.loadPresence(ctx); err != nil { // hands of other nodes to push (presence.go)
			b.s.logger.Error("board presence", logErr, err)
		}
		cancel()
		b.mu.Lock()
		waiting, next := b.readWaiting, b.nextRead
		b.mu.Unlock()
		if waiting {
			readAt.Reset(max(time.Until(next), 0))
		}
		t := time.NewTimer(cfg.Debounce)
		select {
		case <-b.quit:
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// recompute computes the board, reading the store only when it changed
// (or the day did), and pushes it to the watchers when it differs from
// the last one (whoever asked: the loop or a GET). The sections changed
// wait for the spacing of reads (BoardConfig.ReadShare) unless readNow.
func (b *board) recompute(ctx context.Context, readNow bool) (*sportello.Board, error) {
	b.computing.Lock()
	defer b.computing.Unlock()
	if err := b.loadPresence(ctx); err != nil { // every node's agents (presence.go)
		return nil, err
	}
	cfg := b.cfg()
	now := b.s.Now()
	day := startOfDay(now, cfg.Location)

	start := time.Now() // the spacing of reads is on the machine's clock, not the office's
	b.mu.Lock()
	set := b.dirty
	spaced := start.Before(b.nextRead) // the last read's share of time is not over (ReadShare)
	// Now and then everything, for what changed on another node unannounced.
	stale := now.Sub(b.readAllAt) >= cfg.Refresh || now.Before(b.readAllAt)
	switch {
	case !b.readFor.Equal(day), stale && (readNow || !spaced):
		set = readAll // a new day at once; the periodic read when asked for or spaced
	case spaced && !readNow:
		set = 0 // read later; the agents' states go out now
	}
	b.dirty &^= set // a change from now on marks it again
	b.readWaiting = b.dirty != 0 || stale && set != readAll
	b.mu.Unlock()
	if set != 0 {
		in, err := b.readSections(ctx, day, set) // boardread.go
		took := time.Since(start)
		b.mu.Lock()
		b.nextRead = start.Add(time.Duration(float64(took) / cfg.ReadShare))
		if err != nil {
			b.dirty |= set
			b.readWaiting = true
			b.mu.Unlock()
			return nil, err
		}
		in.install(&b.input, set)
		if set == readAll {
			b.readFor, b.readAllAt = day, now
		}
		b.mu.Unlock()
		b.s.metrics.inc("syncd_board_reads_total")
		b.s.metrics.add("syncd_board_read_microseconds_total", took.Microseconds())
	}

	// Only the computing holds b.mu: the comparison with the last board
	// and the encoding (a few ms at 500 agents, far more on busy cores)
	// run outside it, so that agents' presence POSTs, which take b.mu,
	// do not wait for them. latest is written only here, under
	// computing.
	b.mu.Lock()
	nb := computeBoard(now, cfg, b.input)
	last := b.latest
	b.mu.Unlock()
	var frame []byte
	if last == nil || !sameBoard(last, nb) {
		data, err := wire.BoardFrame(nb).MarshalJSON() // as json.Marshal, without compacting it again (encodeFrame)
		if err != nil {
			return nil, err
		}
		b.mu.Lock()
		b.latest, b.frame = nb, data
		b.mu.Unlock()
		frame = data
	}
	if frame != nil {
		n := b.s.hub.pushBoard(frame)
		b.s.metrics.inc("syncd_board_pushes_total")
		b.s.logger.Debug("board pushed", "watchers", n)
	}
	return nb, nil
}

// sameBoard reports whether two boards show the same, whenever computed.
func sameBoard(a, b *sportello.Board) bool {
	x, y := *a, *b
	x.At, y.At = time.Time{}, time.Time{}
	return reflect.DeepEqual(x, y)
}

// setPresence records an agent's state; a state reported again keeps its
// since. It reports whether anything changed.
func (b *board) setPresence(u *sportello.User, p sportello.Presence, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	old, ok := b.input.presence[u.ID]
	callChanged := b.input.act.presence(u.ID, p, now, b.cfg().Location) // boardact.go
	if ok && old.state == p.State && old.reason == p.Reason && old.name == u.Name && old.node == b.node && !callChanged {
		return false
	}
	b.input.presence[u.ID] = presenceEntry{name: u.Name, role: u.Role, state: p.State, reason: p.Reason, since: now, node: b.node}
	return true
}

// Presence returns the state this node knows for a user (offline when
// none was reported), for tests and logs.
func (s *Server) Presence(userID string) sportello.AgentState {
	b := s.boardOf()
	b.mu.Lock()
	defer b.mu.Unlock()
	if p, ok := b.input.presence[userID]; ok {
		return p.state
	}
	return sportello.AgentOffline
}

// handlePresence serves POST /v1/presence: the agent's state as their
// desktop sees it (available, on a call, wrap-up, break with a reason,
// offline). Kept in this node's memory.
func (s *Server) handlePresence(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var p wire.PresenceRequest
	if err := decodeBody(w, r, &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !p.State.Valid() {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "unknown agent state %q: available, ringing, on_call, wrap_up, break or offline", p.State))
		return
	}
	p.Reason = strings.TrimSpace(p.Reason)
	switch {
	case p.State != sportello.AgentBreak && p.Reason != "":
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "only a break has a reason"))
		return
	case len(p.Reason) > sportello.MaxPresenceReason:
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "the reason is longer than %d bytes", sportello.MaxPresenceReason))
		return
	case !utf8.ValidString(p.Reason) || strings.IndexFunc(p.Reason, unicode.IsControl) >= 0:
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "the reason holds a control character or is not UTF-8 text"))
		return
	}
	if err := checkPresenceCall(&p); err != nil { // boardact.go
		s.writeError(w, r, err)
		return
	}
	b := s.boardOf()
	b.beginSave() // presence.go
	changed := b.setPresence(u, p, s.Now())
	var err error
	if changed {
		// This node's board shows it from memory at once: the store's
		// write (the other nodes read it) is not on the way to the push;
		// a read of presence overlapping it keeps the memory (saving).
		b.poke()
		err = b.savePresence(r.Context(), u.ID) // every node's board reads it
	}
	b.endSave()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if changed {
		s.logger.Debug("presence", logAgent, u.Username, "state", string(p.State))
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleBoard serves GET /v1/board: the board as it is now, for a
// supervisor's desktop to show before the first pushed frame.
func (s *Server) handleBoard(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	b, err := s.boardOf().recompute(r.Context(), true) // asked for: read now
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, b)
}

// boardQueue returns the queue of board frames of a WebSocket of u: one
// frame, the newest, for supervisors and admins; nil (never ready) for
// the others.
func boardQueue(u *sportello.User) chan []byte {
	if !Allowed(u.Role, ActionReadBoard) {
		return nil
	}
	return make(chan []byte, 1)
}

// boardAttached gives a supervisor's new WebSocket the board: the latest
// frame at once, or a recompute when there is none yet.
func (s *Server) boardAttached(c *wsConn) {
	if c.boards == nil {
		return
	}
	b := s.boardOf()
	b.mu.Lock()
	frame := b.frame
	b.mu.Unlock()
	if frame == nil {
		b.poke()
		return
	}
	offerBoard(c, frame)
}

// boardDetached marks an agent offline when their last WebSocket on this
// node closes.
func (s *Server) boardDetached(u *sportello.User) {
	if s.hub.userConnected(u.ID) {
		return
	}
	b := s.boardOf()
	b.beginSave() // presence.go
	defer b.endSave()
	now := s.Now()
	b.mu.Lock()
	p, ok := b.input.presence[u.ID]
	// Only when the agent last reported through this node, not another.
	changed := ok && p.state != sportello.AgentOffline && p.node == b.node
	if changed {
		b.input.presence[u.ID] = presenceEntry{name: p.name, role: p.role, state: sportello.AgentOffline, since: now, node: b.node}
	}
	b.mu.Unlock()
	if !changed {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.store.MarkOffline(ctx, u.ID, b.node, now); err != nil {
		s.logger.Error("presence", logErr, err)
	}
	b.poke()
}

// writeBoard writes a board frame on c; called by c's writer only.
func (s *Server) writeBoard(c *wsConn, frame []byte) {
	c.ws.SetWriteDeadline(time.Now().Add(s.WriteTimeout))
	if err := c.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
		c.stop(websocket.CloseAbnormalClosure, "")
	}
}

// offerBoard puts frame in c's board queue, replacing one not yet sent:
// a slow supervisor skips boards, never gets them late, and never holds
// up the others.
func offerBoard(c *wsConn, frame []byte) {
	for {
		select {
		case c.boards <- frame:
			return
		default:
		}
		select {
		case <-c.boards:
		default:
		}
	}
}

// pushBoard offers frame to every WebSocket that shows the board and
// returns how many.
func (h *hub) pushBoard(frame []byte) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for c := range h.conns {
		if c.boards != nil {
			offerBoard(c, frame)
			n++
		}
	}
	return n
}

// boardWatchers counts the WebSockets that show the board.
func (h *hub) boardWatchers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for c := range h.conns {
		if c.boards != nil {
			n++
		}
	}
	return n
}

// userConnected reports whether a user has a WebSocket on this node.
func (h *hub) userConnected(userID string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		if c.user.ID == userID {
			return true
		}
	}
	return false
}
