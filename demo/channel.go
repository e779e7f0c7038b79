package demo

import "github.com/sportello/sportello"

// preferredChannels weighs the channels citizens ask answers by: mostly
// phone and email, some letters, a rare fax.
var preferredChannels = []sportello.ContactChannel{
	sportello.ContactPhone, sportello.ContactPhone, sportello.ContactPhone, sportello.ContactEmail, sportello.ContactEmail,
	sportello.ContactEmail, sportello.ContactLetter, sportello.ContactLetter, sportello.ContactPhone, sportello.ContactFax,
}

// PreferredChannel is the reply channel a generated escalated case's
// citizen prefers, read off its id so that it draws nothing from the
// generator's random stream (the rest of the data stays as it was).
func PreferredChannel(caseID string) sportello.ContactChannel {
	sum := 0
	for i := 0; i < len(caseID); i++ {
		sum += int(caseID[i])
	}
	return preferredChannels[sum%len(preferredChannels)]
}
