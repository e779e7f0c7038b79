package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/client"
)

// CommandBoard is loadgen's supervisor's-board load (issue 7): agents
// taking calls and reporting their state, supervisors' boards watching.
const CommandBoard = "board"

// BoardLoadConfig is what "loadgen board" runs.
type BoardLoadConfig struct {
	// URL is syncd's base URL.
	URL string
	// Agents is how many operators (the users "data --desktops" made)
	// sign in, open their WebSocket and take calls: each reports ringing,
	// on_call, wrap_up (and records the wrap-up) and available.
	Agents int
	// Boards is how many supervisors' boards are open (WebSockets of the
	// "data" supervisors, reused when there are fewer).
	Boards int
	// Ring, Talk, Wrap and Idle are the mean times of a call's phases;
	// each is drawn uniformly in [mean/2, 3*mean/2].
	Ring, Talk, Wrap, Idle time.Duration
	// Warmup runs the load before measuring; Duration is measured.
	Warmup, Duration time.Duration
	// Citizens is how many citizens "data" generated: callers are drawn
	// from their numbers (0: the demo city's known caller only).
	Citizens int
	// DB, when set, is syncd's store: missing users are created first.
	DB string
	// LoginConcurrency bounds sign-ins in flight.
	LoginConcurrency int
	// JSON makes the report one JSON object.
	JSON bool
}

// DefaultBoardLoadConfig is 500 agents and one board, a call cycle of
// about 3 minutes (4 s ringing, 2 min talking, 30 s wrap-up, 24 s
// available): 2.8 calls a second, DESIGN.md's 10,000 calls an hour.
func DefaultBoardLoadConfig() BoardLoadConfig {
	return BoardLoadConfig{
		URL: "http://127.0.0.1:8080", Agents: 500, Boards: 1,
		Ring: 4 * time.Second, Talk: 2 * time.Minute, Wrap: 30 * time.Second, Idle: 24 * time.Second,
		Warmup: 10 * time.Second, Duration: 60 * time.Second, LoginConcurrency: 4,
	}
}

// BoardLoadResult is what a board run measured.
type BoardLoadResult struct {
	Agents int `json:"agents"`
	Boards int `json:"boards"`
	// Changes are the presence reports sent while measured; Delivered
	// how many (change, board) pairs showed on a board, Undelivered those
	// no board frame ever reflected (a later state shown counts as
	// delivered: the board skipped a state it had no time to show).
	Changes     int64 `json:"changes"`
	Delivered   int64 `json:"delivered"`
	Undelivered int64 `json:"undelivered"`
	// Latency is the time from the start of an agent's POST /v1/presence
	// to the board frame showing it arriving, over every open board.
	Latency Latency `json:"presence_to_board"`
	// Post is the presence POST's own round trip.
	Post Latency `json:"presence_post"`
	// Frames are board frames received per second over all boards.
	FramesPerSec float64 `json:"board_frames_per_s"`
	WrapUps      int64   `json:"wrap_ups"`
	Failed       int64   `json:"failed"`
	DurationSecs float64 `json:"duration_s"`
	// LastBoard is the last board one of the boards received.
	LastBoard *sportello.Board `json:"-"`
	// From and To are the measured time.
	From, To time.Time `json:"-"`
}

