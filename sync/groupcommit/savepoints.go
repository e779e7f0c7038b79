package groupcommit

import "context"

// Savepoints commits a batch of items in one transaction of a store, each
// in its own savepoint, so that an item refused rolls back its own writes
// and refuses no other. It is the part of a group commit that does not
// depend on the store: the store gives its transaction and its writes.
// SQLite uses it; PostgreSQL pipelines each item's statements in one
// round trip instead (sync/postgres/groupcommit.go), which a loop of
// statements one at a time cannot.
type Savepoints[T, I, R any] struct {
	// Update runs fn in one transaction, committed when fn returns nil
	// and rolled back otherwise.
	Update func(ctx context.Context, fn func(tx T) error) error
	// Exec runs one statement without arguments (a savepoint's) in tx.
	Exec func(ctx context.Context, tx T, query string) error
	// Write writes one item in tx: its result, or why it was refused.
	Write func(ctx context.Context, tx T, it I) (R, error)
	// Failed is the result of an item that was refused or not committed.
	Failed func(it I, err error) R
}

// The savepoint statements.
const (
	savepoint  = `SAVEPOINT wrap_up`
	rollbackTo = `ROLLBACK TO wrap_up`
	release    = `RELEASE wrap_up`
)

// Commit writes items in one transaction, each in a savepoint, and returns
// one result per item, in order, after the commit; it is a run for New.
// An item alone runs without a savepoint (a refusal rolls its transaction
// back). If the transaction itself fails (a statement of its own, the
// commit), each item is tried again alone, so that Write must start each
// time from the item as queued.
func (s Savepoints[T, I, R]) Commit(ctx context.Context, items []I) []R {
	results := make([]R, len(items))
	if len(items) == 1 {
		it := items[0]
		err := s.Update(ctx, func(tx T) error {
			var err error
			results[0], err = s.Write(ctx, tx, it)
			return err
		})
		if err != nil {
			results[0] = s.Failed(it, err)
		}
		return results
	}
	err := s.Update(ctx, func(tx T) error {
		for i, it := range items {
			if err := s.Exec(ctx, tx, savepoint); err != nil {
				return err
			}
			r, err := s.Write(ctx, tx, it)
			if err != nil {
				if rerr := s.Exec(ctx, tx, rollbackTo); rerr != nil {
					return rerr
				}
				r = s.Failed(it, err)
			}
			if rerr := s.Exec(ctx, tx, release); rerr != nil {
				return rerr
			}
			results[i] = r
		}
		return nil
	})
	if err != nil {
		for i := range items {
			results[i] = s.Commit(ctx, items[i:i+1])[0]
		}
	}
	return results
}
