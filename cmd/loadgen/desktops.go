package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/wire"
)

// DesktopsConfig is what "loadgen desktops" runs.
type DesktopsConfig struct {
	// URL is syncd's base URL, such as http://127.0.0.1:8080.
	URL string
	// Desktops is how many desktops sign in (the users "data" made for
	// that many desktops) and keep a WebSocket open.
	Desktops int
	// Ops are rates of ops per second over all desktops, in DESIGN.md's
	// mix: one phase each, in order, on the same WebSockets. Lookups is
	// the rate of screen-pop lookups (caller cards).
	Ops     []float64
	Lookups float64
	// Warmup runs each phase's load before measuring; Duration is measured.
	Warmup, Duration time.Duration
	// Citizens is how many citizens "data" generated: callers are drawn
	// from their numbers (0: the demo city's known caller only).
	Citizens int
	// SyncdPID, when set, is syncd's process: its memory and CPU are
	// reported.
	SyncdPID int
	// DB, when set, is syncd's store: missing users are created in it
	// before signing in.
	DB string
	// LoginConcurrency bounds sign-ins in flight (each costs syncd an
	// argon2id verification); MaxInFlight bounds ops in flight, beyond
	// which an op due is counted as skipped (syncd is behind).
	LoginConcurrency, MaxInFlight int
	// JSON makes the report one JSON object.
	JSON bool
}

// DefaultDesktopsConfig is DESIGN.md's load model: 2,000 desktops, 1,000
// ops/s, screen pops at ten times Milan's busiest hour (10,000 calls an
// hour, about 2.8/s).
func DefaultDesktopsConfig() DesktopsConfig {
	return DesktopsConfig{
		URL: "http://127.0.0.1:8080", Desktops: 2000, Ops: []float64{1000}, Lookups: 2.8,
		Warmup: 5 * time.Second, Duration: 30 * time.Second,
		LoginConcurrency: 4, MaxInFlight: 256,
	}
}

// DesktopsResult is what a desktops run measured.
type DesktopsResult struct {
	Desktops     int     `json:"desktops"`
	Online       int     `json:"online"` // WebSockets up at the end
	Reconnects   int64   `json:"reconnects"`
	OpsTarget    float64 `json:"ops_target_per_s"`
	OpsAchieved  float64 `json:"ops_achieved_per_s"`
	OpsFailed    int64   `json:"ops_failed"`
	OpsSkipped   int64   `json:"ops_skipped"`
	SignInSecs   float64 `json:"sign_in_s"`
	ConnectSecs  float64 `json:"connect_s"`
	DurationSecs float64 `json:"duration_s"`
	// Push is commit -> delivered for the changes a desktop may see;
	// PushAll also counts the hidden placeholders every desktop gets.
	Push    Latency `json:"push_visible"`
	PushAll Latency `json:"push_all"`
	// FramesPerSec are change frames delivered per second over all desktops.
	FramesPerSec float64            `json:"frames_per_s"`
	Lookup       Latency            `json:"lookup_http"`
	Ops          map[string]Latency `json:"ops_http"`
	Errors       map[string]int64   `json:"errors,omitempty"`
	// SyncdRSSMB and SyncdPeakMB are syncd's resident memory at the end
	// and its peak; SyncdCPU the cores it used while measured.
	// SyncdPushP50 and SyncdPushP99 are syncd's own push latency over
	// the phase (publish -> frame written, from its /metrics histogram;
	// bucket upper bounds, in ms): high when syncd is the bottleneck, low
	// when the desktops cannot read as fast as it writes.
	SyncdPushP50 float64 `json:"syncd_push_p50_ms,omitempty"`
	SyncdPushP99 float64 `json:"syncd_push_p99_ms,omitempty"`
	// SyncdIdleRSSMB is syncd's resident memory once every desktop is
	// signed in and online, before any op.
	SyncdIdleRSSMB float64 `json:"syncd_idle_rss_mb,omitempty"`
	SyncdRSSMB     float64 `json:"syncd_rss_mb,omitempty"`
	SyncdPeakMB    float64 `json:"syncd_peak_mb,omitempty"`
	SyncdCPU       float64 `json:"syncd_cpu_cores,omitempty"`
}

