package softphone

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo/sip"

	"github.com/sportello/sportello"
)

// command is what the API asks of the goroutine that owns a call.
type command int

const (
	cmdAnswer command = iota
	cmdHangup
	cmdHold
	cmdResume
	cmdTransfer
	cmdReject // waiting.go: refuse a ringing call with 603 Decline
)

type request struct {
	cmd    command
	target sip.Uri // cmdTransfer: where to send the call
	reason string  // cmdHangup: the end reason when not ReasonLocalHangup
	result chan error
}

// call is one inbound call; its dialog belongs to the goroutine running
// Phone.serve, which takes requests from the API through reqs.
type call struct {
	mu      sync.Mutex
	snap    sportello.Call
	dtmfOut *diago.DTMFWriter // nil until answered, or without telephone-event
	flow    flow
	rtpOut  *media.RTPPacketWriter
	// quality measures the answered call's audio (rtcp.go); nil before.
	quality *quality
	rec     recorder // record.go: on while the operator records
	// peer identifies the dialog for a transfer that replaces it
	// (consult.go, replaces.go): an inbound call's from the INVITE, an
	// outbound call's once answered (nil before).
	peer *dialogPeer

	reqs chan request
	done chan struct{} // closed when serve returns
}

func (c *call) state() sportello.CallState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snap.State
}

// do hands cmd to the call's goroutine and waits for its outcome.
func (c *call) do(cmd command) error {
	return c.send(request{cmd: cmd, result: make(chan error, 1)})
}

// send hands r to the call's goroutine and waits for its outcome.
func (c *call) send(r request) error {
	select {
	case c.reqs <- r:
	case <-c.done:
		return sportello.ErrNoSuchCall
	}
	select {
	case err := <-r.result:
		return err
	case <-c.done:
		// The call ended while handling: the result, if any, is buffered.
		select {
		case err := <-r.result:
			return err
		default:
			return sportello.ErrNoSuchCall
		}
	}
}

// serve runs for the whole life of one inbound call, on the goroutine that
// diago gave the INVITE: diago hangs up when it returns.
func (p *Phone) serve(d *diago.DialogServerSession) {
	req := d.InviteRequest
	id := req.CallID().Value()
	log := p.log.With("call_id", id)

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_ = d.Respond(sip.StatusServiceUnavailable, "Service Unavailable", nil)
		return
	}
	if _, dup := p.active[id]; dup {
		p.mu.Unlock()
		log.Warn("second INVITE with a Call-ID in use")
		_ = d.Respond(sip.StatusLoopDetected, "Loop Detected", nil)
		return
	}
	replaced, code, phrase := p.replacedCall(req) // replaces.go: an attended transfer to this phone
	if code != 0 {
		p.mu.Unlock()
		log.Info("INVITE with Replaces refused", "code", code, "replaces", req.GetHeader("Replaces").Value())
		_ = d.Respond(code, phrase, nil)
		return
	}
	number, name := caller(req.From())
	c := &call{
		snap: sportello.Call{
			ID:        id,
			Direction: sportello.CallInbound,
			Number:    number,
			Name:      name,
			State:     sportello.CallRinging,
			StartedAt: p.now(),
		},
		peer: serverPeer(d),
		reqs: make(chan request),
		done: make(chan struct{}),
	}
	p.active[id] = c
	p.handlers.Add(1)
	p.mu.Unlock()

	reason := ReasonFailed
	defer func() { p.finish(c, reason, log) }()

	log.Info("incoming call", "number", number)
	// No 100 Trying: 180 (or, for a Replaces, 200) follows at once, and a
	// UAS need not send 100 when it answers within 200 ms (RFC 3261
	// 17.2.1); one datagram less per call keeps INVITE->180 short.
	if replaced != nil {
		go p.takeOver(c, replaced, log) // answered at once: no ringing
	} else {
		if err := d.Ringing(); err != nil {
			log.Warn("send 180 Ringing", "error", err)
			return
		}
		p.publish(c.snapshot())
	}

	// Ringing: wait for the operator, the caller or Close.
	var med *diago.DialogMedia
	for med == nil {
		select {
		case <-d.Context().Done():
			// sipgo ends the dialog with sip.ErrTransactionCanceled on CANCEL;
			// any other end before answer (timeout, transport error) is also
			// the caller going away.
			log.Info("caller gave up", "cause", context.Cause(d.Context()))
			reason = ReasonCancelled
			return
		case <-p.closing:
			reason = ReasonRejected
			p.reject(d, log)
			return
		case r := <-c.reqs:
			switch r.cmd {
			case cmdHangup:
				reason = ReasonRejected
				r.result <- p.reject(d, log)
				return
			case cmdReject:
				reason = ReasonRejected
				r.result <- p.respondFinal(d, sip.StatusGlobalDecline, "Decline", log)
				return
			case cmdAnswer:
				m, err := d.Answer(diago.AnswerOptions{Codecs: p.mediaCodecs()})
				if err != nil {
					r.result <- fmt.Errorf("answer: %w", err)
					if d.Context().Err() != nil {
						reason = ReasonCancelled
					}
					return
				}
				med = m
				var props diago.MediaProps
				if _, err := med.AudioWriter(diago.WithAudioWriterMediaProps(&props)); err != nil {
					log.Warn("read media properties", "error", err)
				}
				p.setState(c, func(s *sportello.Call) {
					s.State, s.AnsweredAt, s.Codec = sportello.CallActive, p.now(), strings.ToUpper(props.Codec.Name)
				})
				r.result <- nil
			default:
				r.result <- sportello.ErrCallNotReady
			}
		}
	}

	// Active: move audio until someone hangs up.
	stopMedia, err := p.startMedia(c, med, log)
	if err != nil {
		log.Error("start audio", "error", err)
	}
	s := serverSession(d, med)
	s.refer = func(ctx context.Context, to sip.Uri, onNotify func(int)) error {
		return d.ReferOptions(ctx, to, diago.ReferServerOptions{OnNotify: onNotify})
	}
	reason = p.talk(d, c, s, log)
	stopMedia()
}

