package softphone

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/emiago/sipgo"
)

// Why the registration loop registers before the refresh is due (kick).
const (
	kickNetwork = "network changed"
	kickWake    = "woke from sleep"
	kickAsked   = "asked"
	kickDial    = "dial while not registered"
)

// defaultNetPoll is how often the phone looks at the host's addresses and
// at the clock; defaultWakeJump is how far the wall clock must run ahead of
// the monotonic clock over one look to count as a wake from sleep.
const (
	defaultNetPoll  = 3 * time.Second
	defaultWakeJump = 10 * time.Second
)

// netWatch configures how the phone notices a network change or a wake
// from sleep; the zero value watches with the defaults.
type netWatch struct {
	off   bool
	every time.Duration
	jump  time.Duration
	// addrs lists the host's interface addresses (net.InterfaceAddrs).
	addrs func() ([]net.Addr, error)
	// clock reads the wall clock and a monotonic elapsed time: the latter
	// stops while the computer sleeps, the former does not.
	clock func() (wall time.Time, mono time.Duration)
	// route returns the local address that routes to host:port.
	route func(hostPort string) (string, error)
}

// WithNetworkWatch sets how often the phone looks at the host's network
// addresses and at the clock while registered (default every 3 s), and how
// far the wall clock must jump ahead of the time the phone measured to
// count as a wake from sleep (default 10 s). Either event makes the phone
// register at once, from its new address if it changed, instead of waiting
// for the refresh. every <= 0 turns the watch off.
func WithNetworkWatch(every, wake time.Duration) Option {
	return func(p *Phone) {
		p.watch.off = every <= 0
		p.watch.every, p.watch.jump = every, wake
	}
}

// withInterfaceAddrs replaces net.InterfaceAddrs (tests).
func withInterfaceAddrs(f func() ([]net.Addr, error)) Option {
	return func(p *Phone) { p.watch.addrs = f }
}

// withWatchClock replaces the clock the wake detection reads (tests).
func withWatchClock(f func() (time.Time, time.Duration)) Option {
	return func(p *Phone) { p.watch.clock = f }
}

// withRouteIP replaces the lookup of the local address towards the
// registrar (tests).
func withRouteIP(f func(hostPort string) (string, error)) Option {
	return func(p *Phone) { p.watch.route = f }
}

// routeIP returns the local address the host would send from to hostPort.
func (w *netWatch) routeIP(hostPort string) (string, error) {
	if w.route != nil {
		return w.route(hostPort)
	}
	conn, err := net.Dial("udp", hostPort) // connects a socket: sends nothing
	if err != nil {
		return "", err
	}
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).IP.String(), nil
}

// addrKey is a comparable form of a set of interface addresses.
func addrKey(addrs []net.Addr) string {
	s := make([]string, 0, len(addrs))
	for _, a := range addrs {
		s = append(s, a.String())
	}
	slices.Sort(s)
	return strings.Join(s, " ")
}

// watchNetwork runs beside the registration loop until ctx ends: it kicks
// the loop when the host's addresses change or the computer wakes.
func (r *registration) watchNetwork(ctx context.Context) {
	w := &r.p.watch
	if w.off {
		return
	}
	every, jump := w.every, w.jump
	if every <= 0 {
		every = defaultNetPoll
	}
	if jump <= 0 {
		jump = defaultWakeJump
	}
	addrs := w.addrs
	if addrs == nil {
		addrs = net.InterfaceAddrs
	}
	clock := w.clock
	if clock == nil {
		start := time.Now()
		clock = func() (time.Time, time.Duration) {
			now := time.Now()
			return now.Round(0), now.Sub(start) // Round(0) drops the monotonic reading
		}
	}
	log := r.p.log.With("aor", r.aor)

	var known string
	if list, err := addrs(); err == nil {
		known = addrKey(list)
	}
	lastWall, lastMono := clock()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		list, err := addrs()
		if err != nil {
			log.Debug("list network addresses", "error", err)
		} else if key := addrKey(list); key != known {
			log.Info("network addresses changed", "addresses", key)
			known = key
			r.kickNow(kickNetwork)
		}
		wall, mono := clock()
		if gap := wall.Sub(lastWall) - (mono - lastMono); gap > jump || gap < -jump {
			log.Info("wall clock jumped: woke from sleep or clock set", "gap", gap)
			r.kickNow(kickWake)
		}
		lastWall, lastMono = wall, mono
	}
}

// kickNow asks the registration loop to register at once.
func (r *registration) kickNow(why string) {
	select {
	case r.kick <- why:
	default: // one is pending already
	}
}

// followAddress, after a kick, looks again for the local address towards
// the registrar when the phone listens on every interface: if it changed,
// the Contact moves there and the next REGISTER removes the old one.
func (r *registration) followAddress(log *slog.Logger) {
	if !r.wildcard {
		return
	}
	host, err := r.p.watch.routeIP(r.routeTo)
	if err != nil {
		log.Warn("find local address towards the registrar", "error", err)
		return
	}
	if host == r.contact.Address.Host {
		return
	}
	client, err := sipgo.NewClient(r.ua, r.p.wildcardClientOptions(host, r.port, true, r.listenHost)...)
	if err != nil {
		log.Warn("create register client", "host", host, "error", err)
		return
	}
	if r.stale == nil {
		r.stale = r.contact.Clone()
	}
	r.client = client
	r.contact.Address.Host = host
	log.Info("local address changed", "contact", r.contact.Address.String())
	r.p.setRegistration(Registration{State: RegistrationPending, AOR: r.aor,
		Reason: fmt.Sprintf("network changed: registering from %s", host)})
}

// wildcardClientOptions are registerClientOptions for a Contact on host;
// when the phone listens on every interface (wildcard, on listenHost) a
// UDP REGISTER goes out of the listening socket itself: sipgo would
// otherwise bind a new socket to host:port, which the listener holds.
func (p *Phone) wildcardClientOptions(host string, port int, wildcard bool, listenHost string) []sipgo.ClientOption {
	opts := p.registerClientOptions(host, port)
	if wildcard && p.transport() != "tls" {
		opts = append(opts, sipgo.WithClientConnectionAddr(joinHostPort(wildcardName(listenHost), port)))
	}
	return opts
}

// wildcardName is how the listening socket on the wildcard host names its
// address, which is how sipgo finds it: "0.0.0.0" usually listens on the
// dual-stack "::", unless the host has no IPv6. A throwaway socket asks.
func wildcardName(host string) string {
	addr, err := net.ResolveUDPAddr("udp", joinHostPort(host, 0))
	if err != nil {
		return host
	}
	conn, err := net.ListenUDP("udp", addr)
	if err != nil {
		return host
	}
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).IP.String()
}

// Reregister registers again now instead of at the next refresh (the
// operator's "register again", or after fixing the network), from the
// current local address; it returns at once and the outcome comes on
// Registrations. It gives ErrNoRegistrar without a registrar,
// ErrNotStarted before Start and ErrClosed after Close.
func (p *Phone) Reregister() error {
	p.mu.Lock()
	started, closed, reg := p.started, p.closed, p.register
	p.mu.Unlock()
	switch {
	case closed:
		return fmt.Errorf("register again: %w", ErrClosed)
	case !started:
		return fmt.Errorf("register again: %w", ErrNotStarted)
	case reg == nil:
		return fmt.Errorf("register again: %w", ErrNoRegistrar)
	}
	reg.kickNow(kickAsked)
	return nil
}
