// Package groupcommit runs the writes of concurrent callers several per
// transaction (issue 4's group commit): the items queued while one batch
// commits form the next batch, so a store pays one commit (one WAL sync on
// SQLite, one turn of the writers' lock on PostgreSQL) for many writers
// and adds no waiting when a writer is alone.
package groupcommit

import (
	"context"
	"slices"
	"sync"
)

// DefaultMaxItems bounds the items of one batch. A change's time is
// taken when its item runs, and nobody sees it before the whole batch
// commits: a batch of n items of ~1 ms each (a SQLite wrap-up under
// issue 4's load) holds its first change back ~n ms. At 1,000 ops/s asked
// on 2 cores, batches capped at 256 grew to ~110 items (100-140 ms) and
// the push p99 was 206-307 ms; capped at 32 (~35 ms) it was 98.5 ms with
// as many ops done, the fan-out bursts smaller and the screen pop's
// audit row (DoFirst) waiting for a shorter batch. One commit (a WAL
// sync) per 32 items still costs little: the ops' own work dominates.
const DefaultMaxItems = 32

// Committer runs batches of items through one function, one batch at a
// time. No goroutine runs while nothing is queued: the caller that finds
// the committer idle commits its own batch and whatever queued meanwhile,
// and hands the rest on when its own items are done.
type Committer[I, R any] struct {
	run      func(ctx context.Context, items []I) ([]R, func() []R)
	maxItems int

	mu      sync.Mutex
	queue   []*request[I, R]
	running bool
}

// request is one caller's items and, once committed, their results.
type request[I, R any] struct {
	ctx     context.Context
	items   []I
	first   bool // see DoFirst
	results []R
	done    chan struct{}
}

// New returns a committer calling run with up to maxItems items at a time
// (DefaultMaxItems when maxItems is 0 or less; a single caller's items are
// never split). run must return one result per item, in order, and must
// commit before it returns.
func New[I, R any](maxItems int, run func(ctx context.Context, items []I) []R) *Committer[I, R] {
	return NewPipelined(maxItems, func(ctx context.Context, items []I) ([]R, func() []R) {
		return run(ctx, items), nil
	})
}

// NewPipelined is New for a store whose commit returns before the disk
// has the batch (SQLite's log, synced by the store: walsync.go). run
// returns the results and, when they must wait for the disk, settle:
// settle blocks until they may be handed out and returns them (with
// failures in place of those the disk refused). The committer calls
// settle on a goroutine of its own and runs the next batch meanwhile, so
// the writer works while the disk syncs; callers still hear of their
// items only once settle has returned.
func NewPipelined[I, R any](maxItems int, run func(ctx context.Context, items []I) (results []R, settle func() []R)) *Committer[I, R] {
	if maxItems <= 0 {
		maxItems = DefaultMaxItems
	}
	return &Committer[I, R]{run: run, maxItems: maxItems}
}

// Do queues items, waits for the batch holding them to commit and returns
// their results in order. It returns ctx's error when ctx ends first: the
// items may then still be committed, or not (idempotent op ids make a
// resend safe).
func (c *Committer[I, R]) Do(ctx context.Context, items []I) ([]R, error) {
	return c.do(ctx, items, false)
}

// DoFirst is Do for items a person is waiting on (a screen pop's audit
// row): they do not wait behind the items queued with Do, but commit in
// a batch of their own (with any others queued with DoFirst) as soon as
// the batch committing now is done. Under load a batch of 100 wrap-ups
// takes ~100 ms (issue 4); a batch of one audit row, a commit.
func (c *Committer[I, R]) DoFirst(ctx context.Context, items []I) ([]R, error) {
	return c.do(ctx, items, true)
}

func (c *Committer[I, R]) do(ctx context.Context, items []I, first bool) ([]R, error) {
	if len(items) == 0 {
		return nil, nil
	}
	req := &request[I, R]{ctx: ctx, items: items, first: first, done: make(chan struct{})}
	c.mu.Lock()
	c.queue = append(c.queue, req)
	lead := !c.running
	c.running = true
	c.mu.Unlock()
	if lead {
		c.lead(req)
	}
	select {
	case <-req.done:
		return req.results, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Queued returns the number of items waiting for a batch (not those of
// the batch committing): for tests and metrics.
func (c *Committer[I, R]) Queued() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, req := range c.queue {
		n += len(req.items)
	}
	return n
}

// lead commits batches until mine is done, then hands the queue to a new
// goroutine if it is not empty (nil mine: until the queue is empty).
func (c *Committer[I, R]) lead(mine *request[I, R]) {
	for {
		batch := c.take()
		if batch == nil {
			return
		}
		c.commit(batch)
		if mine == nil {
			continue
		}
		select {
		case <-mine.done:
			c.mu.Lock()
			if len(c.queue) == 0 {
				c.running = false
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
			go c.lead(nil)
			return
		default:
		}
	}
}

// take removes the next batch from the queue: whole requests, up to
// maxItems items (at least one request), in order, skipping those whose
// caller has gone; only those queued with DoFirst while there are any.
// With the queue empty it marks the committer idle and returns nil.
func (c *Committer[I, R]) take() []*request[I, R] {
	c.mu.Lock()
	defer c.mu.Unlock()
	first := slices.ContainsFunc(c.queue, func(req *request[I, R]) bool { return req.first && req.ctx.Err() == nil })
	var batch, rest []*request[I, R]
	n, full := 0, false
	for _, req := range c.queue {
		switch {
		case req.ctx.Err() != nil:
			close(req.done) // its caller has returned already
		case full || first && !req.first:
			rest = append(rest, req)
		case len(batch) > 0 && n+len(req.items) > c.maxItems:
			full = true // the rest keep their order for the next batch
			rest = append(rest, req)
		default:
			batch = append(batch, req)
			n += len(req.items)
		}
	}
	c.queue = rest
	if len(batch) == 0 {
		c.running = false
		return nil
	}
	return batch
}

// commit runs one batch and hands each request its results, at once or,
// when run gave a settle function, once it has returned.
func (c *Committer[I, R]) commit(batch []*request[I, R]) {
	var items []I
	for _, req := range batch {
		items = append(items, req.items...)
	}
	results, settle := c.run(context.WithoutCancel(batch[0].ctx), items)
	hand := func(results []R) {
		for _, req := range batch {
			req.results, results = results[:len(req.items):len(req.items)], results[len(req.items):]
			close(req.done)
		}
	}
	if settle == nil {
		hand(results)
		return
	}
	go func() { hand(settle()) }()
}

// Prepared checks ops one by one with prepare, hands the accepted ones to
// c as one caller's batch, and returns one result per op in its place: an
// op prepare refuses, or every accepted op when the batch could not be
// done (ctx ended), gets fail of that error.
func Prepared[O, I, R any](ctx context.Context, c *Committer[I, R], ops []O,
	prepare func(O) (I, error), fail func(error) R) []R {
	results := make([]R, len(ops))
	items := make([]I, 0, len(ops))
	at := make([]int, 0, len(ops)) // the op of each item
	for i, op := range ops {
		it, err := prepare(op)
		if err != nil {
			results[i] = fail(err)
			continue
		}
		items = append(items, it)
		at = append(at, i)
	}
	done, err := c.Do(ctx, items)
	for j, i := range at {
		if err != nil {
			results[i] = fail(err)
			continue
		}
		results[i] = done[j]
	}
	return results
}
