package server

import (
	"context"
	"sync"
	"time"

	"github.com/sportello/sportello"
)

// OverdueStore moves overdue callbacks to the pool (both stores).
type OverdueStore interface {
	// PoolOverdueCallbacks gives to the pool the first limit scheduled
	// callbacks (first due first) of a user or a desk whose window ended
	// before cutoff, each with a note event on its case and its change,
	// in one transaction, and returns them as moved.
	PoolOverdueCallbacks(ctx context.Context, cutoff time.Time, note string, limit int) ([]*sportello.Callback, error)
	// SetCallbackRetry sets how many attempts a callback gets before it
	// fails; the failing attempt adds a note (sportello.FailedNote).
	SetCallbackRetry(r sportello.CallbackRetry)
}

// OverdueConfig is when syncd gives overdue callbacks to the pool.
type OverdueConfig struct {
	// PoolDelay: a callback of a user or a desk still not made this long
	// after its window ended goes to the pool (DefaultPoolDelay); a
	// negative delay turns the move off.
	PoolDelay time.Duration
	// Every is how often syncd looks (DefaultOverdueEvery).
	Every time.Duration
	// Batch is how many callbacks one transaction moves
	// (DefaultOverdueBatch): the moves of a look go in batches, each
	// pushed before the next, so that a backlog of overdue callbacks (a
	// morning's, or syncd's after a stop) does not hold the store's
	// writer, and every desktop's writes, for seconds.
	Batch int
	// Ticks, when set, replaces the ticker: each value received is one
	// look at the server's clock (tests drive it with an injected clock).
	Ticks <-chan time.Time
	// Retry is the retry policy of unanswered callbacks: attempts before
	// one fails, and the spacing of attempts (Callback.NextAttempt).
	Retry sportello.CallbackRetry
}

// Defaults of OverdueConfig.
const (
	DefaultPoolDelay    = 30 * time.Minute
	DefaultOverdueEvery = time.Minute
	DefaultOverdueBatch = 50
)

// OverdueNote is the note syncd writes on a case whose callback it gives
// to the pool (data, in the City's language), followed by the owner.
const OverdueNote = "Richiamata non fatta entro la finestra: passata al pool"

// overdueTicker runs the moves until stopped.
type overdueTicker struct {
	stop chan struct{}
	done sync.WaitGroup
	// dueSince is the last look's time: a callback whose DueAt falls
	// after it and by the next look is pushed to its owner
	// (callbackdue.go). Touched only by the ticker's goroutine.
	dueSince time.Time
}

// PoolOverdueCallbacks gives to the pool, at the server's clock, the
// callbacks PoolDelay past their window and pushes the notes to the
// desktops, in batches (OverdueConfig.Batch); it returns how many moved.
// The ticker calls it.
func (s *Server) PoolOverdueCallbacks(ctx context.Context) (int, error) {
	delay := s.Overdue.PoolDelay
	if delay < 0 {
		return 0, nil
	}
	if delay == 0 {
		delay = DefaultPoolDelay
	}
	batch := s.Overdue.Batch
	if batch <= 0 {
		batch = DefaultOverdueBatch
	}
	cutoff, total := s.Now().Add(-delay), 0
	for {
		moved, err := s.store.PoolOverdueCallbacks(ctx, cutoff, OverdueNote, batch)
		if err != nil {
			s.logger.Error("overdue callbacks", logErr, err)
			return total, err
		}
		if len(moved) == 0 {
			return total, nil
		}
		for _, cb := range moved {
			s.logger.Info("callback to the pool", logCaseID, cb.CaseID, "callback", cb.ID)
		}
		s.metrics.add(`syncd_ops_total{kind="callback_to_pool",result="created"}`, int64(len(moved)))
		s.publishNew(ctx)
		if total += len(moved); len(moved) < batch {
			return total, nil
		}
		if ctx.Err() != nil { // the look's time is up: the rest on the next
			s.logger.Info("overdue callbacks: more left for the next look", "moved", total)
			return total, nil
		}
	}
}

// startOverdue starts the ticker that moves overdue callbacks (unless
// PoolDelay is negative) and pushes those just due to their owners.
func (s *Server) startOverdue() {
	s.store.SetCallbackRetry(s.Overdue.Retry)
	ticks := s.Overdue.Ticks
	var ticker *time.Ticker
	if ticks == nil {
		every := s.Overdue.Every
		if every <= 0 {
			every = DefaultOverdueEvery
		}
		ticker = time.NewTicker(every)
		ticks = ticker.C
	}
	t := &overdueTicker{stop: make(chan struct{}), dueSince: s.Now()}
	s.overdue = t
	t.done.Add(1)
	go func() {
		defer t.done.Done()
		if ticker != nil {
			defer ticker.Stop()
		}
		for {
			select {
			case <-t.stop:
				return
			case <-ticks:
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				s.PoolOverdueCallbacks(ctx)
				t.dueSince = s.pushDueCallbacks(ctx, t.dueSince)
				cancel()
			}
		}
	}()
}

// stopOverdue stops the ticker and waits for a move under way.
func (s *Server) stopOverdue() {
	if t := s.overdue; t != nil {
		s.overdue = nil
		close(t.stop)
		t.done.Wait()
	}
}
