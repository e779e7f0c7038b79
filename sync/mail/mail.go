// Package mail sends syncd's messages to citizens: case replies and
// appointment confirmations. Sender is what the server needs; SMTP (smtp.go)
// is the implementation that talks to the city's relay.
package mail

import "context"

// Message is one email. Text is the plain-text body; HTML is optional.
type Message struct {
	To          []string
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
}

// Attachment is a file sent with a message, e.g. a reply letter as PDF or
// an appointment as an iCalendar (.ics) event.
type Attachment struct {
	Name        string // file name shown to the citizen
	ContentType string // e.g. "application/pdf", "text/calendar; method=REQUEST"
	Data        []byte
}

// Sender delivers messages. Send returns once the relay has accepted the
// message, or an error saying why it did not.
type Sender interface {
	Send(ctx context.Context, m Message) error
}
