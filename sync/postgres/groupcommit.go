package postgres

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/groupcommit"
)

// wrapUpItem is a wrap-up check.WrapUp accepted, waiting for a group commit;
// or, with op set, another write sharing the group commit (a case event,
// desk.go), run in its own savepoint like a wrap-up. op must return a
// fresh groupOp from the op as sent each time: a group whose transaction
// fails runs each of its items again alone.
type wrapUpItem struct {
	actor  *sportello.User
	w      sportello.WrapUp
	digest []byte
	op     func() groupOp
}

// groupOp is one item's write in a group commit, in two steps that each
// share one round trip with the item's neighbours (see commitGroup):
// read queues the queries the op must read, under the writers' lock and
// after the writes of the group's earlier ops; once they have run, decide
// checks the op against what they found, in Go, and queues its writes,
// taking the seqs after head. read may run twice (the batch carrying it
// failed on the op before): it starts from nothing each time. decide
// queues nothing when it refuses the op, or answers it as a replay.
type groupOp interface {
	read(b *pgx.Batch)
	decide(b *pgx.Batch, head int64) (r sportello.WrapUpResult, newHead int64, err error)
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

// groupOp returns the write of one item, from the item as queued.
func (db *DB) groupOp(it wrapUpItem) groupOp {
	if it.op != nil {
		return it.op()
	}
	return &wrapUpOp{db: db, actor: it.actor, w: it.w, digest: it.digest} // case.go
}

// commitWrapUps records a batch of items in one transaction, each in a
// savepoint; if the transaction itself fails, each is tried alone.
func (db *DB) commitWrapUps(ctx context.Context, items []wrapUpItem) []sportello.WrapUpResult {
	results, err := db.commitGroup(ctx, items)
	if err == nil {
		return results
	}
	results = make([]sportello.WrapUpResult, len(items))
	if len(items) == 1 {
		results[0] = itemFailed(items[0], err)
		return results
	}
	for i := range items {
		results[i] = db.commitWrapUps(ctx, items[i:i+1])[0]
	}
	return results
}

// commitGroup records items in one transaction, the writers' lock taken
// once for all of them, with one round trip per item and two more: the
// first batch begins the transaction, takes change_head's lock and reads
// the first item; each item's batch then carries its writes, in a
// savepoint, followed by the next item's reads (or, after the last, the
// new head and its notification); the commit is the last. It returns an
// error, and no results, when the transaction itself failed.
//
// Sending the next item's reads behind an item's writes is safe: the
// statements of a batch run in order in the one transaction, so the reads
// see the writes, as they would one round trip later; when a write fails,
// PostgreSQL skips the rest of the batch, and the reads go again after
// the rollback to the savepoint (two round trips more).
func (db *DB) commitGroup(ctx context.Context, items []wrapUpItem) ([]sportello.WrapUpResult, error) {
	if len(items) == 0 {
		return nil, nil
	}
	ops := make([]groupOp, len(items))
	for i, it := range items {
		ops[i] = db.groupOp(it)
	}
	var head int64
	b := &pgx.Batch{}
	b.BeginTx(pgx.TxOptions{})
	b.Queue(lockHeadSQL).QueryRow(func(r pgx.Row) error { return r.Scan(&head) })
	ops[0].read(b)
	br := db.pool.SendBatch(ctx, b)
	tx := br.Tx()
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := br.Close(); err != nil {
		return nil, err
	}
	start := head
	// next queues what follows item i's writes in its batch.
	next := func(b *pgx.Batch, i int, head int64) {
		if i+1 < len(ops) {
			ops[i+1].read(b)
		} else if head > start {
			queueSetHead(b, head)
		}
	}
	results := make([]sportello.WrapUpResult, len(items))
	for i, op := range ops {
		then := func(b *pgx.Batch, head int64) { next(b, i, head) }
		var err error
		if results[i], head, err = writeItem(ctx, tx, items[i], op, head, then); err != nil {
			return nil, err
		}
	}
	return results, tx.Commit(ctx)
}

// writeItem decides one item of a group and sends its writes, in a
// savepoint, with what then queues after them: it returns the item's
// result, the head after it, and an error only when the transaction can
// no longer be used.
func writeItem(ctx context.Context, tx pgx.Tx, it wrapUpItem, op groupOp, head int64, then func(b *pgx.Batch, head int64)) (sportello.WrapUpResult, int64, error) {
	writes := &pgx.Batch{}
	r, moved, err := op.decide(writes, head)
	if err != nil {
		r, moved = itemFailed(it, err), head // refused in Go: nothing queued
	}
	b, released := inSavepoint(writes)
	then(b, moved)
	err = tx.SendBatch(ctx, b).Close()
	if err == nil || writes.Len() == 0 || *released {
		return r, moved, err
	}
	// The item's own write failed: it alone is refused.
	refused := itemFailed(it, err)
	if err := rollBack(ctx, tx); err != nil {
		return refused, head, err
	}
	b = &pgx.Batch{}
	then(b, head)
	return refused, head, tx.SendBatch(ctx, b).Close()
}

// The savepoint statements around each item's writes.
const (
	savepointSQL  = `SAVEPOINT wrap_up`
	rollbackToSQL = `ROLLBACK TO wrap_up`
	releaseSQL    = `RELEASE wrap_up`
)

// inSavepoint returns a batch running writes in a savepoint, and a flag
// set once the savepoint is released: when the batch fails without it,
// one of writes failed. Writes of nothing need no savepoint.
func inSavepoint(writes *pgx.Batch) (*pgx.Batch, *bool) {
	released := new(bool)
	if writes.Len() == 0 {
		return &pgx.Batch{}, released
	}
	b := &pgx.Batch{}
	b.Queue(savepointSQL)
	b.QueuedQueries = append(b.QueuedQueries, writes.QueuedQueries...)
	b.Queue(releaseSQL).Exec(func(pgconn.CommandTag) error {
		*released = true
		return nil
	})
	return b, released
}

// rollBack takes back the writes of an item that failed, leaving the
// transaction usable. It goes alone and by the simple protocol, which
// prepares nothing: PostgreSQL prepares no other statement in a failed
// transaction, and pgx has dropped every statement of the failed batch
// from its cache.
func rollBack(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, rollbackToSQL+"; "+releaseSQL)
	return err
}

// itemFailed is the result of an item refused or not committed.
func itemFailed(it wrapUpItem, err error) sportello.WrapUpResult {
	what := "record wrap-up"
	if it.op != nil {
		what = "record case event"
	}
	return sportello.WrapUpResult{Err: internal(what, err)}
}