// finish forgets the ended call c and publishes its last snapshot.
func (p *Phone) finish(c *call, reason string, log *slog.Logger) {
	p.mu.Lock()
	delete(p.active, c.snapshot().ID)
	p.mu.Unlock()
	close(c.done)
	p.setState(c, func(s *sportello.Call) {
		s.State, s.EndedAt, s.EndReason = sportello.CallEnded, p.now(), reason
	})
	log.Info("call ended", "reason", reason)
	p.handlers.Done()
}

// dialog is what talk needs of an established call, inbound or outbound.
type dialog interface {
	Context() context.Context
	Hangup(ctx context.Context) error
}

// talk waits for the end of an answered call and returns its reason.
func (p *Phone) talk(d dialog, c *call, s *session, log *slog.Logger) string {
	var xfer *transfer // the blind transfer under way, if any
	for {
		select {
		case <-d.Context().Done():
			xfer.abandon(errTransferHungUp)
			return ReasonRemoteHangup
		case <-p.closing:
			xfer.abandon(ErrClosed)
			p.bye(d, log)
			return ReasonLocalHangup
		case code := <-xfer.notified():
			if done, err := xfer.outcome(code); done {
				xfer = nil
				if err == nil {
					p.bye(d, log)
					return ReasonTransferred
				}
			}
		case <-xfer.expired():
			xfer.finish(fmt.Errorf("%w: no final answer from the target in %s", sportello.ErrTransferFailed, transferTimeout))
			xfer = nil
		case r := <-c.reqs:
			switch r.cmd {
			case cmdAnswer, cmdReject:
				r.result <- sportello.ErrCallNotReady
			case cmdTransfer:
				if xfer != nil {
					r.result <- sportello.ErrCallNotReady
					continue
				}
				xfer = startTransfer(s, r, log)
			case cmdHangup:
				xfer.abandon(errTransferHungUp)
				r.result <- p.bye(d, log)
				if r.reason != "" {
					return r.reason
				}
				return ReasonLocalHangup
			case cmdHold, cmdResume:
				err := c.holdCommand(s, r.cmd, log)
				if held := c.flow.held.Load(); err == nil && c.snapshot().OnHold != held {
					p.setState(c, func(snap *sportello.Call) { snap.OnHold = held })
				}
				r.result <- err
			}
		}
	}
}

func (p *Phone) bye(d dialog, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.Hangup(ctx); err != nil {
		log.Warn("send BYE", "error", err)
		return fmt.Errorf("send bye: %w", err)
	}
	return nil
}

