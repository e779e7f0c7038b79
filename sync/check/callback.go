package check

import (
	"strings"
	"unicode"

	"github.com/sportello/sportello"
)

// CallbackAttempt checks an attempt on callback id sent by actor and
// returns it with only the fields a client may set (op id, outcome, call id):
// the store sets the time and the author.
func CallbackAttempt(actor *sportello.User, id string, a sportello.CallbackAttempt) (sportello.CallbackAttempt, error) {
	if actor == nil {
		return a, sportello.Errorf(sportello.EUNAUTHORIZED, "sign in to call a citizen back")
	}
	out := sportello.CallbackAttempt{Outcome: a.Outcome, CallID: strings.TrimSpace(a.CallID)}
	if a.ID != "" {
		id, err := OpID(a.ID)
		if err != nil {
			return out, err
		}
		out.ID = id
	}
	if id == "" || len(id) > MaxRefLen || strings.IndexFunc(id, unicode.IsControl) >= 0 {
		return out, sportello.Errorf(sportello.EINVALID, "name the callback: a callback id has at most %d characters", MaxRefLen)
	}
	if !a.Outcome.Valid() {
		return out, sportello.Errorf(sportello.EINVALID, "unknown attempt outcome %q: use answered_resolved, no_answer or busy", Clip(string(a.Outcome), 40))
	}
	if len(out.CallID) > MaxRefLen || strings.IndexFunc(out.CallID, unicode.IsControl) >= 0 {
		return out, sportello.Errorf(sportello.EINVALID, "call_id is not a call id")
	}
	return out, nil
}

// CallbackAttemptEvent is the case event of an attempt a on cb (already
// applied): CallID names the callback, Outcome the attempt's outcome,
// Note the callback's state after it. Not yet stamped with id and time.
func CallbackAttemptEvent(actor *sportello.User, cb *sportello.Callback, a sportello.CallbackAttempt) *sportello.CaseEvent {
	return &sportello.CaseEvent{
		CaseID: cb.CaseID, Kind: sportello.EventCallbackAttempt, CallID: cb.ID, Number: cb.Number,
		Outcome: sportello.Outcome(a.Outcome), Note: string(cb.State),
		AuthorID: actor.ID, Author: actor.Name, AuthorRole: actor.Role,
	}
}