func (m *Main) parseBoard(args []string) error {
	fs := m.newFlagSet(CommandBoard)
	c := &m.Board
	fs.StringVar(&c.URL, "url", c.URL, "syncd's base URL")
	fs.IntVar(&c.Agents, "agents", c.Agents, "operators taking calls (users from \"loadgen data --desktops\", see BoardDesktops)")
	fs.IntVar(&c.Boards, "boards", c.Boards, "supervisors' boards open")
	fs.DurationVar(&c.Ring, "ring", c.Ring, "mean time a call rings")
	fs.DurationVar(&c.Talk, "talk", c.Talk, "mean time on a call")
	fs.DurationVar(&c.Wrap, "wrap", c.Wrap, "mean time in wrap-up")
	fs.DurationVar(&c.Idle, "idle", c.Idle, "mean time available between calls")
	fs.DurationVar(&c.Warmup, "warmup", c.Warmup, "load before measuring")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "measured time")
	fs.IntVar(&c.Citizens, "citizens", c.Citizens, "citizens \"loadgen data\" made: callers are drawn from them")
	fs.StringVar(&c.DB, "db", c.DB, "syncd's store: create missing users in it first")
	fs.IntVar(&c.LoginConcurrency, "login-concurrency", c.LoginConcurrency, "sign-ins in flight")
	fs.BoolVar(&c.JSON, "json", c.JSON, "print the result as one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case c.Agents < 1 || c.Boards < 0:
		return errors.New("--agents must be at least 1 and --boards not negative")
	case c.Duration <= 0 || c.Ring <= 0 || c.Talk <= 0 || c.Wrap <= 0 || c.Idle <= 0:
		return errors.New("--duration, --ring, --talk, --wrap and --idle must be positive")
	case c.LoginConcurrency < 1:
		return errors.New("--login-concurrency must be at least 1")
	}
	return nil
}

// BoardDesktops returns the desktops "loadgen data --desktops" must make
// users for so that agents operators have accounts.
func BoardDesktops(agents int) int {
	n := agents
	for {
		ops := 0
		for _, u := range plannedUsers(n) {
			if u.Role == sportello.RoleOperator {
				ops++
			}
		}
		if ops >= agents {
			return n
		}
		n++
	}
}

// presenceChange is one state an agent reported: when its POST started.
type presenceChange struct {
	state sportello.AgentState
	at    int64 // unix ns
}

// boardAgent is one simulated agent.
type boardAgent struct {
	c    *client.Client
	user *sportello.User

	mu      sync.Mutex
	changes []presenceChange
}

// boardWatch is one open board: for each agent, the last change it showed.
type boardWatch struct {
	c    *client.Client
	mu   sync.Mutex
	seen map[string]int // agent id -> index in changes
}

// boardRun is one board run.
type boardRun struct {
	cfg        BoardLoadConfig
	agents     map[string]*boardAgent // by user id
	from, to   atomic.Int64           // measured window, unix ns
	lat, post  histogram
	frames     atomic.Int64
	delivered  atomic.Int64
	changes    atomic.Int64
	wrapUps    atomic.Int64
	failed     atomic.Int64
	lastMu     sync.Mutex
	last       *sportello.Board
	errOnce    sync.Once
	firstError string
}

func (r *boardRun) measuring(t int64) bool {
	from, to := r.from.Load(), r.to.Load()
	return from > 0 && t >= from && (to == 0 || t <= to)
}

func (r *boardRun) fail(err error) {
	r.failed.Add(1)
	r.errOnce.Do(func() { r.firstError = err.Error() })
}

