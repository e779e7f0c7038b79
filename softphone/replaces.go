package softphone

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo/sip"

	"github.com/sportello/sportello"
)

// The phone as the target of an attended transfer (RFC 3891): operator A
// consulted this phone, then sent the held party a REFER whose Refer-To
// carries Replaces naming that consultation; the held party's INVITE
// arrives with a Replaces header. When it names an answered call of this
// phone (Call-ID, this phone's tag as to-tag, the other party's as
// from-tag) the phone answers the new INVITE at once, without ringing, and
// ends the replaced call with a BYE ("transferred"); when it names nothing
// the phone holds, the INVITE gets 481 Call/Transaction Does Not Exist.

// replaces is a parsed Replaces header (RFC 3891 section 6.1).
type replaces struct {
	callID, toTag, fromTag string
	earlyOnly              bool
}

// errBadReplaces: a Replaces header without a Call-ID or either tag.
var errBadReplaces = errors.New("malformed Replaces header")

// parseReplaces reads a Replaces header value:
// callid;to-tag=x;from-tag=y[;early-only].
func parseReplaces(v string) (replaces, error) {
	parts := strings.Split(v, ";")
	r := replaces{callID: strings.TrimSpace(parts[0])}
	for _, p := range parts[1:] {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "to-tag":
			r.toTag = strings.TrimSpace(value)
		case "from-tag":
			r.fromTag = strings.TrimSpace(value)
		case "early-only":
			r.earlyOnly = true
		}
	}
	if r.callID == "" || r.toTag == "" || r.fromTag == "" {
		return replaces{}, fmt.Errorf("%w: %q", errBadReplaces, v)
	}
	return r, nil
}

// serverPeer reads the dialog of an inbound call: sipgo puts the phone's
// tag on the To of the INVITE it keeps before the first response.
func serverPeer(d *diago.DialogServerSession) *dialogPeer {
	req := d.InviteRequest
	p := &dialogPeer{}
	if h := req.CallID(); h != nil {
		p.callID = h.Value()
	}
	if to := req.To(); to != nil {
		p.localTag, _ = to.Params.Get("tag")
	}
	if f := req.From(); f != nil {
		p.remoteTag, _ = f.Params.Get("tag")
		p.uri = *f.Address.Clone()
	}
	return p
}

// replacedCall finds the call an INVITE's Replaces header names; p.mu must
// be held. Without the header it returns nil and 0; with a header that
// names no answered call of this phone, nil and the status to refuse the
// INVITE with (481, or 400 for a malformed header).
func (p *Phone) replacedCall(req *sip.Request) (*call, int, string) {
	h := req.GetHeader("Replaces")
	if h == nil {
		return nil, 0, ""
	}
	r, err := parseReplaces(h.Value())
	if err != nil {
		return nil, sip.StatusBadRequest, "Bad Replaces Header"
	}
	c, ok := p.active[r.callID]
	if !ok || r.earlyOnly {
		// early-only: the transfer is only for a dialog not yet answered,
		// and the phone replaces answered calls only.
		return nil, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist"
	}
	c.mu.Lock()
	peer, state := c.peer, c.snap.State
	c.mu.Unlock()
	if peer == nil || state != sportello.CallActive || peer.localTag != r.toTag || peer.remoteTag != r.fromTag {
		return nil, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist"
	}
	return c, 0, ""
}

// takeOver answers the call c that replaces old, then hangs up old with a
// BYE: it ends "transferred". A failed answer leaves old as it was.
func (p *Phone) takeOver(c, old *call, log *slog.Logger) {
	oldID := old.snapshot().ID
	c.mu.Lock()
	c.snap.Replaces = oldID
	c.mu.Unlock()
	log.Info("attended transfer to this phone: answering the call that replaces another", "replaces", oldID)
	if err := c.do(cmdAnswer); err != nil {
		log.Warn("answer the call that replaces another", "replaces", oldID, "error", err)
		return
	}
	err := old.send(request{cmd: cmdHangup, reason: ReasonTransferred, result: make(chan error, 1)})
	if err != nil && !errors.Is(err, sportello.ErrNoSuchCall) {
		log.Warn("hang up the replaced call", "replaces", oldID, "error", err)
	}
}