func (m *Main) parseDesktops(args []string) error {
	fs := m.newFlagSet(CommandDesktops)
	c := &m.Desktops
	fs.StringVar(&c.URL, "url", c.URL, "syncd's base URL")
	fs.IntVar(&c.Desktops, "desktops", c.Desktops, "desktops to run (users from \"loadgen data --desktops\")")
	fs.Func("ops", "ops per second over all desktops, in DESIGN.md's mix; a comma-separated list runs one phase per rate (default 1000)", func(v string) error {
		c.Ops = nil
		for _, f := range strings.Split(v, ",") {
			r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || r < 0 {
				return fmt.Errorf("%q is not a rate", f)
			}
			c.Ops = append(c.Ops, r)
		}
		return nil
	})
	fs.Float64Var(&c.Lookups, "lookups", c.Lookups, "screen-pop lookups per second")
	fs.DurationVar(&c.Warmup, "warmup", c.Warmup, "load before measuring")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "measured time")
	fs.IntVar(&c.Citizens, "citizens", c.Citizens, "citizens \"loadgen data\" made: callers are drawn from them")
	fs.IntVar(&c.SyncdPID, "syncd-pid", c.SyncdPID, "syncd's process id: report its memory and CPU")
	fs.StringVar(&c.DB, "db", c.DB, "syncd's store: create missing users in it first")
	fs.IntVar(&c.LoginConcurrency, "login-concurrency", c.LoginConcurrency, "sign-ins in flight")
	fs.IntVar(&c.MaxInFlight, "max-in-flight", c.MaxInFlight, "ops in flight before ops due are skipped")
	fs.BoolVar(&c.JSON, "json", c.JSON, "print the result as one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case c.Desktops < 1:
		return errors.New("--desktops must be at least 1")
	case len(c.Ops) == 0 || c.Lookups < 0:
		return errors.New("--ops needs a rate and --lookups must not be negative")
	case c.Duration <= 0:
		return errors.New("--duration must be positive")
	case c.LoginConcurrency < 1 || c.MaxInFlight < 1:
		return errors.New("--login-concurrency and --max-in-flight must be at least 1")
	}
	return nil
}

// desktop is one simulated desktop: a sync client with its WebSocket and
// what its user is working on.
type desktop struct {
	c     *client.Client
	user  *sportello.User
	desks []string // a specialist's desks

	mu      sync.Mutex
	open    []string // cases the operator opened that are not resolved, newest last
	claimed []string // cases the specialist holds
	ready   []string // cases whose answer is ready
	calls   []string // callbacks the operator scheduled and has not made

	online atomic.Bool
}

func (d *desktop) push(list *[]string, id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	*list = append(*list, id)
	if len(*list) > 20 {
		*list = (*list)[1:]
	}
}

func (d *desktop) pop(list *[]string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(*list) == 0 {
		return ""
	}
	id := (*list)[len(*list)-1]
	*list = (*list)[:len(*list)-1]
	return id
}

// run is one desktops run.
type run struct {
	cfg         DesktopsConfig
	operators   []*desktop
	specialists []*desktop
	all         []*desktop
	queues      map[string]chan string // escalated cases waiting, by desk
	reconnects  atomic.Int64
	cur         atomic.Pointer[meter] // the phase being measured
}

// meter is what one phase measures: deliveries of the changes made
// between from and to, and the ops started in that time.
type meter struct {
	from, to              int64 // unix ns
	push, pushAll, lookup histogram
	opsMu                 sync.Mutex
	ops                   map[string]*histogram
	frames                atomic.Int64
	done, failed, skipped atomic.Int64
	errMu                 sync.Mutex
	errs                  map[string]int64
}

