package softphone

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/diago/media/sdp"
	"github.com/emiago/sipgo/sip"

	"github.com/sportello/sportello"
)

// CallControls is what the operator has switched on an active call.
type CallControls struct {
	OnHold bool `json:"on_hold"`
	Muted  bool `json:"muted"`
}

// flow says what the audio pumps let through: a muted call sends silence,
// a held one sends silence and plays nothing.
type flow struct {
	muted, held atomic.Bool
}

// inDialog sends requests inside an established dialog, through its route
// set (sipgo's dialog sessions, inbound and outbound).
type inDialog interface {
	Do(ctx context.Context, req *sip.Request) (*sip.Response, error)
	WriteRequest(req *sip.Request) error
}

// session is an answered call's signalling and media as hold needs them;
// it belongs to the call's goroutine.
type session struct {
	sig    inDialog
	target sip.Uri             // the other party's Contact
	offer  *media.MediaSession // last SDP sent; each re-offer forks it, so its version grows
	// refer sends a REFER inside the dialog and hands the NOTIFYs' sipfrag
	// status codes to onNotify (transfer.go).
	refer func(ctx context.Context, to sip.Uri, onNotify func(code int)) error
}

func serverSession(d *diago.DialogServerSession, med *diago.DialogMedia) *session {
	s := &session{sig: d.DialogServerSession, offer: med.MediaSession()}
	if c := d.InviteRequest.Contact(); c != nil {
		s.target = *c.Address.Clone()
	}
	return s
}

func clientSession(d *diago.DialogClientSession, med *diago.DialogMedia) *session {
	s := &session{sig: d.DialogClientSession, offer: med.MediaSession()}
	if d.InviteResponse != nil {
		if c := d.InviteResponse.Contact(); c != nil {
			s.target = *c.Address.Clone()
		}
	}
	return s
}

// reinviteTimeout bounds a hold or resume exchange.
const reinviteTimeout = 10 * time.Second

// reinvite offers the call's media again in mode (sdp.ModeSendonly to hold,
// sdp.ModeSendrecv to resume) and acknowledges the answer. It goes through
// sipgo's dialog, so it follows the Record-Route set from the phone's own
// socket: diago v0.42.1's Hold sends the re-INVITE straight to the remote
// contact, bypassing a proxy.
func (s *session) reinvite(mode string, log *slog.Logger) error {
	if s.offer == nil || s.target.Host == "" {
		return fmt.Errorf("re-invite: no media or remote target")
	}
	ms := s.offer.Fork()
	if common := s.offer.CommonCodecs(); len(common) > 0 {
		ms.Codecs = append([]media.Codec(nil), common...)
	}
	ms.Mode = mode
	req := sip.NewRequest(sip.INVITE, *s.target.Clone())
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(ms.LocalSDP(false))

	ctx, cancel := context.WithTimeout(context.Background(), reinviteTimeout)
	defer cancel()
	res, err := s.sig.Do(ctx, req)
	if err != nil {
		return fmt.Errorf("re-invite: %w", err)
	}
	if !res.IsSuccess() {
		return fmt.Errorf("re-invite: %d %s", res.StatusCode, res.Reason)
	}
	ack := sip.NewRequest(sip.ACK, *s.target.Clone())
	if err := s.sig.WriteRequest(ack); err != nil {
		log.Warn("send ACK to re-INVITE", "error", err)
	}
	s.offer = ms
	return nil
}

// Hold puts the active call callID on hold: a re-INVITE offering sendonly,
// then silence out and nothing played until Resume. It returns once the
// other party accepted; if it refused, the call stays as it was.
func (p *Phone) Hold(callID string) error { return p.control(callID, cmdHold, "hold") }

// Resume takes the call callID off hold.
func (p *Phone) Resume(callID string) error { return p.control(callID, cmdResume, "resume") }

func (p *Phone) control(callID string, cmd command, what string) error {
	c, err := p.lookup(callID)
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, callID, err)
	}
	if err := c.do(cmd); err != nil {
		return fmt.Errorf("%s %s: %w", what, callID, err)
	}
	return nil
}

// Mute stops (on) or restarts (!on) sending the operator's voice on the
// active call callID; the other party hears silence meanwhile.
func (p *Phone) Mute(callID string, on bool) error {
	c, err := p.lookup(callID)
	if err != nil {
		return fmt.Errorf("mute %s: %w", callID, err)
	}
	if c.state() != sportello.CallActive {
		return fmt.Errorf("mute %s: %w", callID, sportello.ErrCallNotReady)
	}
	if c.flow.muted.Swap(on) != on {
		p.setState(c, func(s *sportello.Call) { s.Muted = on })
	}
	return nil
}

// Controls says whether the call callID is on hold and muted (as its
// snapshots on Calls do).
func (p *Phone) Controls(callID string) (CallControls, error) {
	c, err := p.lookup(callID)
	if err != nil {
		return CallControls{}, fmt.Errorf("controls %s: %w", callID, err)
	}
	return CallControls{OnHold: c.flow.held.Load(), Muted: c.flow.muted.Load()}, nil
}

// holdCommand runs Hold or Resume on the call's goroutine.
func (c *call) holdCommand(s *session, cmd command, log *slog.Logger) error {
	hold := cmd == cmdHold
	if c.flow.held.Load() == hold {
		return nil
	}
	mode := sdp.ModeSendrecv
	if hold {
		mode = sdp.ModeSendonly
	}
	if err := s.reinvite(mode, log); err != nil {
		log.Warn("hold/resume refused", "hold", hold, "error", err)
		return err
	}
	c.flow.held.Store(hold)
	log.Info("call hold changed", "on_hold", hold)
	return nil
}