// reject refuses a ringing call with 486 Busy Here. sipgo then waits for
// the caller's ACK until the transaction times out (32 s); a caller that
// never acknowledges must not hold the operator or Close that long, so the
// wait is bounded and the rest is left to the transaction layer.
func (p *Phone) reject(d *diago.DialogServerSession, log *slog.Logger) error {
	return p.respondFinal(d, sip.StatusBusyHere, "Busy Here", log)
}

// respondFinal refuses a ringing call with code (486 or 603), waiting for
// the ACK no longer than rejectAckWait (see reject).
func (p *Phone) respondFinal(d *diago.DialogServerSession, code int, phrase string, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- d.Respond(code, phrase, nil) }()
	select {
	case err := <-errc:
		if err != nil {
			log.Warn("send final response", "code", code, "error", err)
			return fmt.Errorf("reject: %w", err)
		}
	case <-time.After(rejectAckWait):
		log.Warn("no ACK to the final response yet", "code", code)
	}
	return nil
}

// rejectAckWait bounds the wait for the ACK of a rejection.
const rejectAckWait = 2 * time.Second

// startMedia opens the call's devices and starts the two audio pumps; the
// returned function stops them, waits for them and closes the devices.
func (p *Phone) startMedia(c *call, med *diago.DialogMedia, log *slog.Logger) (stop func(), err error) {
	stop, startSend, err := p.startMediaEarly(c, med, log)
	if err != nil {
		return stop, err
	}
	if err := startSend(); err != nil {
		stop()
		return func() {}, err
	}
	return stop, nil
}

// startMediaEarly opens the call's devices and starts playing what the
// other side sends; the operator's voice goes out only after startSend
// (early media: nothing is sent before the answer). stop stops the pumps,
// waits for them and closes the devices.
func (p *Phone) startMediaEarly(c *call, med *diago.DialogMedia, log *slog.Logger) (stop func(), startSend func() error, err error) {
	id := c.snapshot().ID
	src, sink, err := p.devices(id)
	if err != nil {
		return func() {}, nil, fmt.Errorf("open audio devices: %w", err)
	}
	closeDevices := func() {
		for _, dev := range []any{src, sink} {
			if cl, ok := dev.(io.Closer); ok {
				if err := cl.Close(); err != nil {
					log.Warn("close audio device", "error", err)
				}
			}
		}
	}
	// No diago jitter buffer: the phone's own (jitter.go) is on the
	// receive path.
	var rprops diago.MediaProps
	r, err := med.AudioReader(diago.WithAudioReaderMediaProps(&rprops))
	if err != nil {
		closeDevices()
		return func() {}, nil, fmt.Errorf("audio reader: %w", err)
	}
	var voice voiceReader
	if pr, ok := r.(*media.RTPPacketReader); ok {
		voice = &rtpVoice{r: pr, opusPT: opusPayloadType(rprops.Codec), dtmf: &dtmfEvents{press: func(key byte) {
			log.Info("DTMF received", "key", string(key))
			p.publishDTMF(DTMF{CallID: id, Key: string(key), At: p.now()})
		}}}
	} else {
		var props diago.MediaProps
		if _, err := med.AudioWriter(diago.WithAudioWriterMediaProps(&props)); err != nil {
			closeDevices()
			return func() {}, nil, fmt.Errorf("audio properties: %w", err)
		}
		enc, ok := codecNamed(props.Codec.Name)
		if !ok {
			closeDevices()
			return func() {}, nil, fmt.Errorf("negotiated codec %q is not G.711", props.Codec.Name)
		}
		voice = &sameCodec{r: r, c: enc}
	}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	q := &quality{jb: newJitterBuffer(time.Duration(p.jitterPackets)*packetTime, jitterMinDelay, jitterMaxDelay)}
	c.mu.Lock()
	c.quality = q
	c.mu.Unlock()
	stopQuality := p.watchQuality(c, med, q)
	wg.Go(func() {
		var err error
		if pr, ok := voice.(packetReader); ok {
			err = receiveBuffered(ctx, pr, q.jb, q, sink, &c.flow, c.recorded(true), log)
		} else {
			err = receive(ctx, voice, sink, &c.flow)
		}
		if err != nil {
			log.Debug("receive audio stopped", "error", err)
		}
	})
	var sendOnce sync.Once
	startSend = func() error {
		var err error
		sendOnce.Do(func() {
			var props diago.MediaProps
			w, werr := med.AudioWriter(diago.WithAudioWriterMediaProps(&props))
			if werr != nil {
				err = fmt.Errorf("audio writer: %w", werr)
				return
			}
			enc, ok := codecNamed(props.Codec.Name)
			if !ok {
				err = fmt.Errorf("negotiated codec %q is not G.711", props.Codec.Name)
				return
			}
			// Key presses go out as RFC 4733 events on the audio stream,
			// which pauses while they last; a peer that did not accept
			// telephone-event gets none.
			dtmfOut := &diago.DTMFWriter{}
			if dw, derr := med.AudioWriter(diago.WithAudioWriterDTMF(dtmfOut)); derr == nil {
				w = dw
				c.mu.Lock()
				c.dtmfOut, c.rtpOut = dtmfOut, med.RTPPacketWriter
				c.mu.Unlock()
			} else {
				log.Info("no RFC 4733 telephone events on this call", "error", derr)
			}
			wg.Go(func() {
				if err := send(ctx, w, enc, src, &c.flow, c.recorded(false), log); err != nil {
					log.Debug("send audio stopped", "error", err)
				}
			})
		})
		return err
	}
	return func() {
		c.mu.Lock()
		c.dtmfOut, c.rtpOut = nil, nil
		c.mu.Unlock()
		cancel()
		// Closing the media unblocks the reader stuck on the socket.
		if err := med.Close(); err != nil {
			log.Debug("close media", "error", err)
		}
		wg.Wait()
		stopQuality()
		if err := c.finishRecording(); err != nil {
			log.Warn("finish recording", "error", err)
		}
		closeDevices()
	}, startSend, nil
}