func (mt *meter) measuring(t int64) bool { return mt != nil && t >= mt.from && t <= mt.to }

func (m *Main) runDesktops(ctx context.Context) ([]*DesktopsResult, error) {
	cfg := m.Desktops
	planned := plannedUsers(cfg.Desktops)
	// The simulated desktops are the load, not what is measured: on the
	// cores they share with syncd their collector runs as the agent's
	// does (GOGC=400: less collector time for more memory),
	// unless GOGC is set.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(softphone.ManyCallsGCPercent))
	}
	if cfg.DB != "" {
		if err := m.createUsers(ctx, cfg.DB, cfg.Desktops); err != nil {
			return nil, err
		}
	}
	r := &run{cfg: cfg, queues: make(map[string]chan string)}
	fmt.Fprintf(m.Stdout, "desktops: scale %d desktops, %v ops/s, %.1f lookups/s, %d citizens, against %s\n",
		cfg.Desktops, cfg.Ops, cfg.Lookups, cfg.Citizens, cfg.URL)

	// Sign in, a few at a time: each sign-in is an argon2id verification.
	// The desktops share one HTTP transport that keeps a connection for
	// every op in flight, as each desktop keeps its own: with Go's default
	// of 2 idle connections per host, most requests would dial anew and
	// wait out TIME_WAIT ports, and fail as "syncd unreachable".
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns = cfg.MaxInFlight + 64
	transport.MaxIdleConnsPerHost = cfg.MaxInFlight + 64
	start := time.Now()
	desktops := make([]*desktop, len(planned))
	sem := make(chan struct{}, cfg.LoginConcurrency)
	var wg sync.WaitGroup
	var loginErr atomic.Value
	for i, p := range planned {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c := client.New(cfg.URL, nil)
			c.HTTP.Transport = transport
			c.Backoff = func(int) time.Duration { return 200*time.Millisecond + rand.N(800*time.Millisecond) }
			u, err := c.Login(ctx, p.Username, Password)
			if err != nil {
				loginErr.CompareAndSwap(nil, fmt.Errorf("sign in %s: %w (run \"loadgen data --desktops %d\" first, or pass --db)", p.Username, err, cfg.Desktops))
				return
			}
			d := &desktop{c: c, user: u}
			if u.Role == sportello.RoleSpecialist {
				desks, err := c.Desks(ctx)
				if err != nil {
					loginErr.CompareAndSwap(nil, fmt.Errorf("desks of %s: %w", p.Username, err))
					return
				}
				for _, k := range desks {
					if k.Member {
						d.desks = append(d.desks, k.ID)
					}
				}
			}
			desktops[i] = d
		})
	}
	wg.Wait()
	if err, _ := loginErr.Load().(error); err != nil {
		return nil, err
	}
	signIn := time.Since(start).Seconds()
	for _, d := range desktops {
		r.all = append(r.all, d)
		switch d.user.Role {
		case sportello.RoleOperator:
			r.operators = append(r.operators, d)
		case sportello.RoleSpecialist:
			r.specialists = append(r.specialists, d)
			for _, k := range d.desks {
				if r.queues[k] == nil {
					r.queues[k] = make(chan string, 10_000)
				}
			}
		}
	}
	defer func() {
		var wg sync.WaitGroup
		for _, d := range r.all {
			wg.Go(func() { d.c.Close() })
		}
		wg.Wait()
	}()

	// Open every WebSocket from the head of the change log, as desktops
	// that have been signed in a while would: a desktop at cursor 0 reads
	// the whole log first (docs/NOTES.md).
	head, err := changeHead(ctx, r.all[0].c)
	if err != nil {
		return nil, err
	}
	start = time.Now()
	var up atomic.Int64
	for _, d := range r.all {
		d.c.Subscribe(func(s sportello.SyncState) {
			if s.Online && !d.online.Swap(true) {
				if up.Add(1) > int64(len(r.all)) {
					r.reconnects.Add(1)
				}
			} else if !s.Online && s.Err != "" {
				d.online.Store(false)
			}
		}, r.deliver)
		d.c.SetCursor(head)
		if err := d.c.Open(ctx); err != nil {
			return nil, err
		}
	}
	for up.Load() < int64(len(r.all)) {
		if time.Since(start) > 2*time.Minute {
			return nil, fmt.Errorf("only %d of %d WebSockets came online in 2 minutes", up.Load(), len(r.all))
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return nil, err
		}
	}
	connect := time.Since(start).Seconds()
	fmt.Fprintf(m.Stdout, "desktops: %d signed in in %.1fs, all WebSockets online in %.1fs\n", len(r.all), signIn, connect)
	if len(r.operators) == 0 {
		return nil, errors.New("no operators among the desktops: use at least 3")
	}

	var idle float64
	if cfg.SyncdPID > 0 {
		sleep(ctx, time.Second)
		idle, _ = procMemory(cfg.SyncdPID)
		fmt.Fprintf(m.Stdout, "desktops: syncd memory with %d desktops online and idle: %.0f MB resident\n", len(r.all), idle)
	}
	var results []*DesktopsResult
	for _, rate := range cfg.Ops {
		res, err := r.phase(ctx, rate)
		if err != nil {
			return results, err
		}
		res.SignInSecs, res.ConnectSecs, res.SyncdIdleRSSMB = signIn, connect, idle
		m.report(res)
		results = append(results, res)
	}
	return results, nil
}

