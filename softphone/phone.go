// Package softphone is Sportello's embedded SIP user agent: it registers,
// takes and places calls over UDP or TLS (WithTLS; SRTP with WithSRTP)
// with G.711 (PCMU or PCMA) audio both ways, implementing sportello.Phone
// on top of diago. No diago or sipgo type appears in its API, so the SIP
// stack can change without touching callers.
package softphone

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone/audio"
)

// Phone errors, checked with errors.Is.
var (
	// ErrStarted is returned by a second Start.
	ErrStarted = errors.New("softphone: already started")
	// ErrClosed is returned by Start after Close.
	ErrClosed = errors.New("softphone: closed")
)

// End reasons of sportello.Call.EndReason.
const (
	ReasonRemoteHangup = "remote hangup"
	ReasonLocalHangup  = "local hangup"
	ReasonCancelled    = "cancelled"
	ReasonRejected     = "rejected"
	ReasonFailed       = "failed"
	// ReasonTransferred: the call went to another number (Transfer).
	ReasonTransferred = "transferred"
)

// callsBuffer is the capacity of the Calls channel.
const callsBuffer = 64

// DeviceFunc opens the sound devices for the call with the given id; the
// phone closes those that implement io.Closer when the call ends.
type DeviceFunc func(callID string) (audio.Source, audio.Sink, error)

// Option configures a Phone.
type Option func(*Phone)

// WithListenAddr sets the UDP address to listen on (default
// "127.0.0.1:5060"); port 0 picks a free port, which Addr then reports.
func WithListenAddr(addr string) Option { return func(p *Phone) { p.listenAddr = addr } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(p *Phone) { p.log = l } }

// WithAudio sets how the sound devices of a call are opened (default: the
// null devices, silence out and audio discarded).
func WithAudio(f DeviceFunc) Option { return func(p *Phone) { p.devices = f } }

// WithJitterBuffer sets the delay the receive jitter buffer starts with,
// in 20 ms packets (default 3, i.e. 60 ms); it then adapts between 20 and
// 300 ms (jitter.go).
func WithJitterBuffer(packets int) Option { return func(p *Phone) { p.jitterPackets = packets } }

// WithNow sets the clock used for call timestamps (default time.Now).
func WithNow(now func() time.Time) Option { return func(p *Phone) { p.now = now } }

// Phone is the softphone. Create it with New, then Start it.
type Phone struct {
	listenAddr    string
	log           *slog.Logger
	devices       DeviceFunc
	jitterPackets int
	// codecs is set by WithCodecs; nil means phoneCodecs.
	codecs        codecList
	recordDir     string // WithRecordDir: where Record writes
	now           func() time.Time
	tlsConf       *tls.Config // WithTLS: SIP over TLS
	srtpMode      SRTPMode
	parallelCalls bool // WithParallelCalls: Answer holds no other call

	registrar      *registrarConfig
	registerExpiry time.Duration
	retryFirst     time.Duration
	retryMax       time.Duration
	watch          netWatch // netwatch.go: re-register on network change or wake

	calls  chan sportello.Call
	dtmfIn chan DTMF

	regMu    sync.Mutex
	reg      Registration
	regs     chan Registration
	register *registration // nil without a registrar

	mu       sync.Mutex
	active   map[string]*call         // by SIP Call-ID
	consults map[string]*consultation // attended transfers, by consultation id
	started  bool
	closed   bool
	addr     string
	handlers sync.WaitGroup // one per INVITE being served

	closing   chan struct{} // closed by Close: every call hangs up
	stop      context.CancelFunc
	ua        *sipgo.UserAgent
	dg        *diago.Diago
	closeOnce sync.Once
	closeErr  error
}

var _ sportello.Phone = (*Phone)(nil)

// New returns a phone configured by opts; it does not listen until Start.
func New(opts ...Option) *Phone {
	p := &Phone{
		listenAddr:    "127.0.0.1:5060",
		log:           slog.Default(),
		devices:       func(string) (audio.Source, audio.Sink, error) { return audio.Null{}, audio.Null{}, nil },
		jitterPackets: 3,
		now:           time.Now,
		retryFirst:    time.Second,
		retryMax:      time.Minute,
		calls:         make(chan sportello.Call, callsBuffer),
		dtmfIn:        make(chan DTMF, dtmfBuffer),
		regs:          make(chan Registration, registrationsBuffer),
		active:        make(map[string]*call),
		consults:      make(map[string]*consultation),
		closing:       make(chan struct{}),
	}
	for _, o := range opts {
		o(p)
	}
	if p.jitterPackets < 1 {
		p.jitterPackets = 1
	}
	p.retryFirst = max(p.retryFirst, 10*time.Millisecond)
	p.retryMax = max(p.retryMax, p.retryFirst)
	p.log = p.log.With("subsystem", "softphone")
	return p
}

