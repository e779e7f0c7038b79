package app

import (
	"context"
	"time"
)

// typeahead runs a search shortly after the last key and shows only the
// newest answer: fast typing costs one search, and a slow answer to an
// older query never replaces a newer one. The knowledge base and the
// directory share it.
type typeahead[T any] struct {
	ctx    context.Context
	delay  time.Duration
	search func(ctx context.Context, typed string) (T, error) // off Fyne's goroutine
	show   func(result T, err error)                          // on Fyne's goroutine

	seq   int // the newest search; touched on Fyne's goroutine only
	timer *time.Timer
}

// schedule searches for typed after the delay, dropping any search not yet answered.
func (ta *typeahead[T]) schedule(typed string) {
	if ta.timer != nil {
		ta.timer.Stop()
	}
	ta.seq++
	seq := ta.seq
	ta.timer = time.AfterFunc(ta.delay, func() {
		ctx, cancel := context.WithTimeout(ta.ctx, 5*time.Second)
		defer cancel()
		result, err := ta.search(ctx, typed)
		do(func() {
			if seq == ta.seq { // else the operator typed on
				ta.show(result, err)
			}
		})
	})
}
