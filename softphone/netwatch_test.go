package softphone_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
)

// fakeHost stands in for the host's interfaces and routes: the tests move
// the phone from one loopback address to another (Linux answers on all of
// 127/8) as a laptop moves from one network to another.
type fakeHost struct {
	mu    sync.Mutex
	local string // the address that routes to the registrar
}

func (h *fakeHost) set(ip string) {
	h.mu.Lock()
	h.local = ip
	h.mu.Unlock()
}

func (h *fakeHost) addrs() ([]net.Addr, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return []net.Addr{&net.IPNet{IP: net.ParseIP(h.local), Mask: net.CIDRMask(8, 32)}}, nil
}

func (h *fakeHost) route(string) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.local, nil
}

// nextRegistration returns the next registration snapshot in state that
// the phone sends, failing after within.
func nextRegistration(t *testing.T, p *softphone.Phone, state softphone.RegistrationState, within time.Duration) softphone.Registration {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case r, ok := <-p.Registrations():
			if !ok {
				t.Fatalf("registrations channel closed waiting for %q", state)
			}
			if r.State == state {
				return r
			}
			t.Logf("registration: %+v", r)
		case <-timeout:
			t.Fatalf("no registration %q within %v (now %+v)", state, within, p.Registration())
		}
	}
}

// drainRegistrations drops the snapshots already sent.
func drainRegistrations(p *softphone.Phone) {
	for {
		select {
		case <-p.Registrations():
		default:
			return
		}
	}
}

// kamailioBindings asks Kamailio (a REGISTER without Contact, with digest)
// which contacts it holds for user, as "host:port".
func kamailioBindings(t *testing.T, addr, user, pass string) []string {
	t.Helper()
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(portStr)
	ua, err := sipgo.NewUA()
	if err != nil {
		t.Fatal(err)
	}
	defer ua.Close()
	cli, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	aor := sip.Uri{Scheme: "sip", User: user, Host: host, Port: port}
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: host, Port: port})
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(8))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := cli.Do(ctx, req)
	if err == nil && res.StatusCode == sip.StatusUnauthorized {
		res, err = cli.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: user, Password: pass})
	}
	if err != nil {
		t.Fatalf("query bindings: %v", err)
	}
	if res.StatusCode != sip.StatusOK {
		t.Fatalf("query bindings: %d %s", res.StatusCode, res.Reason)
	}
	var out []string
	for _, h := range res.GetHeaders("contact") {
		for _, part := range strings.Split(h.Value(), ",") {
			var u sip.Uri
			params := sip.NewParams()
			if _, err := sip.ParseAddressValue(strings.TrimSpace(part), &u, &params); err == nil {
				out = append(out, net.JoinHostPort(u.Host, strconv.Itoa(u.Port)))
			}
		}
	}
	return out
}

// TestNetWatch_AddressChange: the phone listens on every interface and
// registers from 127.0.0.1; the host's address changes to 127.0.0.2 (as a
// laptop changing networks). Long before the refresh (30 s) the phone
// registers again with its new Contact, Kamailio holds only the new one,
// and a call to the AOR through Kamailio rings the phone.
func TestNetWatch_AddressChange(t *testing.T) {
	requireSipp(t)
	k := startKamailio(t, map[string]string{"1001": "s3cret"}, "MAX_EXPIRES=60")
	host := &fakeHost{local: "127.0.0.1"}
	p := startPhone(t,
		softphone.WithListenAddr("0.0.0.0:0"),
		softphone.WithRegistrar(k.addr, "1001", "s3cret"),
		softphone.WithNetworkWatch(100*time.Millisecond, 0),
		softphone.WithInterfaceAddrs(host.addrs),
		softphone.WithRouteIP(host.route),
	)
	_, portStr, _ := net.SplitHostPort(strings.TrimPrefix(p.Addr(), "udp "))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	first := waitRegistration(ctx, t, p, softphone.RegistrationOK)
	if got := kamailioBindings(t, k.addr, "1001", "s3cret"); len(got) != 1 || got[0] != "127.0.0.1:"+portStr {
		t.Fatalf("bindings before the change = %v, want [127.0.0.1:%s]", got, portStr)
	}
	drainRegistrations(p)

	changed := time.Now()
	host.set("127.0.0.2")
	pending := nextRegistration(t, p, softphone.RegistrationPending, 2*time.Second)
	if !strings.Contains(pending.Reason, "127.0.0.2") {
		t.Errorf("pending registration = %+v, want the new address in the reason", pending)
	}
	again := nextRegistration(t, p, softphone.RegistrationOK, 3*time.Second)
	took := time.Since(changed)
	t.Logf("registered again %v after the address change", took)
	if !again.Expires.After(first.Expires) {
		t.Fatalf("registration after the change expires %v, not after the first's %v", again.Expires, first.Expires)
	}
	if got := kamailioBindings(t, k.addr, "1001", "s3cret"); len(got) != 1 || got[0] != "127.0.0.2:"+portStr {
		t.Fatalf("bindings after the change = %v, want only [127.0.0.2:%s]", got, portStr)
	}

	sipp := startSippTo(ctx, t, k.addr, "uac_proxy.xml", "-s", "1001", "-d", "500")
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	letRing()
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	sipp.wait(ctx, t)
}

