package sqlite

import (
	"context"
	"sync"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/groupcommit"
)

// wrapUpItem is a wrap-up check.WrapUp accepted, waiting for a group commit;
// or, with write set, another write sharing the group commit (a case
// event, desk.go), run in its own savepoint like a wrap-up.
type wrapUpItem struct {
	actor  *sportello.User
	w      sportello.WrapUp
	digest []byte
	write  func(ctx context.Context, tx execer) error
}

// record records one item inside tx.
func (db *DB) record(ctx context.Context, tx execer, it wrapUpItem) (*sportello.Case, bool, error) {
	if it.write != nil {
		return nil, false, it.write(ctx, tx)
	}
	return db.recordWrapUpTx(ctx, tx, it.actor, it.w, it.digest)
}

// what names an item's write in an internal error.
func (it wrapUpItem) what() string {
	if it.write != nil {
		return "record case event"
	}
	return "record wrap-up"
}

// wrapUpCommitter is a store's group committer of wrap-ups, made on
// first use.
type wrapUpCommitter struct {
	once sync.Once
	c    *groupcommit.Committer[wrapUpItem, sportello.WrapUpResult]
}

// wrapUpCommitter returns db's group committer of wrap-ups.
func (db *DB) wrapUpCommitter() *groupcommit.Committer[wrapUpItem, sportello.WrapUpResult] {
	db.wrapUps.once.Do(func() { db.wrapUps.c = groupcommit.New(groupcommit.DefaultMaxItems, db.commitWrapUps) })
	return db.wrapUps.c
}

// RecordWrapUps records wrap-ups, each as RecordWrapUpOnce does, in
// order, with one result each. Wrap-ups recorded at the same time by
// other callers share their transactions (group commit, issue 4): each
// is in a savepoint, so a refused one writes nothing and refuses no other,
// and every result comes after its commit. The same op id twice is stored
// once, the second answered as a replay.
func (db *DB) RecordWrapUps(ctx context.Context, ops []sportello.WrapUpOp) []sportello.WrapUpResult {
	return groupcommit.Prepared(ctx, db.wrapUpCommitter(), ops, prepareWrapUp, wrapUpFailed)
}

// prepareWrapUp checks a wrap-up op before it joins a group commit.
func prepareWrapUp(op sportello.WrapUpOp) (wrapUpItem, error) {
	w, digest, err := check.WrapUp(op.Actor, op.WrapUp)
	return wrapUpItem{actor: op.Actor, w: w, digest: digest}, err
}

// wrapUpFailed is the result of a wrap-up op that was not recorded.
func wrapUpFailed(err error) sportello.WrapUpResult { return sportello.WrapUpResult{Err: err} }

// commitWrapUps records a batch of wrap-ups in one transaction, each in a
// savepoint; if the transaction itself fails, each is tried alone.
func (db *DB) commitWrapUps(ctx context.Context, items []wrapUpItem) []sportello.WrapUpResult {
	results := make([]sportello.WrapUpResult, len(items))
	if len(items) == 1 {
		// Alone: no savepoint, a refusal rolls the transaction back.
		it := items[0]
		err := db.updateCached(ctx, func(tx execer) error {
			var err error
			results[0].Case, results[0].Replayed, err = db.record(ctx, tx, it)
			return err
		})
		if err != nil {
			results[0] = sportello.WrapUpResult{Err: internal(it.what(), err)}
		}
		return results
	}
	err := db.updateCached(ctx, func(tx execer) error {
		for i, it := range items {
			if _, err := tx.ExecContext(ctx, `SAVEPOINT wrap_up`); err != nil {
				return err
			}
			c, replayed, err := db.record(ctx, tx, it)
			if err != nil {
				if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO wrap_up`); rerr != nil {
					return rerr
				}
				c, replayed = nil, false
			}
			if _, rerr := tx.ExecContext(ctx, `RELEASE wrap_up`); rerr != nil {
				return rerr
			}
			results[i] = sportello.WrapUpResult{Case: c, Replayed: replayed, Err: internal(it.what(), err)}
		}
		return nil
	})
	if err != nil {
		for i := range items {
			results[i] = db.commitWrapUps(ctx, items[i:i+1])[0]
		}
	}
	return results
}
