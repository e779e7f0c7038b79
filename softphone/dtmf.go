package softphone

import (
	"fmt"
	"strings"

	"github.com/sportello/sportello"
)

// DTMF is a key pressed by the other party of a call, received as an
// RFC 4733 telephone event (never as audio).
type DTMF = sportello.DTMF

// ErrNoDTMF is returned by SendDTMF on a call whose other party did not
// accept RFC 4733 telephone events.
var ErrNoDTMF = sportello.Errorf(sportello.ECONFLICT, "the other party does not take DTMF events")

// ErrBadKey is returned by SendDTMF for a key that is not 0-9 * # A-D.
var ErrBadKey = sportello.Errorf(sportello.EINVALID, "not a DTMF key")

// dtmfEventSamples is the length of one key sent by diago: 7 packets of
// 20 ms at 8 kHz.
const dtmfEventSamples = 7 * 160

// dtmfBuffer is the capacity of the DTMF channel.
const dtmfBuffer = 64

// DTMF delivers the keys the other party presses on any call. If nobody
// reads, the oldest are dropped. The channel is closed by Close.
func (p *Phone) DTMF() <-chan DTMF { return p.dtmfIn }

// SendDTMF sends keys (e.g. "1", "12#") on the active call callID as
// RFC 4733 telephone events, one after the other, and returns once they
// are sent (about 140 ms a key); the call's audio pauses meanwhile.
func (p *Phone) SendDTMF(callID, keys string) error {
	for _, k := range keys {
		if !strings.ContainsRune(dtmfKeys, k) {
			return fmt.Errorf("send dtmf %q: %w", keys, ErrBadKey)
		}
	}
	c, err := p.lookup(callID)
	if err != nil {
		return fmt.Errorf("send dtmf %s: %w", callID, err)
	}
	c.mu.Lock()
	state, w, rtpOut := c.snap.State, c.dtmfOut, c.rtpOut
	c.mu.Unlock()
	switch {
	case state != sportello.CallActive:
		return fmt.Errorf("send dtmf %s: %w", callID, sportello.ErrCallNotReady)
	case w == nil:
		return fmt.Errorf("send dtmf %s: %w", callID, ErrNoDTMF)
	}
	for _, k := range keys {
		if err := w.WriteDTMF(k); err != nil {
			return fmt.Errorf("send dtmf %s: %w", callID, err)
		}
		// diago v0.42.1 sends the event's packets without moving the RTP
		// clock: move it by the event's length, so that the next key is a
		// new event (a receiver tells events apart by timestamp) and the
		// audio after it is not stamped in the past.
		rtpOut.DelayTimestamp(dtmfEventSamples)
	}
	return nil
}

// publishDTMF sends a key press without ever blocking.
func (p *Phone) publishDTMF(d DTMF) {
	for range 2 {
		select {
		case p.dtmfIn <- d:
			return
		default:
		}
		select {
		case <-p.dtmfIn:
		default:
		}
	}
}
