package sportello

import (
	"context"
	"strings"
)

// EventReplied records a reply given to the citizen: the channel in
// Outcome (as a callback attempt carries its outcome there), the
// recipient in Number (an email address, a postal address or a phone
// number) and the text given in Note.
const EventReplied EventKind = "replied"

// ReplyChannel is how a reply reaches the citizen.
type ReplyChannel string

// Reply channels.
const (
	ReplyEmail  ReplyChannel = "email"
	ReplyLetter ReplyChannel = "letter"
	ReplyPhone  ReplyChannel = "phone"
)

// Valid reports whether ch is a known reply channel.
func (ch ReplyChannel) Valid() bool {
	return ch == ReplyEmail || ch == ReplyLetter || ch == ReplyPhone
}

// Languages a reply is written in.
const (
	LangItalian = "it"
	LangEnglish = "en"
)

// ReplyRequest is what a specialist sends to reply to a citizen on a case
// they hold (POST /v1/cases/{id}/replies).
type ReplyRequest struct {
	// ID (UUIDv7, made by the client) makes the reply idempotent: a
	// repeat is not sent twice.
	ID      string       `json:"id,omitempty"`
	Channel ReplyChannel `json:"channel"`
	// Text is the answer; the channel's template adds greeting,
	// reference and signature.
	Text string `json:"text"`
	// Language is LangItalian (the default) or LangEnglish.
	Language string `json:"language,omitempty"`
	// To overrides the citizen's email address (email channel).
	To string `json:"to,omitempty"`
}

// ReplyResult is a reply as recorded: the case as it now is and the
// replied event.
type ReplyResult struct {
	Case  *Case      `json:"case"`
	Event *CaseEvent `json:"event"`
	// Subject is the email's subject (email channel).
	Subject string `json:"subject,omitempty"`
}

// ReplyService sends replies to citizens (email, postal letter) and
// fetches a recorded letter as a printable PDF.
type ReplyService interface {
	Reply(ctx context.Context, caseID string, r ReplyRequest) (*ReplyResult, error)
	// LetterPDF returns the PDF of the letter recorded by the replied
	// event replyID of a case.
	LetterPDF(ctx context.Context, caseID, replyID string) ([]byte, error)
}

// CaseReference is the short reference of a case that a citizen quotes
// ("PR-" and the last eight hex digits of its id, upper case): the
// random end of a UUIDv7, so two cases rarely share one, and syncd finds
// cases by their id anyway.
func CaseReference(id string) string {
	hex := strings.ToUpper(strings.ReplaceAll(id, "-", ""))
	if len(hex) > 8 {
		hex = hex[len(hex)-8:]
	}
	return "PR-" + hex
}
