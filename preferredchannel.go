package sportello

// ContactChannel is how the citizen prefers to get the answer of a case
// escalated to a desk (issue 5): the specialist's reply defaults to it.
type ContactChannel string

// The preferred reply channels; phone, email and letter match the reply
// channels (ReplyChannel) of the same name.
const (
	ContactPhone  ContactChannel = "phone"
	ContactEmail  ContactChannel = "email"
	ContactLetter ContactChannel = "letter" // posta
	ContactFax    ContactChannel = "fax"
)

// ContactChannels are the preferred reply channels, in the order the
// wrap-up form offers them.
var ContactChannels = []ContactChannel{ContactPhone, ContactEmail, ContactLetter, ContactFax}

// Valid reports whether ch is one of ContactChannels.
func (ch ContactChannel) Valid() bool {
	for _, c := range ContactChannels {
		if c == ch {
			return true
		}
	}
	return false
}

// validateReplyChannel checks a wrap-up's preferred reply channel: only
// an escalation carries one, and it is one of ContactChannels.
func (w *WrapUp) validateReplyChannel() error {
	switch {
	case w.ReplyChannel == "":
		return nil
	case !w.ReplyChannel.Valid():
		return Errorf(EINVALID, "the preferred reply channel is phone, email, letter or fax")
	case w.Outcome != OutcomeEscalated:
		return Errorf(EINVALID, "only an escalated call has a preferred reply channel")
	}
	return nil
}

// PreferredChannel is the reply channel the citizen asked for when the
// case was last escalated at a wrap-up; empty when none was given.
func (c *Case) PreferredChannel() ContactChannel {
	for i := len(c.Events) - 1; i >= 0; i-- {
		e := c.Events[i]
		if e.Kind == EventWrapUp && e.Outcome == OutcomeEscalated {
			return e.Channel
		}
	}
	return ""
}