// Start binds the UDP socket and serves calls in the background; it returns
// once the phone listens. ctx bounds only the start: the phone runs until
// Close.
func (p *Phone) Start(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		return ErrClosed
	case p.started:
		return ErrStarted
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("start phone: %w", err)
	}

	host, portStr, err := net.SplitHostPort(p.listenAddr)
	if err != nil {
		return fmt.Errorf("parse listen address: %w", err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("parse listen port: %w", err)
	}
	if host == "" {
		host = "0.0.0.0"
	}

	sipLog := p.log.With("subsystem", "sip")
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent("Sportello"),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(sipLog)),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(sipLog)),
		p.userAgentTLS(),
	)
	if err != nil {
		return fmt.Errorf("create user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(sipLog))
	if err != nil {
		ua.Close()
		return fmt.Errorf("create sip server: %w", err)
	}
	dg := diago.NewDiago(ua,
		diago.WithLogger(sipLog),
		diago.WithServer(srv),
		diago.WithTransport(diago.Transport{Transport: p.transport(), BindHost: host, BindPort: port,
			TLSConf: p.tlsConf, TLSURINoSIPS: true, MediaSRTP: p.mediaSRTP()}),
		diago.WithMediaConfig(diago.MediaConfig{Codecs: p.mediaCodecs()}),
		diago.WithServerRequestMiddleware(p.guarded),
	)
	// Methods diago does not handle bypass its middleware: guard them too.
	srv.OnNoRoute(p.guard(methodNotAllowed))

	serveCtx, stop := context.WithCancel(context.Background())
	if err := dg.ServeBackground(serveCtx, p.serve); err != nil {
		stop()
		ua.Close()
		return fmt.Errorf("listen on %s: %w", p.listenAddr, err)
	}

	// The transport layer records the bound port just after the ready
	// callback that ends ServeBackground: wait for it briefly.
	bound := port
	for deadline := time.Now().Add(2 * time.Second); bound == 0 && time.Now().Before(deadline); {
		if ports := srv.TransportLayer().ListenPorts(p.transport()); len(ports) > 0 {
			bound = ports[0]
			break
		}
		time.Sleep(time.Millisecond)
	}
	if bound == 0 {
		stop()
		ua.Close()
		return fmt.Errorf("listen on %s: bound port unknown", p.listenAddr)
	}

	if p.registrar != nil {
		reg, err := p.newRegistration(ua, host, bound)
		if err != nil {
			stop()
			ua.Close()
			return err
		}
		regCtx, stopReg := context.WithCancel(context.Background())
		reg.stop = stopReg
		p.register = reg
		go reg.run(regCtx)
	}

	p.started, p.stop, p.ua, p.dg = true, stop, ua, dg
	p.addr = p.transport() + " " + net.JoinHostPort(host, strconv.Itoa(bound))
	p.log.Info("phone listening", "addr", p.addr)
	return nil
}

// Addr says where the phone listens, e.g. "udp 127.0.0.1:5060" ("tls ..."
// with WithTLS); it is empty before Start.
func (p *Phone) Addr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

// Calls delivers a snapshot of a call on every change of state. If nobody
// reads, the oldest snapshots are dropped rather than blocking SIP. The
// channel is closed by Close once every call has ended.
func (p *Phone) Calls() <-chan sportello.Call { return p.calls }

// Answer picks up the ringing call callID and returns once the call is
// active (or failed). A call already in conversation is put on hold first
// (call waiting): the operator talks to one party at a time.
func (p *Phone) Answer(callID string) error {
	c, err := p.lookup(callID)
	if err != nil {
		return fmt.Errorf("answer %s: %w", callID, err)
	}
	if c.state() != sportello.CallRinging {
		return fmt.Errorf("answer %s: %w", callID, sportello.ErrCallNotReady)
	}
	if !p.parallelCalls {
		p.holdOthers(callID)
	}
	if err := c.do(cmdAnswer); err != nil {
		return fmt.Errorf("answer %s: %w", callID, err)
	}
	return nil
}

// Hangup ends the call callID: with a BYE when active, with 486 Busy Here
// when still ringing.
func (p *Phone) Hangup(callID string) error {
	c, err := p.lookup(callID)
	if err != nil {
		return fmt.Errorf("hang up %s: %w", callID, err)
	}
	if err := c.do(cmdHangup); err != nil {
		return fmt.Errorf("hang up %s: %w", callID, err)
	}
	return nil
}

// Close hangs up every call, stops listening and closes the Calls channel.
func (p *Phone) Close() error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		started := p.started
		p.mu.Unlock()

		close(p.closing)
		done := make(chan struct{})
		go func() { p.handlers.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			p.closeErr = errors.New("close phone: calls did not end in time")
			p.log.Error("calls did not end in time")
		}
		if p.register != nil {
			p.register.stop()
			<-p.register.done
			p.register.unregister()
		}
		close(p.regs)
		if started {
			p.stop()
			if err := p.ua.Close(); err != nil && p.closeErr == nil {
				p.closeErr = fmt.Errorf("close user agent: %w", err)
			}
		}
		select {
		case <-done:
			close(p.calls)
			close(p.dtmfIn)
		default: // a stuck handler may still publish: leave the channel open
		}
	})
	return p.closeErr
}

func (p *Phone) lookup(callID string) (*call, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.active[callID]
	if !ok {
		return nil, sportello.ErrNoSuchCall
	}
	return c, nil
}

// publish sends a snapshot without ever blocking: when the buffer is full it
// drops the oldest snapshot to make room.
func (p *Phone) publish(c sportello.Call) {
	for range 2 {
		select {
		case p.calls <- c:
			return
		default:
		}
		select {
		case old := <-p.calls:
			p.log.Warn("calls channel full: dropped a snapshot", "call_id", old.ID, "state", string(old.State))
		default:
		}
	}
	p.log.Error("calls channel full: snapshot lost", "call_id", c.ID, "state", string(c.State))
}

// methodNotAllowed answers requests for methods the phone does not handle.
func methodNotAllowed(req *sip.Request, tx sip.ServerTransaction) {
	if req.IsAck() || tx == nil {
		return
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusMethodNotAllowed, "Method Not Allowed", nil))
}