// phase runs ops at rate: a warm-up, then the measured time.
func (r *run) phase(ctx context.Context, rate float64) (*DesktopsResult, error) {
	cfg := r.cfg
	reconnects0 := r.reconnects.Load()
	t0 := time.Now()
	from, to := t0.Add(cfg.Warmup), t0.Add(cfg.Warmup+cfg.Duration)
	mt := &meter{from: from.UnixNano(), to: to.UnixNano(), ops: make(map[string]*histogram), errs: make(map[string]int64)}
	r.cur.Store(mt)
	var buckets0 map[float64]float64
	var ops sync.WaitGroup
	var cpu0, cpu1 float64
	warm := make(chan struct{})
	go func() { // syncd's CPU and push latency over the measured time
		defer close(warm)
		if sleep(ctx, cfg.Warmup) == nil {
			cpu0 = procCPU(cfg.SyncdPID)
			buckets0 = r.pushBuckets(ctx)
		}
	}()
	if err := r.drive(ctx, &ops, rate, to); err != nil {
		return nil, err
	}
	cpu1 = procCPU(cfg.SyncdPID)
	<-warm
	ops.Wait()
	buckets1 := r.pushBuckets(ctx)
	sleep(ctx, min(2*time.Second, cfg.Duration/2)) // deliveries in flight
	res := &DesktopsResult{Desktops: cfg.Desktops, OpsTarget: rate, DurationSecs: cfg.Duration.Seconds()}
	res.OpsAchieved = float64(mt.done.Load()) / cfg.Duration.Seconds()
	res.OpsFailed, res.OpsSkipped = mt.failed.Load(), mt.skipped.Load()
	res.Push, res.PushAll, res.Lookup = mt.push.summary(), mt.pushAll.summary(), mt.lookup.summary()
	res.FramesPerSec = float64(mt.frames.Load()) / cfg.Duration.Seconds()
	res.Reconnects = r.reconnects.Load() - reconnects0
	res.SyncdPushP50, res.SyncdPushP99 = bucketQuantile(buckets0, buckets1, .5), bucketQuantile(buckets0, buckets1, .99)
	for _, d := range r.all {
		if d.online.Load() {
			res.Online++
		}
	}
	res.Ops = make(map[string]Latency)
	mt.opsMu.Lock()
	for k, h := range mt.ops {
		res.Ops[k] = h.summary()
	}
	mt.opsMu.Unlock()
	mt.errMu.Lock()
	if len(mt.errs) > 0 {
		res.Errors = maps.Clone(mt.errs)
	}
	mt.errMu.Unlock()
	if cfg.SyncdPID > 0 {
		res.SyncdRSSMB, res.SyncdPeakMB = procMemory(cfg.SyncdPID)
		if cpu0 > 0 && cpu1 >= cpu0 {
			res.SyncdCPU = (cpu1 - cpu0) / cfg.Duration.Seconds()
		}
	}
	return res, nil
}

