package softphone

import (
	"errors"

	"github.com/sportello/sportello"
)

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
