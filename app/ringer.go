package app

import (
	"fmt"
	"strings"

	"github.com/sportello/sportello"
)

// Ringer rings the ring device (softphone/audio.Ringer with the ring tone
// of assets): Ring starts ringing, ringing already does nothing; Stop
// stops it.
type Ringer interface {
	Ring()
	Stop()
}

// ringOnCall rings while an inbound call rings, including a second call
// while on a call, and stops when that call is answered, refused or
// ends, or when the caller hangs up.
func (s *operatorScreen) ringOnCall(c sportello.Call) {
	r := s.cfg.Ringer
	if r == nil {
		return
	}
	switch {
	case c.State == sportello.CallRinging && c.Direction == sportello.CallInbound:
		if s.ringing == "" {
			r.Ring()
		}
		s.ringing = c.ID
	case c.ID == s.ringing:
		s.ringing = ""
		r.Stop()
	}
}

// soundWarningText is the status bar's warning of the sound devices that
// did not open and play silence instead; "" when all opened.
func (s *operatorScreen) soundWarningText() string {
	if len(s.cfg.NoSound) == 0 {
		return ""
	}
	names := make([]string, len(s.cfg.NoSound))
	for i, n := range s.cfg.NoSound {
		names[i] = tr(n)
	}
	return " · ⚠ " + fmt.Sprintf(tr("No sound device, silent: %s"), strings.Join(names, ", "))
}
