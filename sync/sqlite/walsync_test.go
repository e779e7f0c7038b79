package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
)

// openFull opens a seeded store with SyncFull, its log synced by the store.
func openFull(t *testing.T) (*DB, *demo.Data) {
	t.Helper()
	d := demo.Generate(1, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	db := New(filepath.Join(t.TempDir(), "syncd.db"))
	if err := db.SetSynchronous(SyncFull); err != nil {
		t.Fatal(err)
	}
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Seed(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if db.wal == nil {
		t.Fatal("SyncFull: the store does not sync its log")
	}
	return db, d
}

// heldSync makes the next sync of db's log wait: entered is closed when it
// starts, and it syncs once release is closed, returning err.
func heldSync(db *DB, err error) (entered, release chan struct{}) {
	entered, release = make(chan struct{}), make(chan struct{})
	real := db.wal.sync
	var once sync.Once
	db.wal.mu.Lock()
	db.wal.sync = func() error {
		held := false
		once.Do(func() { held = true })
		if !held {
			return real()
		}
		close(entered)
		<-release
		if err != nil {
			return err
		}
		return real()
	}
	db.wal.mu.Unlock()
	return entered, release
}

// wait receives from ch or fails the test after 10 s.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: not after 10 s", what)
	}
}

// TestWALSync_AckAfterSync: with SyncFull a wrap-up is acknowledged only
// once the log holding it is synced, and its changes are not read from
// the change log (ChangesSince, Head) before that.
func TestWALSync_AckAfterSync(t *testing.T) {
	db, d := openFull(t)
	ctx := context.Background()
	head0, err := db.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	entered, release := heldSync(db, nil)
	done := make(chan struct{})
	var c *sportello.Case
	go func() {
		defer close(done)
		c, err = db.RecordWrapUp(ctx, &d.Users[0].User, sportello.WrapUp{
			CallID: "c1", CitizenID: d.Citizens[0].ID, Outcome: sportello.OutcomeResolvedFirstContact,
		})
	}()
	waitFor(t, entered, "the log's sync")
	select {
	case <-done:
		t.Fatal("the wrap-up was acknowledged before its log was synced")
	default:
	}
	// Committed, visible to readers of the case, but not in the change log yet.
	if h, err := db.Head(ctx); err != nil || h != head0 {
		t.Fatalf("head %d, %v before the sync; want %d", h, err, head0)
	}
	if chs, err := db.ChangesSince(ctx, head0, 100); err != nil || len(chs) != 0 {
		t.Fatalf("%d changes, %v read before the sync; want none", len(chs), err)
	}
	close(release)
	waitFor(t, done, "the wrap-up")
	if err != nil {
		t.Fatal(err)
	}
	chs, err := db.ChangesSince(ctx, head0, 100)
	if err != nil || len(chs) != len(c.Events) {
		t.Fatalf("%d changes, %v after the sync; want %d (the case's events)", len(chs), err, len(c.Events))
	}
	if h, _ := db.Head(ctx); h != chs[len(chs)-1].Seq {
		t.Fatalf("head %d after the sync, want %d", h, chs[len(chs)-1].Seq)
	}
	if db.wal.syncs.Load() == 0 {
		t.Fatal("no sync counted")
	}
}

// TestWALSync_WriterGoesOn: while a group commit's log is syncing, the
// writer commits the next one (groupcommit.NewPipelined).
func TestWALSync_WriterGoesOn(t *testing.T) {
	db, d := openFull(t)
	ctx := context.Background()
	entered, release := heldSync(db, nil)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(release) // also when the test fails first
	wrapUp := func(call string, citizen int) {
		wg.Go(func() {
			if _, err := db.RecordWrapUp(ctx, &d.Users[0].User, sportello.WrapUp{
				CallID: call, CitizenID: d.Citizens[citizen].ID, Outcome: sportello.OutcomeResolvedFirstContact,
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wrapUp("c1", 0)
	waitFor(t, entered, "the first sync")
	db.wal.mu.Lock()
	before := db.wal.committed
	db.wal.mu.Unlock()
	wrapUp("c2", 1)
	deadline := time.Now().Add(10 * time.Second)
	for {
		db.wal.mu.Lock()
		n := db.wal.committed
		db.wal.mu.Unlock()
		if n > before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second wrap-up was not committed while the first one's log was syncing")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestWALSync_Failed: a sync that fails fails the wrap-ups waiting for it,
// whose changes stay out of the change log until a later sync succeeds.
func TestWALSync_Failed(t *testing.T) {
	db, d := openFull(t)
	ctx := context.Background()
	head0, _ := db.Head(ctx)
	broken := errors.New("disk gone")
	entered, release := heldSync(db, broken)
	close(release)
	wu := sportello.WrapUp{ID: "019abcde-0000-7000-8000-000000000001", CallID: "c1", CitizenID: d.Citizens[0].ID, Outcome: sportello.OutcomeResolvedFirstContact}
	if _, err := db.RecordWrapUp(ctx, &d.Users[0].User, wu); !errors.Is(err, broken) {
		t.Fatalf("wrap-up on a failed sync: %v, want %v", err, broken)
	}
	waitFor(t, entered, "the failed sync")
	if chs, err := db.ChangesSince(ctx, head0, 100); err != nil || len(chs) != 0 {
		t.Fatalf("%d changes, %v after a failed sync; want none", len(chs), err)
	}
	// The desktop sends it again: the replay is answered once on disk.
	c, err := db.RecordWrapUp(ctx, &d.Users[0].User, wu)
	if err != nil {
		t.Fatal(err)
	}
	if chs, err := db.ChangesSince(ctx, head0, 100); err != nil || len(chs) != len(c.Events) {
		t.Fatalf("%d changes, %v after the resend; want %d", len(chs), err, len(c.Events))
	}
}
