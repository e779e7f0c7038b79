// Package check holds what syncd verifies and normalizes in a client's
// request before a store records it, so that sync/sqlite and
// sync/postgres accept and refuse exactly the same things, in the same words.
package check

import (
	"crypto/sha256"
	"encoding/json"
	"github.com/sportello/sportello/sync/password"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/sportello/sportello"
)

// Bounds of a wrap-up's short text fields (the note has sportello.MaxNoteLen).
const (
	MaxCallIDLen   = 256 // SIP Call-IDs are long but not unbounded
	MaxCategoryLen = 100
	MaxRefLen      = 64 // citizen and case ids
)

// MaxReasonLen bounds the reason given for reading a citizen's record.
const MaxReasonLen = 200

// MaxCardCases bounds the cases a caller card carries, newest first.
const MaxCardCases = 20

// MaxSubjectLen bounds a case subject taken from a wrap-up note.
const MaxSubjectLen = 120

// OpWrapUp is the kind of op a wrap-up is recorded as in a store's ops table.
const OpWrapUp = "wrap_up"

// Reason returns the trimmed reason for reading a citizen's record, or
// EINVALID when it is missing or too long.
func Reason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", sportello.Errorf(sportello.EINVALID, "give a reason to read a citizen's record (a call id or a case id)")
	} else if len(reason) > MaxReasonLen {
		return "", sportello.Errorf(sportello.EINVALID, "the reason is longer than %d characters", MaxReasonLen)
	} else if !utf8.ValidString(reason) || strings.IndexFunc(reason, unicode.IsControl) >= 0 {
		return "", sportello.Errorf(sportello.EINVALID, "the reason holds a control character or is not UTF-8 text")
	}
	return reason, nil
}

// NewPassword refuses a password too short to give a new user: both
// stores ask the same (the demo users' short password only comes by Seed).
func NewPassword(pw string) error {
	if len(pw) < password.MinLen {
		return sportello.Errorf(sportello.EINVALID, "the password needs at least %d characters", password.MinLen)
	}
	return nil
}

// User refuses a user that cannot be stored.
func User(u *sportello.User) error {
	switch {
	case u.Username == "":
		return sportello.Errorf(sportello.EINVALID, "a user needs a username")
	case len(u.Username) > 64 || strings.IndexFunc(u.Username, unicode.IsSpace) >= 0:
		return sportello.Errorf(sportello.EINVALID, "a username has at most 64 characters and no spaces")
	case !Storable(u.Username) || !Storable(u.Name) || strings.IndexFunc(u.Username+u.Name, unicode.IsControl) >= 0:
		return sportello.Errorf(sportello.EINVALID, "a username and a name are UTF-8 text without control characters")
	case strings.TrimSpace(u.Name) == "":
		return sportello.Errorf(sportello.EINVALID, "a user needs a name")
	case !u.Role.Valid():
		return sportello.Errorf(sportello.EINVALID, "unknown role %q: use operator, specialist, supervisor or admin", u.Role)
	}
	return nil
}

// WrapUp checks a wrap-up sent by actor and returns it normalized (number
// in E.164, op id in lower case) with its digest, which identifies its
// content for idempotent repeats.
func WrapUp(actor *sportello.User, w sportello.WrapUp) (sportello.WrapUp, []byte, error) {
	if actor == nil {
		return w, nil, sportello.Errorf(sportello.EUNAUTHORIZED, "sign in to record a wrap-up")
	}
	if err := w.Validate(); err != nil {
		return w, nil, err
	}
	if err := WrapUpText(w); err != nil {
		return w, nil, err
	}
	if w.CallerNumber != "" {
		n, err := Number(w.CallerNumber)
		if err != nil {
			return w, nil, err
		}
		w.CallerNumber = n
	}
	if w.ID != "" {
		id, err := OpID(w.ID)
		if err != nil {
			return w, nil, err
		}
		w.ID = id
	}
	return w, WrapUpDigest(actor, w), nil
}

// NewCaseID checks the id a desktop gave a case it opened offline.
func NewCaseID(id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return sportello.Errorf(sportello.EINVALID, "new case id %q is not a UUID", id)
	}
	return nil
}

// OpID checks that a client-made op id is a UUID in its canonical
// 36-character form and returns it in lower case, so that one id is one op
// however its hex digits are cased.
func OpID(id string) (string, error) {
	u, err := uuid.Parse(id)
	if err != nil || len(id) != 36 {
		return "", sportello.Errorf(sportello.EINVALID, "the id %q is not a UUID such as 01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a21", Clip(id, 40))
	}
	return u.String(), nil
}

// WrapUpDigest identifies a wrap-up's content: its author and its fields as
// normalized (number in E.164, times in UTC). Two sends of one queued
// wrap-up give the same digest; a different wrap-up under the same id does not.
func WrapUpDigest(actor *sportello.User, w sportello.WrapUp) []byte {
	w.AnsweredAt, w.EndedAt = w.AnsweredAt.UTC(), w.EndedAt.UTC()
	w.CallbackFrom, w.CallbackTo = w.CallbackFrom.UTC(), w.CallbackTo.UTC()
	b, err := json.Marshal(struct {
		Author string           `json:"author"`
		WrapUp sportello.WrapUp `json:"wrap_up"`
	}{actor.ID, w})
	if err != nil {
		panic("check: marshal wrap-up: " + err.Error()) // plain strings and times: cannot fail
	}
	sum := sha256.Sum256(b)
	return sum[:]
}