// changeHead finds the newest change seq by bisection over GET
// /v1/changes?limit=1, a few dozen small requests whatever the log's size.
func changeHead(ctx context.Context, c *client.Client) (int64, error) {
	lo, hi := int64(0), int64(1)
	for {
		page, err := c.Changes(ctx, hi, 1)
		if err != nil {
			return 0, fmt.Errorf("change head: %w", err)
		}
		if len(page.Changes) == 0 {
			break
		}
		lo, hi = hi, hi*2
	}
	// A change exists after lo (or lo is 0) and none after hi.
	for lo < hi {
		mid := lo + (hi-lo)/2
		page, err := c.Changes(ctx, mid, 1)
		if err != nil {
			return 0, fmt.Errorf("change head: %w", err)
		}
		if len(page.Changes) == 0 {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, nil
}

// drive sends ops and lookups at their rates, open loop, from the
// warm-up until to; an op due while MaxInFlight are pending is skipped.
func (r *run) drive(ctx context.Context, ops *sync.WaitGroup, rate float64, to time.Time) error {
	mt := r.cur.Load()
	const step = 5 * time.Millisecond
	tick := time.NewTicker(step)
	defer tick.Stop()
	var inFlight atomic.Int64
	var opCredit, lookupCredit float64
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case now := <-tick.C:
			if now.After(to) {
				return nil
			}
			dt := now.Sub(last).Seconds()
			last = now
			measured := mt.measuring(now.UnixNano())
			opCredit += rate * dt
			lookupCredit += r.cfg.Lookups * dt
			for ; lookupCredit >= 1; lookupCredit-- {
				ops.Go(func() { r.lookupOnce(ctx, mt) })
			}
			for ; opCredit >= 1; opCredit-- {
				if inFlight.Load() >= int64(r.cfg.MaxInFlight) {
					if measured {
						mt.skipped.Add(1)
					}
					continue
				}
				inFlight.Add(1)
				ops.Go(func() {
					defer inFlight.Add(-1)
					if r.op(ctx, mt) == nil && measured {
						mt.done.Add(1)
					}
				})
			}
		}
	}
}

// deliver records a change a desktop received.
func (r *run) deliver(ch sportello.Change) {
	mt := r.cur.Load()
	if !mt.measuring(ch.At.UnixNano()) {
		return
	}
	d := time.Since(ch.At)
	mt.frames.Add(1)
	mt.pushAll.observe(d)
	if ch.Kind != wire.ChangeKindHidden {
		mt.push.observe(d)
	}
}

func (mt *meter) opHistogram(kind string) *histogram {
	mt.opsMu.Lock()
	defer mt.opsMu.Unlock()
	h := mt.ops[kind]
	if h == nil {
		h = &histogram{}
		mt.ops[kind] = h
	}
	return h
}