// phoneCodecs are offered and answered, in the phone's order of preference;
// an answer follows the offerer's order.
var phoneCodecs = []media.Codec{media.CodecAudioUlaw, media.CodecAudioAlaw, media.CodecTelephoneEvent8000}

// rtpVoice passes on PCMU and PCMA payloads, hands telephone events
// (RFC 4733) to dtmf and drops every other RTP packet (comfort noise), so
// only voice reaches the decoder. The phone negotiates telephone-event as
// its only dynamic payload type, so any dynamic type (96-127) is taken as
// telephone-event.
type rtpVoice struct {
	r    *media.RTPPacketReader
	dtmf *dtmfEvents
	// opusPT is the payload type Opus arrives with, 0 when the call is
	// not on Opus (whose type is dynamic, 96-127); opusClock counts the
	// stream's 48 kHz timestamps in the 8 kHz the jitter buffer and the
	// RTCP statistics use (codecs.go).
	opusPT    uint8
	opusClock rtpClock
}

func (v *rtpVoice) ReadVoice(b []byte) (int, codec, error) {
	for {
		n, err := v.r.Read(b)
		if err != nil {
			return n, 0, err
		}
		switch pt := v.r.PacketHeader.PayloadType; {
		case v.opusPT != 0 && pt == v.opusPT:
			return n, codecOpus, nil
		case isVoice(pt):
			return n, codec(pt), nil
		case pt >= 96 && pt <= 127 && v.dtmf != nil:
			v.dtmf.packet(v.r.PacketHeader.Timestamp, v.r.PacketHeader.Marker, b[:n])
		}
	}
}

// sameCodec reads payloads all in one codec.
type sameCodec struct {
	r io.Reader
	c codec
}

func (s *sameCodec) ReadVoice(b []byte) (int, codec, error) {
	n, err := s.r.Read(b)
	return n, s.c, err
}

// setState changes c's snapshot under its lock and publishes the result.
func (p *Phone) setState(c *call, change func(*sportello.Call)) {
	c.mu.Lock()
	change(&c.snap)
	s := c.snap
	c.mu.Unlock()
	p.publish(s)
}

func (c *call) snapshot() sportello.Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snap
}

// caller returns the caller's number (a leading '+' and digits only) and
// display name from the From header.
func caller(from *sip.FromHeader) (number, name string) {
	if from == nil {
		return "", ""
	}
	return normalizeNumber(from.Address.User), strings.Trim(from.DisplayName, `"`)
}

func normalizeNumber(s string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}
