package softphone

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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
	// ErrNotRegistered is returned at once by Dial of a number while the
	// registration has failed (the registrar is lost): the phone tries to
	// register again at once and Registration says why it failed.
	ErrNotRegistered = sportello.Errorf(sportello.EUNAVAILABLE, "not registered with the registrar")
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
	return p.dialCall(target, "")
}

// dialCall places the call of Dial; consultOf is the call a consultation
// (Consult) is for.
func (p *Phone) dialCall(target, consultOf string) (string, error) {
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
	if reg := p.register; reg != nil && !strings.HasPrefix(target, "sip") {
		// Through a registrar that is lost the INVITE would only time out.
		if st := p.Registration(); st.State == RegistrationFailed {
			reg.kickNow(kickDial)
			return "", fmt.Errorf("dial %q: %w: %s", target, ErrNotRegistered, st.Reason)
		}
	}

	d, err := dg.NewDialog(recipient, diago.NewDialogOptions{Transport: p.transport()})
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
			ConsultOf: consultOf,
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
	early := make(chan *diago.DialogMedia, 1)
	opts.EarlyMediaDetect = true
	var earlySDP []byte // the 183's, read only on the goroutine below
	opts.OnResponse = func(res *sip.Response) error {
		if res.StatusCode == sip.StatusSessionInProgress {
			earlySDP = res.Body()
		}
		return nil
	}
	go func() {
		med, err := d.Invite(ctx, opts)
		if errors.Is(err, diago.ErrClientEarlyMedia) {
			// 183 Session Progress with SDP: the network plays something
			// (ring-back, an announcement) until the answer.
			early <- med
			// sipgo's wait, not diago's: diago v0.42.1 applies the 200's
			// SDP to the media session in place while RTP is being read
			// and written (a data race). The 200 repeats the 183's answer
			// (RFC 3262), so the early session stays as it is.
			err = d.DialogClientSession.WaitAnswer(ctx, sipgo.AnswerOptions{Username: opts.Username, Password: opts.Password})
			if err == nil && !sameMedia(earlySDP, d.InviteResponse.Body()) {
				log.Warn("the answer's SDP differs from the early media's: keeping the early media's")
			}
		}
		answered <- answer{med, err}
	}()

	// Ringing: wait for the other party, the operator or Close.
	var a answer
	cancelled := false
	var hangupReq *request
	var stopMedia func()       // set once audio flows: early media, or the answer
	var startSend func() error // early media: the operator's voice waits for the answer
	defer func() {
		if stopMedia != nil {
			stopMedia()
		}
	}()
wait:
	for {
		select {
		case a = <-answered:
			break wait
		case med := <-early:
			if cancelled {
				continue
			}
			// Play what comes; send nothing of the operator's voice yet.
			stop, send, err := p.startMediaEarly(c, med, log)
			if err != nil {
				log.Warn("start early media", "error", err)
				continue
			}
			stopMedia, startSend = stop, send
			log.Info("early media")
			p.setState(c, func(s *sportello.Call) { s.EarlyMedia = true })
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
		if stopMedia == nil && a.med != nil {
			_ = a.med.Close() // early media that never played
		}
		reason = dialFailure(a.err, cancelled)
		if r := tlsFailure(a.err); r != "" {
			reason = r
		}
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
		if stopMedia == nil {
			_ = a.med.Close()
		}
		return
	}
	if err := p.secureAnswer(d.InviteResponse.Body()); err != nil {
		log.Warn("hang up", "error", err)
		_ = p.bye(d, log)
		if stopMedia == nil {
			_ = a.med.Close()
		}
		reason = ReasonInsecure
		return
	}
	codec := ""
	var props diago.MediaProps
	if _, err := a.med.AudioWriter(diago.WithAudioWriterMediaProps(&props)); err == nil {
		codec = strings.ToUpper(props.Codec.Name)
	}
	c.mu.Lock()
	c.peer = clientPeer(d)
	c.mu.Unlock()
	p.setState(c, func(s *sportello.Call) {
		s.State, s.AnsweredAt, s.Codec, s.EarlyMedia = sportello.CallActive, p.now(), codec, false
	})
	if stopMedia == nil {
		stop, err := p.startMedia(c, a.med, log)
		if err != nil {
			log.Error("start audio", "error", err)
		}
		stopMedia = stop
	} else if err := startSend(); err != nil {
		log.Error("start sending audio after early media", "error", err)
	}
	s := clientSession(d, a.med)
	s.refer = func(ctx context.Context, to sip.Uri, onNotify func(int)) error {
		return d.ReferOptions(ctx, to, diago.ReferClientOptions{OnNotify: onNotify})
	}
	reason = p.talk(d, c, s, log)
}

// sameMedia reports whether two SDP bodies agree on where and how media
// flows: the same connection and media lines.
func sameMedia(a, b []byte) bool {
	if len(b) == 0 {
		return true // a 200 without SDP confirms the early answer
	}
	lines := func(body []byte) []string {
		var out []string
		for _, l := range strings.Split(string(body), "\n") {
			if l = strings.TrimSpace(l); strings.HasPrefix(l, "c=") || strings.HasPrefix(l, "m=") {
				out = append(out, l)
			}
		}
		return out
	}
	return slices.Equal(lines(a), lines(b))
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