// timed runs one API call, recording its round trip under kind or its error.
// Only ops started in the measured time are recorded.
func (mt *meter) timed(kind string, fn func() error) error {
	start := time.Now()
	err := fn()
	if !mt.measuring(start.UnixNano()) {
		return err
	}
	if err != nil {
		mt.failed.Add(1)
		mt.errMu.Lock()
		key := kind + ": " + sportello.ErrorCode(err) + " (" + truncate(sportello.ErrorMessage(err), 60) + ")"
		if _, ok := mt.errs[key]; ok || len(mt.errs) < 20 {
			mt.errs[key]++
		}
		mt.errMu.Unlock()
		return err
	}
	mt.opHistogram(kind).observe(time.Since(start))
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// caller returns a calling number: a generated citizen's, or the demo
// city's known caller.
func (r *run) caller() string {
	if r.cfg.Citizens > 0 {
		return CitizenNumber(rand.IntN(r.cfg.Citizens), 0)
	}
	return demo.KnownCaller
}

func (r *run) lookupOnce(ctx context.Context, mt *meter) {
	d := r.operators[rand.IntN(len(r.operators))]
	start := time.Now()
	_, err := d.c.LookupCaller(ctx, r.caller(), "loadgen call "+strconv.FormatInt(start.UnixNano(), 36))
	if err != nil {
		mt.timed("lookup", func() error { return err })
		return
	}
	if mt.measuring(start.UnixNano()) {
		mt.lookup.observe(time.Since(start))
	}
}

// op sends one op in DESIGN.md's mix: about 60% calls and wrap-ups, 25%
// notes and case updates, 10% escalations, claims and replies, 5%
// callbacks and appointments.
func (r *run) op(ctx context.Context, mt *meter) error {
	op := r.operators[rand.IntN(len(r.operators))]
	switch p := rand.IntN(100); {
	case p < 60:
		return r.call(ctx, mt, op)
	case p < 85:
		if id := op.pop(&op.open); id != "" {
			return mt.timed("note", func() error {
				_, err := op.c.CaseAction(ctx, id, sportello.CaseEvent{Kind: sportello.EventNote, Note: "Aggiornamento dal cittadino."})
				if err == nil {
					op.push(&op.open, id)
				}
				return err
			})
		}
		return r.call(ctx, mt, op)
	case p < 95:
		return r.deskWork(ctx, mt, op, p%3)
	default:
		return r.promise(ctx, mt, op, p%2 == 0)
	}
}

// promise is a wrap-up that books an appointment or schedules a
// callback; but when the operator has a callback scheduled it makes that
// one first, as operators do: scheduled callbacks stay about one an
// operator instead of piling up all day.
func (r *run) promise(ctx context.Context, mt *meter, op *desktop, appointment bool) error {
	if appointment {
		return r.wrapUp(ctx, mt, op, "callback", sportello.WrapUp{Outcome: sportello.OutcomeAppointmentBooked, Note: "Da richiamare."})
	}
	if id := op.pop(&op.calls); id != "" {
		return mt.timed("callback_made", func() error {
			_, err := op.c.RecordAttempt(ctx, id, sportello.CallbackAttempt{Outcome: sportello.AttemptResolved})
			return err
		})
	}
	now := time.Now().UTC()
	return r.wrapUp(ctx, mt, op, "callback", sportello.WrapUp{Outcome: sportello.OutcomeCallbackScheduled, Note: "Da richiamare.",
		CallbackFrom: now, CallbackTo: now.Add(2 * time.Hour)})
}

// call is a call's wrap-up: a new case, or a call on a case the operator
// has open.
func (r *run) call(ctx context.Context, mt *meter, op *desktop) error {
	if rand.IntN(4) == 0 {
		if id := op.pop(&op.open); id != "" {
			return r.wrapUp(ctx, mt, op, "wrap_up", sportello.WrapUp{CaseID: id, Outcome: sportello.OutcomeResolvedFirstContact, Note: "Richiamata: risolto."})
		}
	}
	o := sportello.OutcomeResolvedFirstContact
	if rand.IntN(5) == 0 {
		o = sportello.OutcomeTransferred // stays open until resolved
	}
	return r.wrapUp(ctx, mt, op, "wrap_up", sportello.WrapUp{Outcome: o, Note: "Informazioni date al cittadino."})
}

func (r *run) wrapUp(ctx context.Context, mt *meter, op *desktop, kind string, w sportello.WrapUp) error {
	if w.CaseID == "" {
		w.CallerNumber = r.caller()
	}
	w.CallID = "lg-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	return mt.timed(kind, func() error {
		k, err := op.c.RecordWrapUp(ctx, w)
		if err != nil {
			return err
		}
		switch {
		case k.Status == sportello.StatusEscalated:
			select {
			case r.queues[k.DeskID] <- k.ID:
			default: // the desk is far behind: the case waits unseen
			}
		case k.Status != sportello.StatusResolved:
			op.push(&op.open, k.ID)
		}
		if w.Outcome == sportello.OutcomeCallbackScheduled {
			for _, e := range k.Events {
				if e.Kind == sportello.EventCallbackScheduled { // its id is the callback's
					op.push(&op.calls, e.ID)
				}
			}
		}
		return nil
	})
}

