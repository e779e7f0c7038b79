package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/wire"
)

// TestDB_Backup copies the store while wrap-ups are being written: the
// copy opens on its own, and its change log is gap-free with every
// change's event present.
func TestDB_Backup(t *testing.T) {
	db := mustOpen(t, fixture)
	ctx := context.Background()
	if _, err := db.RecordWrapUp(ctx, operator, sportello.WrapUp{CallID: "c0", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := db.RecordWrapUp(ctx, operator, sportello.WrapUp{CallID: "c", CitizenID: "c-panificio", Outcome: sportello.OutcomeTransferred}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	out := filepath.Join(t.TempDir(), "backup", "syncd-copy.db")
	err := db.Backup(ctx, out)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, out); sportello.ErrorCode(err) != sportello.ECONFLICT {
		t.Fatalf("backup over an existing file: %v", err)
	}

	cp := sqlite.New(out)
	if err := cp.Open(); err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	head, _ := cp.Head(ctx)
	changes, err := cp.ChangesSince(ctx, 0, wire.MaxChangesLimit)
	if err != nil {
		t.Fatal(err)
	}
	if head < 3 || int64(len(changes)) != head {
		t.Fatalf("copy has head %d and %d changes", head, len(changes))
	}
	for i, c := range changes {
		if c.Seq != int64(i+1) || c.Event == nil {
			t.Fatalf("copy's change %d: %+v", i, c)
		}
	}
	if _, err := cp.Authenticate(ctx, "operatore", "demo"); err != nil {
		t.Fatalf("copy's users: %v", err)
	}
}

// TestDB_Purge removes only resolved cases past the cutoff; their changes
// stay as tombstones, seqs go on from the head, the audit log is kept.
func TestDB_Purge(t *testing.T) {
	db := mustOpen(t, fixture)
	ctx := context.Background()
	at := func(d time.Duration) { db.Now = func() time.Time { return t0.Add(d) } }
	record := func(w sportello.WrapUp) *sportello.Case {
		t.Helper()
		k, err := db.RecordWrapUp(ctx, operator, w)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	day := 24 * time.Hour
	old := record(sportello.WrapUp{ID: "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a21", CallID: "c1", CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact}) // seqs 1-3
	oldOpen := record(sportello.WrapUp{CallID: "c2", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred})                                                  // 4-6
	if _, err := db.LookupCaller(ctx, "+390212345678", "call-1", operator); err != nil {
		t.Fatal(err)
	}
	at(100 * day)
	recent := record(sportello.WrapUp{CallID: "c3", CitizenID: "c-panificio", Outcome: sportello.OutcomeResolvedFirstContact}) // 7-9

	res, err := db.Purge(ctx, t0.Add(30*day))
	if err != nil {
		t.Fatal(err)
	}
	if res.Cases != 1 || res.Events != 3 {
		t.Fatalf("purged %+v, want 1 case of 3 events", res)
	}
	if _, err := db.Case(ctx, old.ID); sportello.ErrorCode(err) != sportello.ENOTFOUND {
		t.Fatalf("purged case: %v", err)
	}
	for _, k := range []*sportello.Case{oldOpen, recent} {
		if _, err := db.Case(ctx, k.ID); err != nil {
			t.Fatalf("kept case %s: %v", k.ID, err)
		}
	}
	changes, _ := db.ChangesSince(ctx, 0, 100)
	if len(changes) != 9 {
		t.Fatalf("%d changes, want 9", len(changes))
	}
	for _, c := range changes[:3] {
		if c.Kind != wire.ChangeKindPurged || c.Event != nil || c.CaseID != "" || c.CitizenID != "" {
			t.Fatalf("tombstone %+v", c)
		}
	}
	if changes[3].Kind != sportello.ChangeKindCaseEvent || changes[3].Event == nil {
		t.Fatalf("kept change %+v", changes[3])
	}
	if log, _ := db.AccessLog(ctx, "c-rossi"); len(log) != 1 {
		t.Fatalf("audit log %+v", log)
	}
	// Seqs go on; the purged op id is free again.
	k := record(sportello.WrapUp{ID: "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a21", CallID: "c1", CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact})
	if head, _ := db.Head(ctx); head != 12 || k.ID == old.ID {
		t.Fatalf("head %d after purge and a new wrap-up, want 12", head)
	}
	// Nothing more to purge.
	if res, err := db.Purge(ctx, t0.Add(30*day)); err != nil || res.Cases != 0 {
		t.Fatalf("second purge %+v, %v", res, err)
	}
}