// ReusedOpID is the error for an op id already used by another op.
func ReusedOpID(id, kind string) error {
	return sportello.Errorf(sportello.ECONFLICT, "the id %s was already used for another %s: make a new id for a new one", id, strings.ReplaceAll(kind, "_", "-"))
}

// WrapUpText refuses short fields that are too long or hold control
// characters, so that whatever is stored is text a person can read back;
// SQL metacharacters are ordinary text (every query binds its values).
func WrapUpText(w sportello.WrapUp) error {
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"call_id", w.CallID, MaxCallIDLen},
		{"category", w.Category, MaxCategoryLen},
		{"citizen_id", w.CitizenID, MaxRefLen},
		{"case_id", w.CaseID, MaxRefLen},
		{"desk_id", w.DeskID, MaxRefLen},
		{"caller_number", w.CallerNumber, MaxCallIDLen},
	} {
		if len(f.value) > f.max {
			return sportello.Errorf(sportello.EINVALID, "%s is longer than %d bytes", f.name, f.max)
		}
		if strings.IndexFunc(f.value, unicode.IsControl) >= 0 {
			return sportello.Errorf(sportello.EINVALID, "%s holds a control character", f.name)
		}
		if !utf8.ValidString(f.value) {
			return sportello.Errorf(sportello.EINVALID, "%s is not UTF-8 text", f.name)
		}
	}
	if strings.ContainsFunc(w.Note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) {
		return sportello.Errorf(sportello.EINVALID, "the note holds a control character")
	}
	if !utf8.ValidString(w.Note) {
		return sportello.Errorf(sportello.EINVALID, "the note is not UTF-8 text")
	}
	return nil
}

// Storable reports whether every store can keep s as text: valid UTF-8
// without NUL (PostgreSQL refuses both). A store answers a lookup by a key
// that is not storable as it answers one that matches nothing.
func Storable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// Subject is what a case opened at wrap-up is called: the note's first
// line, or the category when there is no note.
func Subject(w sportello.WrapUp) string {
	s, _, _ := strings.Cut(strings.TrimSpace(w.Note), "\n")
	if s == "" {
		s = w.Category
	}
	if utf8.RuneCountInString(s) > MaxSubjectLen {
		s = string([]rune(s)[:MaxSubjectLen-1]) + "…"
	}
	return s
}

// WrapUpEvents returns the events a wrap-up adds to a case (opened first
// when it opens one), not yet stamped with ids, case, time or author.
func WrapUpEvents(w sportello.WrapUp, opens bool) []*sportello.CaseEvent {
	var events []*sportello.CaseEvent
	if opens {
		events = append(events, &sportello.CaseEvent{Kind: sportello.EventOpened, Category: w.Category, Note: Subject(w)})
	}
	events = append(events,
		&sportello.CaseEvent{Kind: sportello.EventCall, CallID: w.CallID, Number: w.CallerNumber},
		&sportello.CaseEvent{Kind: sportello.EventWrapUp, CallID: w.CallID, Outcome: w.Outcome, DeskID: w.DeskID, Category: w.Category, Note: w.Note, Channel: w.ReplyChannel},
	)
	if w.Outcome == sportello.OutcomeCallbackScheduled {
		events = append(events, &sportello.CaseEvent{Kind: sportello.EventCallbackScheduled, CallID: w.CallID, Number: w.CallerNumber, Note: CallbackNote(w)})
	}
	return events
}

// CallbackNote is the history line of a scheduled callback: its window
// (UTC) and the reason, the wrap-up note's first line.
func CallbackNote(w sportello.WrapUp) string {
	return w.CallbackFrom.UTC().Format(time.RFC3339) + " – " + w.CallbackTo.UTC().Format(time.RFC3339) + ": " + Subject(w)
}

// WrapUpCallback is the callback a wrap-up with OutcomeCallbackScheduled
// creates, from its callback_scheduled event e (stamped) on case c; nil
// for any other wrap-up or event.
func WrapUpCallback(actor *sportello.User, w sportello.WrapUp, c *sportello.Case, e *sportello.CaseEvent) *sportello.Callback {
	if w.Outcome != sportello.OutcomeCallbackScheduled || e.Kind != sportello.EventCallbackScheduled {
		return nil
	}
	owner := actor.ID
	if w.CallbackOwner == sportello.OwnerPool {
		owner = sportello.OwnerPool
	}
	return &sportello.Callback{
		ID: e.ID, CaseID: c.ID, CitizenID: c.CitizenID, Number: w.CallerNumber, Reason: Subject(w),
		From: w.CallbackFrom.UTC(), To: w.CallbackTo.UTC(), Owner: owner, State: sportello.CallbackScheduled,
		CreatedAt: e.At, UpdatedAt: e.At,
	}
}

// Clip shortens s to n bytes at a rune boundary, for quoting in a message.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
