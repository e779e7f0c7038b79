package sqlite

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// TestLookupCaller_AuditJoinsGroupCommit: a screen pop's audit row joins
// the group commit of wrap-ups (a lookup queued while a group waits for
// the writer commits in the next group, with a wrap-up queued after it,
// each in its savepoint), and the card comes back only with its audit
// row stored.
func TestLookupCaller_AuditJoinsGroupCommit(t *testing.T) {
	db, d := openDemo(t)
	ctx := context.Background()
	actor := &d.Users[0].User
	citizen := d.Citizens[0]
	if _, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: "c", CitizenID: d.Citizens[2].ID, Outcome: sportello.OutcomeResolvedFirstContact}); err != nil {
		t.Fatal(err)
	}
	if hasStmt(db, `SAVEPOINT wrap_up`) {
		t.Fatal("a savepoint ran before any group")
	}

	// Hold the writer, queue a wrap-up (it leads a group, waiting for the
	// writer), then a screen pop and another wrap-up behind it.
	held, release := make(chan struct{}), make(chan struct{})
	go db.update(ctx, func(*sql.Tx) error { close(held); <-release; return nil })
	<-held
	wrapped := make(chan error, 2)
	wrapUp := func(i int) {
		_, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{CallID: "c", CitizenID: d.Citizens[i].ID, Outcome: sportello.OutcomeResolvedFirstContact})
		wrapped <- err
	}
	go wrapUp(1)
	time.Sleep(100 * time.Millisecond)
	type lookup struct {
		card *sportello.CallerCard
		err  error
	}
	looked := make(chan lookup, 1)
	go func() {
		card, err := db.LookupCaller(ctx, citizen.Phones[0], "call call-1", actor)
		looked <- lookup{card, err}
	}()
	time.Sleep(50 * time.Millisecond)
	go wrapUp(3)
	time.Sleep(100 * time.Millisecond)
	select {
	case l := <-looked:
		t.Fatalf("the card came back before its audit row could be written: %+v %v", l.card, l.err)
	default:
	}
	close(release)
	for range 2 {
		if err := <-wrapped; err != nil {
			t.Fatal(err)
		}
	}
	l := <-looked
	if l.err != nil || l.card.Citizen == nil || l.card.Citizen.ID != citizen.ID {
		t.Fatalf("lookup: %+v, %v", l.card, l.err)
	}
	if !hasStmt(db, `SAVEPOINT wrap_up`) {
		t.Fatal("the screen pop's audit row and the wrap-up did not share a transaction")
	}
	log, err := db.AccessLog(ctx, citizen.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].UserID != actor.ID || log[0].Reason != "call call-1" {
		t.Fatalf("audit log %+v, want the one lookup", log)
	}
}
