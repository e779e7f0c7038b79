package softphone

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"

	"github.com/sportello/sportello"
)

// Dial errors, checked with errors.Is.
var (
	// ErrNotStarted is returned by Dial before Start.
	ErrNotStarted = errors.New("softphone: not started")
	// ErrNoRegistrar is returned by Dial of a bare number when the phone has
	// no registrar to send it to.
	ErrNoRegistrar = sportello.Errorf(sportello.EINVALID, "no registrar configured: dial a SIP URI")
	// ErrBadTarget is returned by Dial of something that is neither a
	// number nor a SIP URI.
	ErrBadTarget = sportello.Errorf(sportello.EINVALID, "not a number or SIP URI")
)

// End reasons of outbound calls, besides those of inbound ones.
const (
	// ReasonBusy: the other party was busy (486, 600).
	ReasonBusy = "busy"
	// ReasonNoAnswer: nobody answered before the call timed out (408, 480).
	ReasonNoAnswer = "no answer"
)

// Dial calls target and returns the new call's ID at once; its progress
// comes on Calls: dialing (Direction outbound) until the other party
// answers, active, then ended. Hangup while it is dialing cancels it.
//
// target is a number ("+390212345678", "2000"; spaces and dashes ignored),
// sent to the registrar with the phone's credentials, or a SIP URI
// ("sip:2000@192.0.2.7:5060"), called directly.
func (p *Phone) Dial(target string) (string, error) {
	p.mu.Lock()
	started, closed, dg := p.started, p.closed, p.dg
	p.mu.Unlock()
	switch {
	case closed:
		return "", fmt.Errorf("dial: %w", ErrClosed)
	case !started:
		return "", fmt.Errorf("dial: %w", ErrNotStarted)
	}
	recipient, number, err := p.dialTarget(target)
	if err != nil {
		return "", fmt.Errorf("dial %q: %w", target, err)
	}

	d, err := dg.NewDialog(recipient, diago.NewDialogOptions{Transport: "udp"})
	if err != nil {
		return "", fmt.Errorf("dial %q: %w", target, err)
	}
	opts := diago.InviteClientOptions{Headers: []sip.Header{}}
	id := uuid.NewString()
	callID := sip.CallIDHeader(id)
	opts.Headers = append(opts.Headers, &callID)
	if reg := p.register; reg != nil && !strings.HasPrefix(target, "sip") {
		// Calls through the registrar go out as the AOR, answering its
		// proxy's challenge with the phone's credentials.
		from := &sip.FromHeader{Address: *reg.aorURI.Clone(), Params: sip.NewParams()}
		opts.Headers = append(opts.Headers, from)
		opts.Username, opts.Password = reg.user, reg.pass
		d.UA.ContactHDR.Address.User = reg.user
	}

	log := p.log.With("call_id", id)
	c := &call{
		snap: sportello.Call{
			ID:        id,
			Direction: sportello.CallOutbound,
			Number:    number,
			State:     sportello.CallDialing,
			StartedAt: p.now(),
		},
		reqs: make(chan request),
		done: make(chan struct{}),
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_ = d.Close()
		return "", fmt.Errorf("dial: %w", ErrClosed)
	}
	p.active[id] = c
	p.handlers.Add(1)
	p.mu.Unlock()

	log.Info("dialing", "target", recipient.String())
	p.publish(c.snapshot())
	go p.dial(c, d, opts, log)
	return id, nil
}

