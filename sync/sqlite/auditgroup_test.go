package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// TestLookupCaller_AuditFirst: a screen pop's audit row does not wait
// behind the writes queued before it: with a group committing, a write
// queued, then the screen pop, then a wrap-up, the audit row commits in a
// group of its own first (the queued write already sees it), the write
// and the wrap-up after it in one group; and the card comes back only
// with its audit row stored.
func TestLookupCaller_AuditFirst(t *testing.T) {
	db, d := openDemo(t)
	ctx := context.Background()
	actor := &d.Users[0].User
	citizen := d.Citizens[0]
	committer := db.wrapUpCommitter()

	// A group committing: an item that holds its transaction.
	held, release := make(chan struct{}), make(chan struct{})
	holding := make(chan error, 1)
	go func() {
		_, err := committer.Do(ctx, []wrapUpItem{{what: "hold", write: func(context.Context, execer) (*sportello.Case, bool, error) {
			close(held)
			<-release
			return nil, false, nil
		}}})
		holding <- err
	}()
	<-held
	queued := func(n int) {
		for committer.Queued() < n {
			time.Sleep(time.Millisecond)
		}
	}
	// A write queued before the screen pop, that counts the audit rows its
	// own transaction sees.
	var audited int
	first := make(chan error, 1)
	go func() {
		res, err := committer.Do(ctx, []wrapUpItem{{what: "count audit", write: func(ctx context.Context, tx execer) (*sportello.Case, bool, error) {
			return nil, false, tx.QueryRowContext(ctx, `SELECT count(*) FROM audit WHERE reason = 'call call-1'`).Scan(&audited)
		}}})
		if err == nil {
			err = res[0].Err
		}
		first <- err
	}()
	queued(1)
	type lookup struct {
		card *sportello.CallerCard
		err  error
	}
	looked := make(chan lookup, 1)
	go func() {
		card, err := db.LookupCaller(ctx, citizen.Phones[0], "call call-1", actor)
		looked <- lookup{card, err}
	}()
	queued(2)
	after := make(chan error, 1)
	go func() {
		_, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: "c", CitizenID: d.Citizens[3].ID, Outcome: sportello.OutcomeResolvedFirstContact})
		after <- err
	}()
	queued(3)
	select {
	case l := <-looked:
		t.Fatalf("the card came back before its audit row could be written: %+v %v", l.card, l.err)
	default:
	}
	close(release)
	for _, ch := range []chan error{holding, first, after} {
		if err := <-ch; err != nil {
			t.Fatal(err)
		}
	}
	l := <-looked
	if l.err != nil || l.card.Citizen == nil || l.card.Citizen.ID != citizen.ID {
		t.Fatalf("lookup: %+v, %v", l.card, l.err)
	}
	if audited != 1 {
		t.Fatalf("the write queued before the screen pop saw %d audit rows, want its 1 committed first", audited)
	}
	if !hasStmt(db, `SAVEPOINT wrap_up`) {
		t.Fatal("the write and the wrap-up after the audit row did not share a transaction")
	}
	log, err := db.AccessLog(ctx, citizen.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].UserID != actor.ID || log[0].Reason != "call call-1" {
		t.Fatalf("audit log %+v, want the one lookup", log)
	}
}