// TestNetWatch_Wake: the wall clock jumps an hour ahead of the time the
// phone measured (the computer slept); the phone registers again at once,
// not at its refresh 30 s later.
func TestNetWatch_Wake(t *testing.T) {
	k := startKamailio(t, map[string]string{"1001": "s3cret"}, "MAX_EXPIRES=60")
	var slept atomic.Int64
	start := time.Now()
	clock := func() (time.Time, time.Duration) {
		now := time.Now()
		return now.Round(0).Add(time.Duration(slept.Load())), now.Sub(start)
	}
	p := startPhone(t,
		softphone.WithRegistrar(k.addr, "1001", "s3cret"),
		softphone.WithNetworkWatch(100*time.Millisecond, 5*time.Second),
		softphone.WithWatchClock(clock),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	first := waitRegistration(ctx, t, p, softphone.RegistrationOK)

	// A wall-clock step below the threshold (NTP, a slow tick) is no wake.
	drainRegistrations(p)
	slept.Store(int64(2 * time.Second))
	select {
	case r := <-p.Registrations():
		t.Fatalf("registration after a 2 s clock step: %+v", r)
	case <-time.After(time.Second):
	}

	woke := time.Now()
	slept.Store(int64(time.Hour))
	again := nextRegistration(t, p, softphone.RegistrationOK, 3*time.Second)
	t.Logf("registered again %v after the wake", time.Since(woke))
	if !again.Expires.After(first.Expires) {
		t.Fatalf("registration after the wake expires %v, not after the first's %v", again.Expires, first.Expires)
	}
}

// TestPhone_RegisterNow: Reregister sends a REGISTER at once (a fresh
// expiry long before the refresh); a phone without a registrar refuses.
func TestPhone_RegisterNow(t *testing.T) {
	k := startKamailio(t, map[string]string{"1001": "s3cret"}, "MAX_EXPIRES=60")
	p := startPhone(t, softphone.WithRegistrar(k.addr, "1001", "s3cret"), softphone.WithNetworkWatch(0, 0))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	first := waitRegistration(ctx, t, p, softphone.RegistrationOK)
	drainRegistrations(p)
	time.Sleep(1100 * time.Millisecond) // Expires has one-second steps at Kamailio
	if err := p.Reregister(); err != nil {
		t.Fatalf("Reregister: %v", err)
	}
	again := nextRegistration(t, p, softphone.RegistrationOK, 2*time.Second)
	if !again.Expires.After(first.Expires) {
		t.Fatalf("registration after Reregister expires %v, not after the first's %v", again.Expires, first.Expires)
	}

	direct := startPhone(t)
	if err := direct.Reregister(); !errors.Is(err, softphone.ErrNoRegistrar) {
		t.Fatalf("Reregister without a registrar: %v, want ErrNoRegistrar", err)
	}
	unstarted := softphone.New(softphone.WithRegistrar(k.addr, "1001", "s3cret"))
	if err := unstarted.Reregister(); !errors.Is(err, softphone.ErrNotStarted) {
		t.Fatalf("Reregister before Start: %v, want ErrNotStarted", err)
	}
}
