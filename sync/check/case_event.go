package check

import (
	"crypto/sha256"
	"encoding/json"
	"strings"
	"unicode"

	"github.com/sportello/sportello"
)

// OpCaseEvent is the kind of op an action on a case (POST
// /v1/cases/{id}/events) is recorded as in a store's ops table.
const OpCaseEvent = "case_event"

// CaseEventKinds are the events a user may add to a case by hand: the
// others (opened, call, wrap-up, reopened) come with a call's wrap-up.
var CaseEventKinds = []sportello.EventKind{
	sportello.EventClaimed, sportello.EventReleased, sportello.EventNote,
	sportello.EventAnswerReady, sportello.EventResolved, sportello.EventEscalated,
	sportello.EventAssigned,
}

// CaseEvent checks an action on case caseID sent by actor and returns the
// event normalized (op id in lower case, note trimmed) with its digest,
// which identifies its content for idempotent repeats. Only Kind, Note,
// DeskID and ID (the client's op id, optional) are taken from e: the store
// sets the author and the time.
func CaseEvent(actor *sportello.User, caseID string, e sportello.CaseEvent) (sportello.CaseEvent, []byte, error) {
	if actor == nil {
		return e, nil, sportello.Errorf(sportello.EUNAUTHORIZED, "sign in to work on a case")
	}
	out := sportello.CaseEvent{CaseID: caseID, Kind: e.Kind, Note: strings.TrimSpace(e.Note), DeskID: e.DeskID,
		AssigneeID: e.AssigneeID, Assignee: e.Assignee}
	if caseID == "" || len(caseID) > MaxRefLen || strings.IndexFunc(caseID, unicode.IsControl) >= 0 {
		return out, nil, sportello.Errorf(sportello.EINVALID, "name the case: a case id has at most %d characters", MaxRefLen)
	}
	known := false
	for _, k := range CaseEventKinds {
		known = known || k == e.Kind
	}
	if !known {
		return out, nil, sportello.Errorf(sportello.EINVALID, "kind %q is not an action on a case: use claimed, released, note, answer_ready, resolved, escalated or assigned", Clip(string(e.Kind), 40))
	}
	if len(out.DeskID) > MaxRefLen || strings.IndexFunc(out.DeskID, unicode.IsControl) >= 0 {
		return out, nil, sportello.Errorf(sportello.EINVALID, "desk_id is not a desk id")
	}
	switch {
	case e.Kind == sportello.EventEscalated && out.DeskID == "":
		return out, nil, sportello.Errorf(sportello.EINVALID, "choose the desk to escalate to")
	case e.Kind != sportello.EventEscalated && out.DeskID != "":
		return out, nil, sportello.Errorf(sportello.EINVALID, "only an escalation names a desk")
	case e.Kind == sportello.EventAssigned && out.AssigneeID == "":
		return out, nil, sportello.Errorf(sportello.EINVALID, "choose the specialist to assign the case to")
	case e.Kind != sportello.EventAssigned && (out.AssigneeID != "" || out.Assignee != ""):
		return out, nil, sportello.Errorf(sportello.EINVALID, "only an assignment names a specialist")
	case len(out.AssigneeID) > MaxRefLen:
		return out, nil, sportello.Errorf(sportello.EINVALID, "assignee_id is not a user id")
	case e.Kind == sportello.EventNote && out.Note == "":
		return out, nil, sportello.Errorf(sportello.EINVALID, "write the note first")
	case len(out.Note) > sportello.MaxNoteLen:
		return out, nil, sportello.Errorf(sportello.EINVALID, "the note is longer than %d characters", sportello.MaxNoteLen)
	case strings.ContainsFunc(out.Note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
		return out, nil, sportello.Errorf(sportello.EINVALID, "the note holds a control character")
	}
	if e.ID != "" {
		id, err := OpID(e.ID)
		if err != nil {
			return out, nil, err
		}
		out.ID = id
	}
	return out, caseEventDigest(actor, out), nil
}

// caseEventDigest identifies an action's content: its author, case, kind,
// note and desk.
func caseEventDigest(actor *sportello.User, e sportello.CaseEvent) []byte {
	b, err := json.Marshal(struct {
		Author string              `json:"author"`
		CaseID string              `json:"case_id"`
		Kind   sportello.EventKind `json:"kind"`
		Note   string              `json:"note"`
		DeskID string              `json:"desk_id"`
		// Assignee is in the digest only when set, so that the digests
		// of every other action stay as they were.
		Assignee string `json:"assignee_id,omitempty"`
	}{actor.ID, e.CaseID, e.Kind, e.Note, e.DeskID, e.AssigneeID})
	if err != nil {
		panic("check: marshal case event: " + err.Error()) // plain strings: cannot fail
	}
	sum := sha256.Sum256(b)
	return sum[:]
}
