package softphone

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo/sip"

	"github.com/sportello/sportello"
)

// dialogPeer identifies an answered dialog as a REFER with Replaces needs
// it (RFC 3891): its Call-ID, the phone's tag and the other party's tag,
// and the URI the call was placed to.
type dialogPeer struct {
	callID    string
	localTag  string
	remoteTag string
	uri       sip.Uri
}

// clientPeer reads the dialog of an answered outbound call.
func clientPeer(d *diago.DialogClientSession) *dialogPeer {
	p := &dialogPeer{uri: *d.InviteRequest.Recipient.Clone()}
	if h := d.InviteRequest.CallID(); h != nil {
		p.callID = h.Value()
	}
	if f := d.InviteRequest.From(); f != nil {
		p.localTag, _ = f.Params.Get("tag")
	}
	if d.InviteResponse != nil {
		if to := d.InviteResponse.To(); to != nil {
			p.remoteTag, _ = to.Params.Get("tag")
		}
	}
	return p
}

// replacesTarget is the Refer-To of an attended transfer to the other
// party of this dialog (RFC 5589): its URI with a Replaces header naming
// the dialog from the target's side, to-tag being the target's own tag.
func (d *dialogPeer) replacesTarget() sip.Uri {
	u := *d.uri.Clone()
	u.Headers = sip.NewParams()
	u.Headers.Add("Replaces", uriEscape(d.callID+";to-tag="+d.remoteTag+";from-tag="+d.localTag))
	return u
}

// uriEscape percent-encodes everything but RFC 3261's unreserved
// characters, as a header value inside a SIP URI must be.
func uriEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9',
			strings.IndexByte("-_.!~*'()", ch) >= 0:
			b.WriteByte(ch)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[ch>>4])
			b.WriteByte(hex[ch&15])
		}
	}
	return b.String()
}

// consultation is an attended transfer under way: the held call and the
// consultation call placed for it.
type consultation struct {
	callID, consultID string
	// completing is set while CompleteTransfer runs: the consultation may
	// end (the target hanging up the replaced dialog) without the held
	// call being resumed.
	completing atomic.Bool
}

// Consult starts an attended transfer of the active call callID: it puts
// the call on hold and calls target (a number or a SIP URI, as Dial),
// returning the consultation's call id at once; the consultation's
// snapshots carry ConsultOf = callID. When the consultation ends without
// a completed transfer (the target did not answer, hung up, or the
// operator cancelled) the call is taken off hold again.
func (p *Phone) Consult(callID, target string) (string, error) {
	c, err := p.lookup(callID)
	if err != nil {
		return "", fmt.Errorf("consult for %s: %w", callID, err)
	}
	if c.state() != sportello.CallActive {
		return "", fmt.Errorf("consult for %s: %w", callID, sportello.ErrCallNotReady)
	}
	if _, _, err := p.dialTarget(target); err != nil {
		return "", fmt.Errorf("consult %q for %s: %w", target, callID, err)
	}
	p.mu.Lock()
	for _, k := range p.consults {
		if k.callID == callID {
			p.mu.Unlock()
			return "", fmt.Errorf("consult for %s: a consultation is already under way: %w", callID, sportello.ErrCallNotReady)
		}
	}
	p.mu.Unlock()
	if err := p.Hold(callID); err != nil {
		return "", fmt.Errorf("consult for %s: %w", callID, err)
	}
	consultID, err := p.dialCall(target, callID)
	if err != nil {
		if rerr := p.Resume(callID); rerr != nil {
			p.log.Warn("resume after a failed consultation", "call_id", callID, "error", rerr)
		}
		return "", fmt.Errorf("consult %q for %s: %w", target, callID, err)
	}
	k := &consultation{callID: callID, consultID: consultID}
	cc, err := p.lookup(consultID)
	if err != nil { // ended already
		_ = p.Resume(callID)
		return "", fmt.Errorf("consult %q for %s: %w", target, callID, err)
	}
	p.mu.Lock()
	p.consults[consultID] = k
	p.mu.Unlock()
	p.log.Info("attended transfer: consulting", "call_id", callID, "consult_id", consultID)
	go func() {
		<-cc.done
		p.mu.Lock()
		delete(p.consults, consultID)
		p.mu.Unlock()
		if k.completing.Load() {
			return
		}
		if err := p.Resume(callID); err != nil && !errors.Is(err, sportello.ErrNoSuchCall) {
			p.log.Warn("resume after the consultation", "call_id", callID, "error", err)
		}
	}()
	return consultID, nil
}

