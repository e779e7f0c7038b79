package client_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/wire"
)

// TestClient_FreshReplicaStartsAtHead: a desktop whose replica is empty
// starts its cursor at syncd's head instead of replaying the change log,
// keeps that cursor on disk, gets what commits afterwards, and after a
// restart resumes from its cursor (catching up what it missed), not from
// the head again.
func TestClient_FreshReplicaStartsAtHead(t *testing.T) {
	srv := openServer(t, openStore(t), "127.0.0.1:0")
	a := signIn(t, srv.URL(), "operatore")
	wrapUp := func(call string) {
		t.Helper()
		if _, err := a.RecordWrapUp(ctx(t), sportello.WrapUp{CallID: call, CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}); err != nil {
			t.Fatal(err)
		}
	}
	wrapUp("call-1")
	wrapUp("call-2") // head 6

	path := filepath.Join(t.TempDir(), "replica.db")
	b := signIn(t, srv.URL(), "operatore2")
	b.Replica = openReplica(t, path)
	states, changes := watch(t, b)
	if err := b.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitState(t, states, "online at the head", func(s sportello.SyncState) bool { return s.Online && s.Cursor == 6 })
	select {
	case ch := <-changes:
		t.Fatalf("change %d replayed to an empty replica", ch.Seq)
	case <-time.After(100 * time.Millisecond):
	}
	if seq, err := b.Replica.Cursor(ctx(t)); err != nil || seq != 6 {
		t.Fatalf("replica cursor %d, %v; want 6", seq, err)
	}
	wrapUp("call-3")
	waitChanges(t, changes, 7, 8, 9)
	b.Close()

	wrapUp("call-4") // 10-12, while b is closed
	c := signIn(t, srv.URL(), "operatore2")
	c.Replica = b.Replica
	_, changes = watch(t, c)
	if err := c.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitChanges(t, changes, 10, 11, 12)
}

// TestClient_VisibleFeed: on a filtered syncd the desktop asks for the
// visible-only feed and takes a change whose prev is at its cursor as no
// gap, though the seqs in between (another operator's case) never come:
// without prev it would resubscribe forever and deliver nothing.
func TestClient_VisibleFeed(t *testing.T) {
	srv := server.New(openStore(t), nil)
	srv.Addr, srv.FilterChanges = "127.0.0.1:0", true
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	a := signIn(t, srv.URL(), "operatore")
	b := signIn(t, srv.URL(), "operatore2")
	states, changes := watch(t, b)
	if err := b.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitState(t, states, "online", online)
	if _, err := a.RecordWrapUp(ctx(t), sportello.WrapUp{CallID: "call-1", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}); err != nil {
		t.Fatal(err) // 1-3: operatore2 may not see them
	}
	if _, err := b.RecordWrapUp(ctx(t), sportello.WrapUp{CallID: "call-2", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}); err != nil {
		t.Fatal(err) // 4-6: operatore2's own
	}
	for _, ch := range waitChanges(t, changes, 4, 5, 6) {
		if ch.Kind == wire.ChangeKindHidden || ch.Event == nil || ch.Event.AuthorID != "u-b" {
			t.Fatalf("change %+v, want operatore2's own", ch)
		}
	}
	waitState(t, states, "cursor 6", func(s sportello.SyncState) bool { return s.Cursor == 6 })
}
