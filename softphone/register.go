package softphone

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"

	"github.com/sportello/sportello"
)

// RegistrationState is where the phone stands with its registrar.
type RegistrationState = sportello.RegistrationState

// Registration states (sportello's, named here for the phone's callers).
const (
	RegistrationNone         = sportello.RegistrationNone
	RegistrationPending      = sportello.RegistrationPending
	RegistrationOK           = sportello.RegistrationOK
	RegistrationFailed       = sportello.RegistrationFailed
	RegistrationUnregistered = sportello.RegistrationUnregistered
)

// Registration is a snapshot of the phone's registration: the phone sends a
// new one on every change of state, reason or expiry.
type Registration = sportello.PhoneRegistration

// WithRegistrar makes the phone register with the registrar at uri
// ("sip:host:port" or "host:port") as user, answering digest challenges with
// password. user may carry a domain ("1001@pbx.city.example"); without one
// the registrar's host is the AOR's domain. Without this option the phone
// only takes direct calls.
func WithRegistrar(uri, user, password string) Option {
	return func(p *Phone) { p.registrar = &registrarConfig{uri: uri, user: user, password: password} }
}

// WithRegisterExpiry sets the registration lifetime the phone asks for
// (default one hour); the registrar may grant less, and the phone refreshes
// before what it granted lapses.
func WithRegisterExpiry(d time.Duration) Option { return func(p *Phone) { p.registerExpiry = d } }

// WithRegisterRetry sets the first and the longest wait between failed
// registration attempts (default 1 s doubling up to 60 s).
func WithRegisterRetry(first, longest time.Duration) Option {
	return func(p *Phone) { p.retryFirst, p.retryMax = first, longest }
}

// registrationsBuffer is the capacity of the Registrations channel.
const registrationsBuffer = 16

// registerTimeout bounds one REGISTER exchange: without it a silent
// registrar holds the attempt for the 32 s of the UDP transaction timer.
const registerTimeout = 4 * time.Second

// wallCheck is how often a wait for the next refresh looks at the wall
// clock: monotonic timers stop while the computer sleeps, so a refresh due
// during sleep would otherwise come late by the length of the sleep.
const wallCheck = 5 * time.Second

type registrarConfig struct {
	uri, user, password string
}

// registration is the phone's binding with its registrar; its loop runs on
// one goroutine that owns req.
type registration struct {
	p       *Phone
	ua      *sipgo.UserAgent
	client  *sipgo.Client
	req     *sip.Request // re-sent on every refresh: same Call-ID, CSeq + 1
	contact sip.ContactHeader
	aor     string
	aorURI  sip.Uri
	user    string
	pass    string
	expiry  time.Duration // asked for
	granted time.Duration // last granted; 0 when not registered
	stop    context.CancelFunc
	done    chan struct{}

	// wildcard: the phone listens on every interface, so the Contact's
	// host is the local address that routes to the registrar (routeTo),
	// found again after a network change (netwatch.go).
	wildcard   bool
	listenHost string // as listening: "0.0.0.0", "::"
	port       int
	routeTo    string
	// stale is the Contact an address change left behind: the next
	// REGISTER removes it (expires=0) along with refreshing the new one.
	stale *sip.ContactHeader
	// kick asks the loop to register now (Reregister, netwatch.go); it
	// holds one reason, and kicks that find it full coalesce.
	kick chan string
}