// dialTarget turns what the operator dialled into the request URI and the
// number shown on the call.
func (p *Phone) dialTarget(target string) (sip.Uri, string, error) {
	target = strings.TrimSpace(target)
	if strings.HasPrefix(target, "sip:") || strings.HasPrefix(target, "sips:") {
		var u sip.Uri
		if err := sip.ParseUri(target, &u); err != nil || u.Host == "" {
			return sip.Uri{}, "", ErrBadTarget
		}
		return u, normalizeNumber(u.User), nil
	}
	var b strings.Builder
	for i, r := range target {
		switch {
		case r >= '0' && r <= '9', r == '*', r == '#', r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return sip.Uri{}, "", ErrBadTarget
		}
	}
	number := b.String()
	if number == "" || number == "+" {
		return sip.Uri{}, "", ErrBadTarget
	}
	if p.register == nil {
		return sip.Uri{}, "", ErrNoRegistrar
	}
	ruri := p.register.req.Recipient
	return sip.Uri{Scheme: "sip", User: number, Host: ruri.Host, Port: ruri.Port,
		UriParams: sip.NewParams(), Headers: sip.NewParams()}, number, nil
}

// dial runs for the whole life of one outbound call.
func (p *Phone) dial(c *call, d *diago.DialogClientSession, opts diago.InviteClientOptions, log *slog.Logger) {
	reason := ReasonFailed
	defer func() { p.finish(c, reason, log) }()
	defer d.Close()

	type answer struct {
		med *diago.DialogMedia
		err error
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	answered := make(chan answer, 1)
	go func() {
		med, err := d.Invite(ctx, opts)
		answered <- answer{med, err}
	}()

	// Ringing: wait for the other party, the operator or Close.
	var a answer
	cancelled := false
	var hangupReq *request
wait:
	for {
		select {
		case a = <-answered:
			break wait
		case r := <-c.reqs:
			switch r.cmd {
			case cmdHangup:
				cancelled, hangupReq = true, &r
				cancel()
			default:
				r.result <- sportello.ErrCallNotReady
			}
		case <-p.closing:
			cancelled = true
			cancel()
		}
	}
	if a.err != nil {
		reason = dialFailure(a.err, cancelled)
		if hangupReq != nil {
			hangupReq.result <- nil
		}
		log.Info("outbound call not answered", "error", a.err, "reason", reason)
		return
	}

	// Answered, maybe just as the operator gave up: acknowledge, then hang up
	// if they did.
	ackCtx, ackCancel := context.WithTimeout(context.Background(), 5*time.Second)
	err := d.Ack(ackCtx)
	ackCancel()
	if err != nil {
		log.Warn("send ACK", "error", err)
	}
	if cancelled {
		err := p.bye(d, log)
		if hangupReq != nil {
			hangupReq.result <- err
		}
		reason = ReasonLocalHangup
		_ = a.med.Close()
		return
	}
	codec := ""
	var props diago.MediaProps
	if _, err := a.med.AudioWriter(diago.WithAudioWriterMediaProps(&props)); err == nil {
		codec = strings.ToUpper(props.Codec.Name)
	}
	p.setState(c, func(s *sportello.Call) {
		s.State, s.AnsweredAt, s.Codec = sportello.CallActive, p.now(), codec
	})
	stopMedia, err := p.startMedia(c, a.med, log)
	if err != nil {
		log.Error("start audio", "error", err)
	}
	s := clientSession(d, a.med)
	s.refer = func(ctx context.Context, to sip.Uri, onNotify func(int)) error {
		return d.ReferOptions(ctx, to, diago.ReferClientOptions{OnNotify: onNotify})
	}
	reason = p.talk(d, c, s, log)
	stopMedia()
}

// dialFailure names why an outbound call ended before it was answered.
func dialFailure(err error, cancelled bool) string {
	var resp *sipgo.ErrDialogResponse
	if errors.As(err, &resp) && resp.Res != nil {
		switch resp.Res.StatusCode {
		case sip.StatusBusyHere, 600:
			return ReasonBusy
		case sip.StatusRequestTimeout, sip.StatusTemporarilyUnavailable:
			return ReasonNoAnswer
		case sip.StatusRequestTerminated:
			if cancelled {
				return ReasonCancelled
			}
		case 603, sip.StatusForbidden:
			return ReasonRejected
		}
		return ReasonFailed
	}
	if cancelled {
		return ReasonCancelled
	}
	return ReasonFailed
}
