package sqlite

import (
	"cmp"
	"context"
	"sync"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/groupcommit"
)

// wrapUpItem is a wrap-up check.WrapUp accepted, waiting for a group commit;
// or, with write set, another write sharing the group commit (a case
// event, desk.go; a screen pop's audit row, citizen.go), run in its own
// savepoint like a wrap-up, what naming it in errors. write must start
// from the op as sent each time it runs: a group whose transaction fails
// runs each of its items again alone.
type wrapUpItem struct {
	actor  *sportello.User
	w      sportello.WrapUp
	digest []byte
	write  func(ctx context.Context, tx execer) (c *sportello.Case, replayed bool, err error)
	what   string
}

// record records one item inside tx.
func (db *DB) record(ctx context.Context, tx execer, it wrapUpItem) (r sportello.WrapUpResult, err error) {
	if it.write != nil {
		r.Case, r.Replayed, err = it.write(ctx, tx)
	} else {
		r.Case, r.Replayed, err = db.recordWrapUpTx(ctx, tx, it.actor, it.w, it.digest)
	}
	return r, err
}

// itemFailed is the result of an item refused or not committed.
func itemFailed(it wrapUpItem, err error) sportello.WrapUpResult {
	return sportello.WrapUpResult{Err: internal(cmp.Or(it.what, "record wrap-up"), err)}
}

// wrapUpCommitter is a store's group committer of wrap-ups, made on
// first use.
type wrapUpCommitter struct {
	once sync.Once
	c    *groupcommit.Committer[wrapUpItem, sportello.WrapUpResult]
}

// wrapUpCommitter returns db's group committer of wrap-ups.
func (db *DB) wrapUpCommitter() *groupcommit.Committer[wrapUpItem, sportello.WrapUpResult] {
	db.wrapUps.once.Do(func() { db.wrapUps.c = groupcommit.NewPipelined(groupcommit.DefaultMaxItems, db.commitWrapUps) })
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

// commitWrapUps records a batch of items in one transaction, each in a
// savepoint; if the transaction itself fails, each is tried alone. When
// the store syncs the log itself (walsync.go) it returns before the sync,
// with settle, which waits for it: the writer goes on with the next batch
// meanwhile (groupcommit.NewPipelined).
func (db *DB) commitWrapUps(ctx context.Context, items []wrapUpItem) (results []sportello.WrapUpResult, settle func() []sportello.WrapUpResult) {
	var last uint64 // the batch's last commit (each item's, if tried alone)
	results = groupcommit.Savepoints[execer, wrapUpItem, sportello.WrapUpResult]{
		Update: func(ctx context.Context, fn func(tx execer) error) error {
			n, err := db.commitCached(ctx, fn)
			last = max(last, n)
			return err
		},
		Exec: func(ctx context.Context, tx execer, query string) error {
			_, err := tx.ExecContext(ctx, query)
			return err
		},
		Write:  db.record,
		Failed: itemFailed,
	}.Commit(ctx, items)
	if last == 0 {
		return results, nil
	}
	return results, func() []sportello.WrapUpResult {
		if err := db.wal.wait(ctx, last); err != nil {
			for i, r := range results {
				if r.Err == nil {
					results[i] = itemFailed(items[i], err)
				}
			}
		}
		return results
	}
}
