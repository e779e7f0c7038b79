package sportello

import (
	"context"
	"slices"
	"time"
)

// Events of a case's history that record callbacks (richiamate). The
// scheduling event's id is the callback's id; an attempt event names its
// callback in CallID and carries the attempt's outcome in Outcome.
const (
	EventCallbackScheduled EventKind = "callback_scheduled"
	EventCallbackAttempt   EventKind = "callback_attempt"
)

// CallbackState is where a callback stands.
type CallbackState string

// Callback states: scheduled until the citizen is reached (done) or the
// attempts run out (failed).
const (
	CallbackScheduled CallbackState = "scheduled"
	CallbackDone      CallbackState = "done"
	CallbackFailed    CallbackState = "failed"
)

// AttemptOutcome is what happened when the citizen was called back.
type AttemptOutcome string

// Attempt outcomes.
const (
	AttemptResolved AttemptOutcome = "answered_resolved"
	AttemptNoAnswer AttemptOutcome = "no_answer"
	AttemptBusy     AttemptOutcome = "busy"
)

// AttemptOutcomes lists the outcomes in the order the desktop offers them.
var AttemptOutcomes = []AttemptOutcome{AttemptResolved, AttemptNoAnswer, AttemptBusy}

// Valid reports whether o is a known attempt outcome.
func (o AttemptOutcome) Valid() bool { return slices.Contains(AttemptOutcomes, o) }

// Callback owners other than a user id: the pool is every operator's, and
// a desk's callback is its members'.
const (
	OwnerPool = "pool"
	// OwnerSelf is what a wrap-up asks for: the author's own callback.
	OwnerSelf = "self"
	// OwnerDeskPrefix marks a desk's callback: "desk:<desk id>".
	OwnerDeskPrefix = "desk:"
)

// MaxCallbackAttempts is how many unanswered attempts a callback gets
// before it fails.
const MaxCallbackAttempts = 3

// MaxCallbackWindow bounds a callback's window.
const MaxCallbackWindow = 7 * 24 * time.Hour

// CallbackAttempt is one call made to honour a callback.
type CallbackAttempt struct {
	// ID is the op id the desktop gives the attempt (a UUID): a resend
	// with the same id is recorded once (callbackdue.go).
	ID       string         `json:"id,omitempty"`
	At       time.Time      `json:"at"` // UTC
	Outcome  AttemptOutcome `json:"outcome"`
	AuthorID string         `json:"author_id,omitempty"`
	CallID   string         `json:"call_id,omitempty"`
}

// Callback is a promise to call a citizen back within a window.
type Callback struct {
	ID        string `json:"id"` // UUIDv7: the id of its callback_scheduled event
	CaseID    string `json:"case_id"`
	CitizenID string `json:"citizen_id,omitempty"`
	Number    string `json:"number"` // E.164
	Reason    string `json:"reason,omitempty"`
	// From and To bound when the citizen expects the call (UTC).
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Owner is a user id, OwnerPool, or OwnerDeskPrefix + a desk id.
	Owner     string            `json:"owner"`
	State     CallbackState     `json:"state"`
	Attempts  []CallbackAttempt `json:"attempts,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
	// CitizenName is filled in on lists, for the desktop.
	CitizenName string `json:"citizen_name,omitempty"`
	// NextAt, filled in on lists, is when an attempted callback may be
	// tried again (NextAttempt under syncd's retry policy): it is not
	// due before then (callbackdue.go).
	NextAt time.Time `json:"next_attempt,omitzero"`
}

// ValidateWindow checks a callback window.
func ValidateWindow(from, to time.Time) error {
	switch {
	case from.IsZero() || to.IsZero():
		return Errorf(EINVALID, "a callback needs a time window")
	case !to.After(from):
		return Errorf(EINVALID, "the callback window ends before it starts")
	case to.Sub(from) > MaxCallbackWindow:
		return Errorf(EINVALID, "the callback window is longer than %s", MaxCallbackWindow)
	}
	return nil
}

// Overdue reports whether the window has passed and the callback is still
// due, its next attempt (NextAt) included.
func (cb *Callback) Overdue(now time.Time) bool {
	return cb.State == CallbackScheduled && now.After(cb.To) && !now.Before(cb.NextAt)
}

// Due reports whether the window has started and the callback is still due.
func (cb *Callback) Due(now time.Time) bool {
	return cb.State == CallbackScheduled && !now.Before(cb.DueAt())
}

// OwnedBy reports whether a user with the given id and desks may work the
// callback: their own, the pool's, or one of their desks'.
func (cb *Callback) OwnedBy(userID string, desks []string) bool {
	if cb.Owner == userID || cb.Owner == OwnerPool {
		return true
	}
	for _, d := range desks {
		if cb.Owner == OwnerDeskPrefix+d {
			return true
		}
	}
	return false
}

// Attempt records one call: answered and resolved makes the callback
// done; no answer or busy keeps it scheduled until MaxCallbackAttempts
// unanswered attempts, then it fails. A callback no longer scheduled is
// ECONFLICT.
func (cb *Callback) Attempt(a CallbackAttempt) error {
	return cb.AttemptUnder(a, CallbackRetry{}) // callbackretry.go
}

// CallbackService lists the callbacks the signed-in user may work and
// records the outcome of calling a citizen back.
type CallbackService interface {
	// Callbacks returns the scheduled callbacks of the user (their own,
	// the pool's, their desks'; every one for a supervisor), first due
	// first served.
	Callbacks(ctx context.Context) ([]*Callback, error)
	// RecordAttempt records one call made to honour a callback and
	// returns the callback as it now is.
	RecordAttempt(ctx context.Context, id string, a CallbackAttempt) (*Callback, error)
}