// newRegistration prepares the REGISTER request for the phone listening on
// host:port.
func (p *Phone) newRegistration(ua *sipgo.UserAgent, host string, port int) (*registration, error) {
	cfg := p.registrar
	var ruri sip.Uri
	raw := cfg.uri
	if !strings.HasPrefix(raw, "sip:") && !strings.HasPrefix(raw, "sips:") {
		raw = "sip:" + raw
	}
	if err := sip.ParseUri(raw, &ruri); err != nil {
		return nil, fmt.Errorf("parse registrar %q: %w", cfg.uri, err)
	}
	if ruri.Host == "" {
		return nil, fmt.Errorf("parse registrar %q: no host", cfg.uri)
	}
	ruri.User = ""
	user, domain, ok := strings.Cut(cfg.user, "@")
	if user == "" {
		return nil, fmt.Errorf("registrar user %q: empty", cfg.user)
	}
	aor := sip.Uri{Scheme: "sip", User: user, Host: ruri.Host, Port: ruri.Port}
	if ok {
		aor.Host, aor.Port = domain, 0
	}

	rport := ruri.Port
	if rport == 0 {
		rport = 5060
	}
	routeTo := joinHostPort(ruri.Host, rport)
	wildcard, listenHost := false, host
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		// Listening on every interface: tell the registrar the address
		// that routes to it.
		local, err := p.watch.routeIP(routeTo)
		if err != nil {
			return nil, fmt.Errorf("find local address towards the registrar: %w", err)
		}
		host, wildcard = local, true
	}

	client, err := sipgo.NewClient(ua, p.wildcardClientOptions(host, port, wildcard, listenHost)...)
	if err != nil {
		return nil, fmt.Errorf("create register client: %w", err)
	}

	contact := sip.ContactHeader{
		Address: sip.Uri{Scheme: "sip", User: user, Host: host, Port: port, UriParams: sip.NewParams(), Headers: sip.NewParams()},
		Params:  sip.NewParams(),
	}
	req := sip.NewRequest(sip.REGISTER, ruri)
	p.registerTransport(req, &contact)
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	to := &sip.ToHeader{Address: aor, Params: sip.NewParams()}
	callID := sip.CallIDHeader(uuid.NewString())
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 0, MethodName: sip.REGISTER})
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(&maxFwd)
	req.AppendHeader(sip.NewHeader("User-Agent", "Sportello"))

	expiry := p.registerExpiry
	if expiry <= 0 {
		expiry = time.Hour
	}
	return &registration{
		p: p, ua: ua, client: client, req: req, contact: contact,
		aor: aor.String(), aorURI: aor, user: user, pass: cfg.password,
		expiry: expiry, done: make(chan struct{}),
		wildcard: wildcard, listenHost: listenHost, port: port, routeTo: routeTo, kick: make(chan string, 1),
	}, nil
}

func joinHostPort(host string, port int) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}

// registerError is a failed attempt with what the operator should read.
type registerError struct {
	code       int
	phrase     string // the registrar's reason phrase
	reason     string
	retryAfter time.Duration
}

func (e *registerError) Error() string {
	if e.code == 0 {
		return e.reason
	}
	return fmt.Sprintf("%s (%d)", e.reason, e.code)
}

// run registers, refreshes before each binding lapses and retries failures
// with backoff until ctx ends.
func (r *registration) run(ctx context.Context) {
	defer close(r.done)
	watching := make(chan struct{})
	go func() { defer close(watching); r.watchNetwork(ctx) }()
	defer func() { <-watching }()
	log := r.p.log.With("aor", r.aor)
	r.p.setRegistration(Registration{State: RegistrationPending, AOR: r.aor})
	retry := r.p.retryFirst
	for {
		granted, err := r.register(ctx, r.expiry)
		if ctx.Err() != nil {
			return
		}
		var wait time.Duration
		if err != nil {
			r.granted = 0
			var re *registerError
			if !errors.As(err, &re) {
				re = &registerError{reason: err.Error()}
			}
			wait = retry
			if re.retryAfter > wait {
				wait = re.retryAfter
			}
			retry = min(2*retry, r.p.retryMax)
			log.Warn("registration failed", "error", err, "retry_in", wait)
			r.p.setRegistration(Registration{State: RegistrationFailed, AOR: r.aor, Code: re.code, Phrase: re.phrase,
				Reason: re.Error(), RetryAt: r.p.now().Add(wait)})
		} else {
			r.granted = granted
			r.stale = nil
			retry = r.p.retryFirst
			wait = refreshIn(granted)
			log.Info("registered", "expires_in", granted, "refresh_in", wait)
			r.p.setRegistration(Registration{State: RegistrationOK, AOR: r.aor, Code: 200, Expires: r.p.now().Add(granted)})
		}
		why, ok := r.sleep(ctx, wait)
		if !ok {
			return
		}
		if why != "" {
			log.Info("register now", "why", why)
			r.followAddress(log) // after a wake the network may differ too
		}
	}
}