// deskWork is an escalation (by the operator), a claim or a reply (by a
// specialist), whichever has work: a claim needs a case in a desk's queue,
// a reply a claimed case.
func (r *run) deskWork(ctx context.Context, mt *meter, op *desktop, pick int) error {
	if len(r.specialists) > 0 {
		sp := r.specialists[rand.IntN(len(r.specialists))]
		if pick == 2 {
			if id := sp.pop(&sp.ready); id != "" {
				return r.caseAction(ctx, mt, sp, "resolve", id, sportello.EventResolved, nil)
			}
			if id := sp.pop(&sp.claimed); id != "" {
				return r.caseAction(ctx, mt, sp, "answer", id, sportello.EventAnswerReady, &sp.ready)
			}
		}
		if pick >= 1 {
			for _, k := range sp.desks {
				select {
				case id := <-r.queues[k]:
					return r.caseAction(ctx, mt, sp, "claim", id, sportello.EventClaimed, &sp.claimed)
				default:
				}
			}
		}
	}
	var desk string
	if len(r.specialists) > 0 {
		sp := r.specialists[rand.IntN(len(r.specialists))]
		if len(sp.desks) > 0 {
			desk = sp.desks[rand.IntN(len(sp.desks))]
		}
	}
	if desk == "" {
		return r.call(ctx, mt, op)
	}
	return r.wrapUp(ctx, mt, op, "escalate", sportello.WrapUp{Outcome: sportello.OutcomeEscalated, DeskID: desk, Note: "Serve lo sportello."})
}

func (r *run) caseAction(ctx context.Context, mt *meter, sp *desktop, kind, id string, ev sportello.EventKind, then *[]string) error {
	return mt.timed(kind, func() error {
		_, err := sp.c.CaseAction(ctx, id, sportello.CaseEvent{Kind: ev, Note: "Lavorata dallo sportello."})
		if err == nil && then != nil {
			sp.push(then, id)
		}
		return err
	})
}

// pushBuckets reads syncd's push latency histogram from /metrics:
// cumulative counts by upper bound in seconds, nil when unreadable.
func (r *run) pushBuckets(ctx context.Context) map[float64]float64 {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(r.cfg.URL, "/")+"/metrics", nil)
	if err != nil {
		return nil
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil
	}
	const prefix = `syncd_push_latency_seconds_bucket{le="`
	out := map[float64]float64{}
	for _, line := range strings.Split(string(data), "\n") {
		rest, ok := strings.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		le, count, ok := strings.Cut(rest, `"} `)
		if !ok {
			continue
		}
		ub, err := strconv.ParseFloat(le, 64)
		if le == "+Inf" {
			ub, err = math.Inf(1), nil
		}
		n, err2 := strconv.ParseFloat(count, 64)
		if err == nil && err2 == nil {
			out[ub] = n
		}
	}
	return out
}