// runBoard signs the agents and supervisors in, opens their WebSockets,
// runs the calls for the warm-up and the measured time, and matches each
// board frame with the presence changes it shows.
func (m *Main) runBoard(ctx context.Context) (*BoardLoadResult, error) {
	cfg := m.Board
	n := BoardDesktops(cfg.Agents)
	if cfg.DB != "" {
		if err := m.createUsers(ctx, cfg.DB, n); err != nil {
			return nil, err
		}
	}
	var agentUsers, supervisors []plannedUser
	for _, u := range plannedUsers(n) {
		switch u.Role {
		case sportello.RoleOperator:
			if len(agentUsers) < cfg.Agents {
				agentUsers = append(agentUsers, u)
			}
		case sportello.RoleSupervisor:
			supervisors = append(supervisors, u)
		}
	}
	fmt.Fprintf(m.Stdout, "board: %d agents, %d boards, against %s\n", cfg.Agents, cfg.Boards, cfg.URL)
	r := &boardRun{cfg: cfg, agents: map[string]*boardAgent{}}

	login := func(username string) (*client.Client, *sportello.User, error) {
		c := client.New(cfg.URL, nil)
		c.Backoff = func(int) time.Duration { return 200*time.Millisecond + rand.N(800*time.Millisecond) }
		u, err := c.Login(ctx, username, Password)
		if err != nil {
			return nil, nil, fmt.Errorf("sign in %s: %w (run \"loadgen data --desktops %d\" first, or pass --db)", username, err, n)
		}
		return c, u, nil
	}
	start := time.Now()
	agents := make([]*boardAgent, len(agentUsers))
	watches := make([]*boardWatch, cfg.Boards)
	sem := make(chan struct{}, cfg.LoginConcurrency)
	var wg sync.WaitGroup
	var loginErr atomic.Value
	for i, p := range agentUsers {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c, u, err := login(p.Username)
			if err != nil {
				loginErr.CompareAndSwap(nil, err)
				return
			}
			agents[i] = &boardAgent{c: c, user: u}
		})
	}
	for i := range watches {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c, _, err := login(supervisors[i%len(supervisors)].Username)
			if err != nil {
				loginErr.CompareAndSwap(nil, err)
				return
			}
			watches[i] = &boardWatch{c: c, seen: map[string]int{}}
		})
	}
	wg.Wait()
	var clients []*client.Client
	for _, a := range agents {
		if a != nil {
			clients = append(clients, a.c)
			r.agents[a.user.ID] = a
		}
	}
	for _, w := range watches {
		if w != nil {
			clients = append(clients, w.c)
		}
	}
	defer func() {
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Go(func() { c.Close() })
		}
		wg.Wait()
	}()
	if err, _ := loginErr.Load().(error); err != nil {
		return nil, err
	}
	fmt.Fprintf(m.Stdout, "board: signed in in %.1fs\n", time.Since(start).Seconds())

	head, err := changeHead(ctx, clients[0])
	if err != nil {
		return nil, err
	}
	var up atomic.Int64
	for _, c := range clients {
		var once sync.Once
		c.Subscribe(func(s sportello.SyncState) {
			if s.Online {
				once.Do(func() { up.Add(1) })
			}
		}, func(sportello.Change) {})
	}
	for _, w := range watches {
		w.c.SubscribeBoard(func(b *sportello.Board) { r.onBoard(w, b) })
	}
	for _, c := range clients {
		c.SetCursor(head)
		if err := c.Open(ctx); err != nil {
			return nil, err
		}
	}
	for up.Load() < int64(len(clients)) {
		if time.Since(start) > 3*time.Minute {
			return nil, fmt.Errorf("only %d of %d WebSockets came online", up.Load(), len(clients))
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(m.Stdout, "board: all %d WebSockets online\n", len(clients))

	// The calls: every agent runs its own cycle until the end.
	runCtx, stop := context.WithCancel(ctx)
	var agentsDone sync.WaitGroup
	for _, a := range agents {
		agentsDone.Go(func() { r.agentLoop(runCtx, a) })
	}
	t0 := time.Now()
	err = sleep(ctx, cfg.Warmup)
	r.frames.Store(0)
	r.from.Store(time.Now().UnixNano())
	if err == nil {
		err = sleep(ctx, cfg.Duration)
	}
	r.to.Store(time.Now().UnixNano())
	elapsed := time.Since(t0) - cfg.Warmup
	frames := r.frames.Load()
	stop()
	agentsDone.Wait()
	// Frames of the last changes still arrive: give them a moment.
	sleep(ctx, 2*time.Second)
	if err != nil {
		return nil, err
	}
	res := &BoardLoadResult{Agents: len(agents), Boards: len(watches), Changes: r.changes.Load(), Delivered: r.delivered.Load(),
		Latency: r.lat.summary(), Post: r.post.summary(), FramesPerSec: float64(frames) / elapsed.Seconds(),
		WrapUps: r.wrapUps.Load(), Failed: r.failed.Load(), DurationSecs: elapsed.Seconds(),
		From: time.Unix(0, r.from.Load()), To: time.Unix(0, r.to.Load())}
	res.Undelivered = res.Changes*int64(len(watches)) - res.Delivered
	r.lastMu.Lock()
	res.LastBoard = r.last
	r.lastMu.Unlock()
	m.reportBoard(res, r.firstError)
	return res, nil
}

// between draws a duration uniformly in [mean/2, 3*mean/2].
func between(mean time.Duration) time.Duration {
	return mean/2 + rand.N(mean+1)
}

// agentLoop takes calls until ctx ends: ringing, on a call, wrap-up (the
// wrap-up recorded), available. Each agent starts at a random point of
// its cycle, as in a contact center already at work, its first state
// reported within two seconds.
func (r *boardRun) agentLoop(ctx context.Context, a *boardAgent) {
	means := []time.Duration{r.cfg.Ring, r.cfg.Talk, r.cfg.Wrap, r.cfg.Idle}
	phase, first := 0, time.Duration(0)
	u := rand.N(r.cfg.Ring + r.cfg.Talk + r.cfg.Wrap + r.cfg.Idle)
	for phase < len(means)-1 && u >= means[phase] {
		u -= means[phase]
		phase++
	}
	first = means[phase] - u
	if sleep(ctx, rand.N(2*time.Second)) != nil {
		return
	}
	var call sportello.PresenceCall
	for ctx.Err() == nil {
		if phase == 0 || call.Caller == "" {
			call.Caller = demo.KnownCaller
			if r.cfg.Citizens > 0 {
				call.Caller = CitizenNumber(rand.IntN(r.cfg.Citizens), 0)
			}
		}
		wait := between(means[phase])
		if first > 0 {
			wait, first = first, 0
		}
		end := time.Now().Add(wait)
		var p sportello.Presence
		switch phase {
		case 0:
			p = sportello.Presence{State: sportello.AgentRinging, PresenceCall: call}
		case 1:
			p = sportello.Presence{State: sportello.AgentOnCall, PresenceCall: call}
		case 2:
			p = sportello.Presence{State: sportello.AgentWrapUp, PresenceCall: call}
		default:
			p = sportello.Presence{State: sportello.AgentAvailable}
		}
		if !r.report(ctx, a, p) {
			return
		}
		if phase == 2 {
			o := sportello.OutcomeResolvedFirstContact
			if rand.IntN(5) == 0 {
				o = sportello.OutcomeTransferred
			}
			if err := r.wrapUp(ctx, a, call.Caller, o); err != nil {
				if ctx.Err() != nil {
					return
				}
				r.fail(err)
			}
		}
		if sleep(ctx, time.Until(end)) != nil {
			return
		}
		phase = (phase + 1) % len(means)
		if phase == 0 {
			call = sportello.PresenceCall{}
		}
	}
}

// wrapUp records the wrap-up of the agent's call from caller.
func (r *boardRun) wrapUp(ctx context.Context, a *boardAgent, caller string, o sportello.Outcome) error {
	w := sportello.WrapUp{CallerNumber: caller, Outcome: o, Note: "Informazioni date al cittadino.",
		CallID: "lgb-" + strconv.FormatInt(time.Now().UnixNano(), 36)}
	if _, err := a.c.RecordWrapUp(ctx, w); err != nil {
		return fmt.Errorf("wrap-up of %s: %w", a.user.Username, err)
	}
	r.wrapUps.Add(1)
	return nil
}

// report sends one presence change, recorded before its POST starts so
// that a board frame can never arrive before it is known.
func (r *boardRun) report(ctx context.Context, a *boardAgent, p sportello.Presence) bool {
	at := time.Now()
	a.mu.Lock()
	a.changes = append(a.changes, presenceChange{state: p.State, at: at.UnixNano()})
	a.mu.Unlock()
	if r.measuring(at.UnixNano()) {
		r.changes.Add(1)
	}
	if err := a.c.SetPresence(ctx, p); err != nil {
		if ctx.Err() != nil {
			return false
		}
		r.fail(fmt.Errorf("presence: %w", err))
		return true
	}
	if r.measuring(at.UnixNano()) {
		r.post.observe(time.Since(at))
	}
	return true
}

// onBoard matches a board frame with the changes it shows: for each
// agent, the newest change not yet shown on this board whose state the
// frame has; it and the changes before it reached this board now. It runs
// on the board client's sync goroutine and does not block.
func (r *boardRun) onBoard(w *boardWatch, b *sportello.Board) {
	now := time.Now()
	r.frames.Add(1)
	r.lastMu.Lock()
	r.last = b
	r.lastMu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, ba := range b.Agents {
		a := r.agents[ba.ID]
		if a == nil {
			continue
		}
		a.mu.Lock()
		seen, ok := w.seen[ba.ID]
		if !ok {
			seen = -1
		}
		shown := -1
		for i := len(a.changes) - 1; i > seen; i-- {
			if a.changes[i].state == ba.State {
				shown = i
				break
			}
		}
		if shown >= 0 {
			for j := seen + 1; j <= shown; j++ {
				if at := a.changes[j].at; r.measuring(at) {
					r.lat.observe(now.Sub(time.Unix(0, at)))
					r.delivered.Add(1)
				}
			}
			w.seen[ba.ID] = shown
		}
		a.mu.Unlock()
	}
}

func (m *Main) reportBoard(res *BoardLoadResult, firstErr string) {
	if m.Board.JSON {
		json.NewEncoder(m.Stdout).Encode(res)
		return
	}
	w := m.Stdout
	fmt.Fprintf(w, "board: %d agents, %d boards, %.0fs measured: %d presence changes, %d wrap-ups, %d failed\n",
		res.Agents, res.Boards, res.DurationSecs, res.Changes, res.WrapUps, res.Failed)
	fmt.Fprintf(w, "board: presence -> every board: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (%d delivered, %d never shown)\n",
		res.Latency.P50, res.Latency.P95, res.Latency.P99, res.Latency.Max, res.Delivered, res.Undelivered)
	fmt.Fprintf(w, "board: presence POST p50 %.1f ms, p99 %.1f ms; %.1f board frames/s over all boards\n", res.Post.P50, res.Post.P99, res.FramesPerSec)
	if firstErr != "" {
		fmt.Fprintf(w, "board: first error: %s\n", firstErr)
	}
}

// BoardStep is one step of a scripted day: at At (from the script's
// start) the Agent-th operator of loadgen's users reports State (with
// Reason for a break, and the call from Caller); a wrap-up state with an
// Outcome records that wrap-up too.
type BoardStep struct {
	At      time.Duration
	Agent   int
	State   sportello.AgentState
	Reason  string
	Caller  string
	Outcome sportello.Outcome
}

// RunBoardScript plays steps, in order, as the agents of "loadgen board"
// do (the same sign-in, WebSocket, presence reports and wrap-ups) against
// syncd at url: before each step it calls clock with the step's At, so
// that a syncd with an injected clock (tests) records it at that time.
// The agents stay signed in and online until ctx ends.
func (m *Main) RunBoardScript(ctx context.Context, url string, steps []BoardStep, clock func(at time.Duration)) error {
	n := 0
	for _, st := range steps {
		n = max(n, st.Agent+1)
	}
	var ops []plannedUser
	for _, u := range plannedUsers(BoardDesktops(n)) {
		if u.Role == sportello.RoleOperator && len(ops) < n {
			ops = append(ops, u)
		}
	}
	r := &boardRun{cfg: m.Board, agents: map[string]*boardAgent{}}
	agents := make([]*boardAgent, n)
	for i, p := range ops {
		c := client.New(url, nil)
		u, err := c.Login(ctx, p.Username, Password)
		if err != nil {
			return fmt.Errorf("sign in %s: %w", p.Username, err)
		}
		agents[i] = &boardAgent{c: c, user: u}
		m.onClose(c.Close)
		if err := c.Open(ctx); err != nil {
			return err
		}
	}
	for _, st := range steps {
		clock(st.At)
		a := agents[st.Agent]
		p := sportello.Presence{State: st.State, Reason: st.Reason}
		if callingState := st.State == sportello.AgentRinging || st.State == sportello.AgentOnCall || st.State == sportello.AgentWrapUp; callingState {
			p.Caller = st.Caller
		}
		r.report(ctx, a, p)
		if r.failed.Load() > 0 {
			return errors.New(r.firstError)
		}
		if st.State == sportello.AgentWrapUp && st.Outcome != "" {
			if err := r.wrapUp(ctx, a, st.Caller, st.Outcome); err != nil {
				return err
			}
		}
	}
	return nil
}