// refreshIn says when to refresh a binding granted for expiry: halfway for
// short ones, a minute before the end for long ones.
func refreshIn(expiry time.Duration) time.Duration {
	return max(expiry-min(expiry/2, time.Minute), time.Second)
}

// sleep waits d by the wall clock (see wallCheck) or until a kick, whose
// reason it returns ("" when d ran out); false if ctx ended.
func (r *registration) sleep(ctx context.Context, d time.Duration) (why string, ok bool) {
	deadline := time.Now().Round(0).Add(d)
	for {
		left := time.Until(deadline) // wall clock: deadline has no monotonic reading
		if left <= 0 {
			return "", true
		}
		t := time.NewTimer(min(left, wallCheck))
		select {
		case <-ctx.Done():
			t.Stop()
			return "", false
		case why := <-r.kick:
			t.Stop()
			return why, true
		case <-t.C:
		}
	}
}

// register sends one REGISTER asking for expiry (0 removes the binding) and
// returns what the registrar granted.
func (r *registration) register(ctx context.Context, expiry time.Duration) (time.Duration, error) {
	for range 2 { // a second time after 423 Interval Too Brief
		granted, err := r.exchange(ctx, expiry)
		var tooBrief *intervalTooBrief
		if errors.As(err, &tooBrief) && tooBrief.min > expiry {
			expiry = tooBrief.min
			r.expiry = expiry
			continue
		}
		return granted, err
	}
	return 0, &registerError{code: sip.StatusIntervalToBrief, phrase: "Interval Too Brief", reason: "registrar wants a longer registration"}
}

type intervalTooBrief struct{ min time.Duration }

func (e *intervalTooBrief) Error() string { return "interval too brief" }

func (r *registration) exchange(ctx context.Context, expiry time.Duration) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, registerTimeout)
	defer cancel()

	req := r.req
	req.RemoveHeader("Via")
	req.RemoveHeader("Authorization")
	req.RemoveHeader("Proxy-Authorization")
	for req.RemoveHeader("Contact") {
	}
	req.RemoveHeader("Expires")
	contact := r.contact.Clone()
	contact.Params = sip.NewParams()
	contact.Params.Add("expires", strconv.Itoa(int(expiry.Seconds())))
	req.AppendHeader(contact)
	if r.stale != nil {
		old := r.stale.Clone()
		old.Params = sip.NewParams()
		old.Params.Add("expires", "0")
		req.AppendHeader(old)
	}
	exp := sip.ExpiresHeader(uint32(expiry.Seconds()))
	req.AppendHeader(&exp)

	res, err := r.client.Do(ctx, req, sipgo.ClientRequestRegisterBuild)
	if err != nil {
		return 0, noAnswer(err)
	}
	if res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired {
		if r.pass == "" {
			return 0, &registerError{code: res.StatusCode, phrase: res.Reason, reason: "registrar asks for a password and none is set"}
		}
		res, err = r.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: r.user, Password: r.pass})
		if err != nil {
			return 0, noAnswer(err)
		}
		if res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired {
			return 0, &registerError{code: res.StatusCode, phrase: res.Reason, reason: "registrar refused the credentials: " + res.Reason}
		}
	}
	switch {
	case res.StatusCode == sip.StatusIntervalToBrief:
		if h := res.GetHeader("Min-Expires"); h != nil {
			if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
				return 0, &intervalTooBrief{min: time.Duration(n) * time.Second}
			}
		}
		return 0, &registerError{code: res.StatusCode, phrase: res.Reason, reason: "registrar wants a longer registration"}
	case res.StatusCode == sip.StatusForbidden:
		return 0, &registerError{code: res.StatusCode, phrase: res.Reason, reason: "registrar refused the credentials: " + res.Reason}
	case res.StatusCode != sip.StatusOK:
		return 0, &registerError{code: res.StatusCode, phrase: res.Reason, reason: "registrar answered " + res.Reason, retryAfter: retryAfter(res)}
	}
	if expiry == 0 {
		return 0, nil
	}
	granted, ok := grantedExpiry(res, &r.contact.Address, expiry)
	if !ok {
		return 0, &registerError{code: res.StatusCode, reason: "registrar did not keep the binding"}
	}
	return granted, nil
}

