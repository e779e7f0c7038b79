package sportello_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// TestOrderCallbacks: a callback with an unanswered attempt is due again
// only Spacing after it (NextAt set), and the list orders by when each
// may be called, not by window start; done ones and fresh ones get no
// NextAt; Due and Overdue wait for the next attempt.
func TestOrderCallbacks(t *testing.T) {
	t0 := time.Date(2026, 4, 27, 7, 0, 0, 0, time.UTC)
	tried := &sportello.Callback{ID: "a", From: t0, To: t0.Add(time.Hour), State: sportello.CallbackScheduled,
		Attempts: []sportello.CallbackAttempt{{At: t0.Add(50 * time.Minute), Outcome: sportello.AttemptNoAnswer}}}
	later := &sportello.Callback{ID: "b", From: t0.Add(20 * time.Minute), To: t0.Add(2 * time.Hour), State: sportello.CallbackScheduled}
	early := &sportello.Callback{ID: "c", From: t0.Add(10 * time.Minute), To: t0.Add(2 * time.Hour), State: sportello.CallbackScheduled,
		Attempts: []sportello.CallbackAttempt{{At: t0.Add(-time.Hour), Outcome: sportello.AttemptBusy}}} // before its window: no wait
	cbs := []*sportello.Callback{tried, later, early}
	sportello.OrderCallbacks(cbs, sportello.CallbackRetry{Spacing: 30 * time.Minute})
	if got := cbs[0].ID + cbs[1].ID + cbs[2].ID; got != "cba" {
		t.Fatalf("order %s, want c (10 min), b (20 min), a (next attempt at 80 min)", got)
	}
	if !tried.NextAt.Equal(t0.Add(80*time.Minute)) || !tried.DueAt().Equal(t0.Add(80*time.Minute)) {
		t.Fatalf("next attempt %v (due at %v), want 80 minutes in", tried.NextAt, tried.DueAt())
	}
	if !later.NextAt.IsZero() || !early.NextAt.IsZero() || !early.DueAt().Equal(early.From) {
		t.Fatalf("NextAt on a fresh callback %v, on one tried before its window %v", later.NextAt, early.NextAt)
	}
	for _, tt := range []struct {
		at           time.Duration
		due, overdue bool
	}{
		{55 * time.Minute, false, false}, // in the window, but just tried
		{61 * time.Minute, false, false}, // past the window, still waiting its spacing
		{80 * time.Minute, true, true},
	} {
		now := t0.Add(tt.at)
		if tried.Due(now) != tt.due || tried.Overdue(now) != tt.overdue {
			t.Errorf("at +%v: due %v overdue %v, want %v %v", tt.at, tried.Due(now), tried.Overdue(now), tt.due, tt.overdue)
		}
	}
	// The default spacing, and a list read again gets NextAt afresh.
	tried.NextAt = time.Time{}
	sportello.OrderCallbacks(cbs, sportello.CallbackRetry{})
	if !tried.NextAt.Equal(t0.Add(50*time.Minute + sportello.DefaultRetrySpacing)) {
		t.Fatalf("default spacing: next attempt %v", tried.NextAt)
	}
}
