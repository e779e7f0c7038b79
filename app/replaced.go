package app

import "github.com/sportello/sportello"

// replacing takes a call that took the place of the call in hand (an
// attended transfer to this desktop: the colleague who consulted the
// operator handed over the citizen, RFC 3891) as the new call in hand: the
// operator now talks to the citizen, whose card is looked up. The replaced
// call, an internal consultation, ends without a wrap-up. It reports
// whether c is such a call; the caller then follows it as the call in hand.
func (s *operatorScreen) replacing(c sportello.Call) bool {
	if c.Replaces == "" || s.call == nil || s.call.ID != c.Replaces || c.State == sportello.CallEnded {
		return false
	}
	s.wrapFor = nil
	s.callNumber.SetText(displayNumber(c.Number))
	s.message.SetText(tr("Call transferred to you") + ": " + displayNumber(c.Number))
	s.card = &sportello.CallerCard{Number: c.Number}
	s.usedKB = nil
	s.tabs.Select(s.callerTab)
	if s.user == nil {
		s.citizenName.SetText(tr("Sign in to see the caller's record"))
		return true
	}
	s.citizenName.SetText(tr("Looking up the caller..."))
	s.lookup(c.Number, "call "+c.ID)
	return true
}