func noAnswer(err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, sip.ErrTransactionTimeout) {
		return &registerError{reason: "registrar did not answer"}
	}
	return &registerError{reason: "cannot reach the registrar: " + err.Error()}
}

func retryAfter(res *sip.Response) time.Duration {
	h := res.GetHeader("Retry-After")
	if h == nil {
		return 0
	}
	v, _, _ := strings.Cut(strings.TrimSpace(h.Value()), ";")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0
	}
	return min(time.Duration(n)*time.Second, time.Hour)
}

// grantedExpiry reads how long the registrar keeps our binding from a 200
// to REGISTER: the expires parameter of our Contact first (RFC 3261 10.3:
// the registrar returns every binding of the AOR with its own expiry; diago
// v0.42.1 ignores it), then the Expires header, then what we asked. ok is
// false when the response lists contacts but not ours, or grants 0.
func grantedExpiry(res *sip.Response, ours *sip.Uri, asked time.Duration) (d time.Duration, ok bool) {
	contacts := contactsOf(res)
	found := len(contacts) == 0
	d = asked
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n >= 0 {
			d = time.Duration(n) * time.Second
		}
	}
	for _, c := range contacts {
		if !sameContact(&c.Address, ours) {
			continue
		}
		found = true
		if v, has := c.Params.Get("expires"); has {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
				d = time.Duration(n) * time.Second
			}
		}
		break
	}
	return d, found && d > 0
}

// contactsOf returns every Contact of res, splitting comma-separated ones.
func contactsOf(res *sip.Response) []sip.ContactHeader {
	var out []sip.ContactHeader
	for _, h := range res.GetHeaders("contact") {
		if c, isContact := h.(*sip.ContactHeader); isContact {
			out = append(out, *c)
			continue
		}
		for _, part := range strings.Split(h.Value(), ",") {
			var c sip.ContactHeader
			c.Params = sip.NewParams()
			if _, err := sip.ParseAddressValue(strings.TrimSpace(part), &c.Address, &c.Params); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// sameContact compares the user, host and port of two contact URIs (a
// registrar may reorder or drop URI parameters).
func sameContact(a, b *sip.Uri) bool {
	port := func(u *sip.Uri) int {
		if u.Port == 0 {
			return 5060
		}
		return u.Port
	}
	return a.User == b.User && strings.EqualFold(a.Host, b.Host) && port(a) == port(b)
}

// unregister removes the binding, bounded in time; it runs after the loop
// stopped, on the goroutine of Close.
func (r *registration) unregister() {
	if r.granted == 0 {
		r.p.setRegistration(Registration{State: RegistrationUnregistered, AOR: r.aor})
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := r.exchange(ctx, 0); err != nil {
		r.p.log.Warn("unregister", "aor", r.aor, "error", err)
	}
	r.p.setRegistration(Registration{State: RegistrationUnregistered, AOR: r.aor})
}

// Registration returns the current registration snapshot (State
// RegistrationNone without a registrar).
func (p *Phone) Registration() Registration {
	p.regMu.Lock()
	defer p.regMu.Unlock()
	return p.reg
}

// Registrations delivers a registration snapshot on every change. If nobody
// reads, the oldest are dropped; Registration always has the latest. The
// channel is closed by Close.
func (p *Phone) Registrations() <-chan Registration { return p.regs }

func (p *Phone) setRegistration(r Registration) {
	p.regMu.Lock()
	p.reg = r
	p.regMu.Unlock()
	for range 2 {
		select {
		case p.regs <- r:
			return
		default:
		}
		select {
		case <-p.regs:
		default:
		}
	}
}
