package check

import (
	"strings"
	"unicode"

	"github.com/sportello/sportello"
)

// ReplyEvent checks a reply to a citizen (a replied event), or a
// callback_scheduled event with the callback cb it promises, before a
// store records it on case caseID, and returns it normalized: op id in
// lower case, text trimmed. A reply's Category is its language (it, en).
// The store sets the author and the time.
func ReplyEvent(actor *sportello.User, caseID string, e sportello.CaseEvent, cb *sportello.Callback) (sportello.CaseEvent, error) {
	if actor == nil {
		return e, sportello.Errorf(sportello.EUNAUTHORIZED, "sign in to reply to a citizen")
	}
	out := sportello.CaseEvent{CaseID: caseID, Kind: e.Kind, Outcome: e.Outcome, Number: strings.TrimSpace(e.Number), Note: strings.TrimSpace(e.Note), Category: e.Category}
	if caseID == "" || len(caseID) > MaxRefLen || strings.IndexFunc(caseID, unicode.IsControl) >= 0 {
		return out, sportello.Errorf(sportello.EINVALID, "name the case: a case id has at most %d characters", MaxRefLen)
	}
	switch {
	case e.Kind == sportello.EventReplied && cb != nil:
		return out, sportello.Errorf(sportello.EINVALID, "a reply schedules no callback")
	case e.Kind == sportello.EventCallbackScheduled && cb == nil:
		return out, sportello.Errorf(sportello.EINVALID, "a scheduled callback needs its window and number")
	case e.Kind != sportello.EventReplied && e.Kind != sportello.EventCallbackScheduled:
		return out, sportello.Errorf(sportello.EINVALID, "kind %q is not a reply", Clip(string(e.Kind), 40))
	case len(out.Note) > sportello.MaxNoteLen:
		return out, sportello.Errorf(sportello.EINVALID, "the reply is longer than %d characters", sportello.MaxNoteLen)
	case e.Kind == sportello.EventReplied && out.Category != "" && out.Category != sportello.LangItalian && out.Category != sportello.LangEnglish:
		return out, sportello.Errorf(sportello.EINVALID, "a reply is written in it or en, not %q", Clip(out.Category, 10))
	case e.Kind == sportello.EventCallbackScheduled && out.Category != "":
		return out, sportello.Errorf(sportello.EINVALID, "a callback has no language")
	case len(out.Number) > MaxRefLen*4 || strings.IndexFunc(out.Number, unicode.IsControl) >= 0:
		return out, sportello.Errorf(sportello.EINVALID, "the recipient is not an address")
	case strings.ContainsFunc(out.Note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
		return out, sportello.Errorf(sportello.EINVALID, "the reply holds a control character")
	}
	if cb != nil {
		if err := sportello.ValidateWindow(cb.From, cb.To); err != nil {
			return out, err
		}
		if cb.Number == "" || cb.Owner == "" {
			return out, sportello.Errorf(sportello.EINVALID, "a callback needs a number and an owner")
		}
	}
	if e.ID != "" {
		id, err := OpID(e.ID)
		if err != nil {
			return out, err
		}
		out.ID = id
	}
	return out, nil
}

// ReplyCallback is the callback cb as stored with its callback_scheduled
// event e (stamped) on case c: the event's id is the callback's.
func ReplyCallback(cb *sportello.Callback, c *sportello.Case, e *sportello.CaseEvent) *sportello.Callback {
	out := *cb
	out.ID, out.CaseID, out.CitizenID = e.ID, c.ID, c.CitizenID
	out.From, out.To = cb.From.UTC(), cb.To.UTC()
	out.State, out.Attempts = sportello.CallbackScheduled, nil
	out.CreatedAt, out.UpdatedAt = e.At, e.At
	return &out
}

// EventByID returns the event of c with id, or nil.
func EventByID(c *sportello.Case, id string) *sportello.CaseEvent {
	for _, e := range c.Events {
		if e.ID == id {
			return e
		}
	}
	return nil
}