// consultFor returns the consultation consultID of callID.
func (p *Phone) consultFor(callID, consultID string) (*consultation, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k, ok := p.consults[consultID]
	if !ok || k.callID != callID {
		return nil, fmt.Errorf("%s is not a consultation for %s: %w", consultID, callID, sportello.ErrNoSuchCall)
	}
	return k, nil
}

// CompleteTransfer hands the held call callID to the other party of the
// answered consultation consultID: a REFER in callID's dialog whose
// Refer-To is the consultation's target with Replaces naming the
// consultation's dialog (RFC 3891, RFC 5589). When the NOTIFY sipfrag says
// the target took the call, the phone hangs up both calls, which end
// "transferred", and it returns nil. Otherwise (REFER refused, target
// failed, no answer in time) it hangs up the consultation, resumes callID
// and returns an error wrapping sportello.ErrTransferFailed.
func (p *Phone) CompleteTransfer(callID, consultID string) error {
	k, err := p.consultFor(callID, consultID)
	if err != nil {
		return fmt.Errorf("complete transfer: %w", err)
	}
	c, err := p.lookup(callID)
	if err != nil {
		return fmt.Errorf("complete transfer of %s: %w", callID, err)
	}
	cc, err := p.lookup(consultID)
	if err != nil {
		return fmt.Errorf("complete transfer of %s: consultation: %w", callID, err)
	}
	cc.mu.Lock()
	peer := cc.peer
	cc.mu.Unlock()
	if peer == nil || cc.state() != sportello.CallActive {
		return fmt.Errorf("complete transfer of %s: the consultation is not answered: %w", callID, sportello.ErrCallNotReady)
	}
	if k.completing.Swap(true) {
		return fmt.Errorf("complete transfer of %s: %w", callID, sportello.ErrCallNotReady)
	}
	to := peer.replacesTarget()
	p.log.Info("attended transfer: sending REFER with Replaces", "call_id", callID, "consult_id", consultID, "refer_to", to.String())
	err = c.send(request{cmd: cmdTransfer, target: to, result: make(chan error, 1)})
	if err == nil {
		if herr := cc.send(request{cmd: cmdHangup, reason: ReasonTransferred, result: make(chan error, 1)}); herr != nil && !errors.Is(herr, sportello.ErrNoSuchCall) {
			p.log.Warn("hang up the consultation after the transfer", "consult_id", consultID, "error", herr)
		}
		return nil
	}
	if errors.Is(err, sportello.ErrNoSuchCall) {
		err = fmt.Errorf("%w: the call ended during the transfer", sportello.ErrTransferFailed)
	}
	if herr := p.Hangup(consultID); herr != nil && !errors.Is(herr, sportello.ErrNoSuchCall) {
		p.log.Warn("hang up the consultation after a failed transfer", "consult_id", consultID, "error", herr)
	}
	if rerr := p.Resume(callID); rerr != nil && !errors.Is(rerr, sportello.ErrNoSuchCall) {
		p.log.Warn("resume after a failed transfer", "call_id", callID, "error", rerr)
	}
	return fmt.Errorf("complete transfer of %s: %w", callID, err)
}

// CancelTransfer gives up the attended transfer: it hangs up the
// consultation consultID (if still there) and takes callID off hold.
func (p *Phone) CancelTransfer(callID, consultID string) error {
	if _, err := p.consultFor(callID, consultID); err != nil {
		// The consultation may have ended already: the call is resumed
		// by then, or is resumed now.
		if _, lerr := p.lookup(callID); lerr != nil {
			return fmt.Errorf("cancel transfer: %w", lerr)
		}
	}
	if err := p.Hangup(consultID); err != nil && !errors.Is(err, sportello.ErrNoSuchCall) {
		return fmt.Errorf("cancel transfer of %s: %w", callID, err)
	}
	if err := p.Resume(callID); err != nil && !errors.Is(err, sportello.ErrNoSuchCall) {
		return fmt.Errorf("cancel transfer of %s: %w", callID, err)
	}
	return nil
}
