package sportello

import (
	"slices"
	"strings"
	"time"
)

// DueAt is when the callback may be called: its window's start, or its
// next attempt (NextAt, set on lists) when that is later.
func (cb *Callback) DueAt() time.Time {
	if cb.NextAt.After(cb.From) {
		return cb.NextAt
	}
	return cb.From
}

// OrderCallbacks sets NextAt on every scheduled callback with an
// unanswered attempt under the retry policy r, and orders the callbacks
// first due, first served: by when each may be called (DueAt), then
// window end, then id. A callback tried a minute ago waits its spacing
// behind one whose window opened later.
func OrderCallbacks(cbs []*Callback, r CallbackRetry) {
	for _, cb := range cbs {
		cb.NextAt = time.Time{}
		if cb.State == CallbackScheduled && len(cb.Attempts) > 0 {
			if next := cb.NextAttempt(r); next.After(cb.From) {
				cb.NextAt = next
			}
		}
	}
	SortCallbacksDue(cbs)
}

// SortCallbacksDue orders callbacks whose NextAt is already set (as syncd
// lists them) first due, first served: by DueAt, window end, id.
func SortCallbacksDue(cbs []*Callback) {
	slices.SortStableFunc(cbs, func(a, b *Callback) int {
		if c := a.DueAt().Compare(b.DueAt()); c != 0 {
			return c
		}
		if c := a.To.Compare(b.To); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// CallbackDueService tells the desktop, as syncd pushes it, that
// callbacks it may work have just become due (a window opened, or a next
// attempt came).
type CallbackDueService interface {
	// SubscribeCallbacksDue calls onDue each time syncd pushes callbacks
	// as due, with the first of them in the calling order and how many
	// more, until cancel.
	SubscribeCallbacksDue(onDue func(first *Callback, more int)) (cancel func())
}
