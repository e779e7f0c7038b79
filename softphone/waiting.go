package softphone

import (
	"errors"
	"fmt"

	"github.com/sportello/sportello"
)

// Reject declines the ringing call callID with 603 Decline: the operator's
// explicit "no" to a waiting (or any ringing) call, where Hangup of a
// ringing call answers 486 Busy Here. The call ends with ReasonRejected;
// a call that is not ringing (answered, or dialled by the operator) gives
// sportello.ErrCallNotReady.
func (p *Phone) Reject(callID string) error {
	c, err := p.lookup(callID)
	if err != nil {
		return fmt.Errorf("reject %s: %w", callID, err)
	}
	if snap := c.snapshot(); snap.State != sportello.CallRinging || snap.Direction != sportello.CallInbound {
		return fmt.Errorf("reject %s: %w", callID, sportello.ErrCallNotReady)
	}
	if err := c.do(cmdReject); err != nil {
		return fmt.Errorf("reject %s: %w", callID, err)
	}
	return nil
}

// holdOthers puts on hold every call in conversation but callID, before
// the operator takes callID (call waiting). A call that refuses the hold
// stays as it was: the new call is answered all the same.
func (p *Phone) holdOthers(callID string) {
	p.mu.Lock()
	var others []*call
	for id, c := range p.active {
		if id != callID {
			others = append(others, c)
		}
	}
	p.mu.Unlock()
	for _, c := range others {
		snap := c.snapshot()
		if snap.State != sportello.CallActive || snap.OnHold {
			continue
		}
		if err := c.do(cmdHold); err != nil && !errors.Is(err, sportello.ErrNoSuchCall) {
			p.log.Warn("hold the call in conversation for the waiting one", "call_id", snap.ID, "error", err)
		}
	}
}
