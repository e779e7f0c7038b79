package sportello

import "time"

// CallbackRetry is the retry policy of callbacks nobody answers: how many
// attempts a callback gets before it fails, and how long after an
// unanswered attempt the next one is due. Zero fields take the defaults.
type CallbackRetry struct {
	Attempts int           `json:"attempts,omitempty"` // MaxCallbackAttempts
	Spacing  time.Duration `json:"spacing,omitempty"`  // DefaultRetrySpacing
}

// DefaultRetrySpacing is the least time between two attempts of a callback.
const DefaultRetrySpacing = 15 * time.Minute

// WithDefaults fills the zero fields of r.
func (r CallbackRetry) WithDefaults() CallbackRetry {
	if r.Attempts <= 0 {
		r.Attempts = MaxCallbackAttempts
	}
	if r.Spacing <= 0 {
		r.Spacing = DefaultRetrySpacing
	}
	return r
}

// AttemptUnder records one call under the policy r: answered and resolved
// makes the callback done; no answer or busy keeps it scheduled until
// r.Attempts attempts, then it fails. A callback no longer scheduled is
// ECONFLICT.
func (cb *Callback) AttemptUnder(a CallbackAttempt, r CallbackRetry) error {
	r = r.WithDefaults()
	if !a.Outcome.Valid() {
		return Errorf(EINVALID, "unknown attempt outcome %q: use answered_resolved, no_answer or busy", a.Outcome)
	}
	if cb.State != CallbackScheduled {
		return Errorf(ECONFLICT, "the callback is %s already", cb.State)
	}
	cb.Attempts = append(cb.Attempts, a)
	switch {
	case a.Outcome == AttemptResolved:
		cb.State = CallbackDone
	case len(cb.Attempts) >= r.Attempts:
		cb.State = CallbackFailed
	}
	cb.UpdatedAt = a.At
	return nil
}

// NextAttempt is when a scheduled callback is due to be tried: its
// window's start, or Spacing after its last unanswered attempt if later.
func (cb *Callback) NextAttempt(r CallbackRetry) time.Time {
	r = r.WithDefaults()
	next := cb.From
	if n := len(cb.Attempts); n > 0 {
		if at := cb.Attempts[n-1].At.Add(r.Spacing); at.After(next) {
			next = at
		}
	}
	return next
}

// FailedNote is the note syncd writes on a case when its callback fails
// (data, in the City's language): the number of attempts follows.
const FailedNote = "Richiamata fallita: nessuna risposta dopo i tentativi previsti"