// bucketQuantile returns the upper bound, in ms, of the bucket holding
// quantile q of the observations between two readings of a cumulative
// histogram; 0 when there are none.
func bucketQuantile(before, after map[float64]float64, q float64) float64 {
	var bounds []float64
	for ub := range after {
		bounds = append(bounds, ub)
	}
	sort.Float64s(bounds)
	if len(bounds) == 0 {
		return 0
	}
	total := after[bounds[len(bounds)-1]] - before[bounds[len(bounds)-1]]
	if total <= 0 {
		return 0
	}
	for _, ub := range bounds {
		if after[ub]-before[ub] >= q*total {
			if math.IsInf(ub, 1) {
				return math.Inf(1)
			}
			return ub * 1000
		}
	}
	return 0
}

// report prints the result for people, or as JSON.
func (m *Main) report(res *DesktopsResult) {
	if m.Desktops.JSON {
		json.NewEncoder(m.Stdout).Encode(res)
		return
	}
	w := m.Stdout
	fmt.Fprintf(w, "desktops: %d desktops (%d online at the end, %d reconnects), ops %.0f/s asked, %.1f/s done, %d failed, %d skipped (syncd behind)\n",
		res.Desktops, res.Online, res.Reconnects, res.OpsTarget, res.OpsAchieved, res.OpsFailed, res.OpsSkipped)
	fmt.Fprintf(w, "desktops: push commit->delivered, visible changes: n=%d p50=%.1fms p95=%.1fms p99=%.1fms max=%.1fms\n", res.Push.Count, res.Push.P50, res.Push.P95, res.Push.P99, res.Push.Max)
	fmt.Fprintf(w, "desktops: push commit->delivered, all frames (hidden too): n=%d p50=%.1fms p95=%.1fms p99=%.1fms (%.0f frames/s)\n", res.PushAll.Count, res.PushAll.P50, res.PushAll.P95, res.PushAll.P99, res.FramesPerSec)
	fmt.Fprintf(w, "desktops: syncd's own push latency (publish -> frame written, /metrics buckets): p50<=%gms p99<=%gms\n", res.SyncdPushP50, res.SyncdPushP99)
	fmt.Fprintf(w, "desktops: screen-pop lookup over HTTP: n=%d p50=%.1fms p95=%.1fms p99=%.1fms\n", res.Lookup.Count, res.Lookup.P50, res.Lookup.P95, res.Lookup.P99)
	kinds := make([]string, 0, len(res.Ops))
	for k := range res.Ops {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		l := res.Ops[k]
		fmt.Fprintf(w, "desktops: op %-8s n=%d p50=%.1fms p99=%.1fms\n", k, l.Count, l.P50, l.P99)
	}
	for k, n := range res.Errors {
		fmt.Fprintf(w, "desktops: error %s x%d\n", k, n)
	}
	if res.SyncdPeakMB > 0 {
		fmt.Fprintf(w, "desktops: syncd memory %.0f MB resident at the end, %.0f MB peak; CPU %.2f cores while measured\n", res.SyncdRSSMB, res.SyncdPeakMB, res.SyncdCPU)
	}
	fmt.Fprintf(w, "desktops: loadgen itself: %d goroutines, GOMAXPROCS %d\n", runtime.NumGoroutine(), runtime.GOMAXPROCS(0))
}

// createUsers makes the users of n desktops in the store at dsn, those
// missing only.
func (m *Main) createUsers(ctx context.Context, dsn string, n int) error {
	store, err := openStore(dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	res := &DataResult{}
	if _, _, err := m.ensureUsers(ctx, store, n, res); err != nil {
		return err
	}
	if res.Users > 0 {
		fmt.Fprintf(m.Stdout, "desktops: created %d users\n", res.Users)
	}
	return nil
}

// procMemory returns a process's resident memory and its peak, in MB.
func procMemory(pid int) (rss, peak float64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return rss, peak
}

// procCPU returns the CPU seconds a process has used, -1 when unknown.
func procCPU(pid int) float64 {
	if pid <= 0 {
		return -1
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return -1
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ is 100 on Linux
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
