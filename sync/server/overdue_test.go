package server_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
)

// overdueCity opens the board's city on a clock set at 9:00 in Rome, the
// clock's start.
func overdueCity(t *testing.T) (*sqlite.DB, *storetest.Clock, time.Time) {
	t.Helper()
	clk := &storetest.Clock{}
	start := time.Date(2026, 4, 27, 9, 0, 0, 0, rome)
	clk.Set(start)
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	db.Now = clk.Now
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Seed(context.Background(), boardCity()); err != nil {
		t.Fatal(err)
	}
	return db, clk, start
}

// TestServer_OverdueCallbacksToPool: with the clock injected and the
// ticker driven by the test, a callback still not made 30 minutes after
// its window goes to the pool: the owner's desktop is pushed the note,
// the other operators' lists have it; before the delay nothing moves.
func TestServer_OverdueCallbacksToPool(t *testing.T) {
	db, clk, start := overdueCity(t)
	ctx := context.Background()
	ticks := make(chan time.Time)
	srv := server.New(db, nil)
	srv.Now = clk.Now
	srv.Overdue = server.OverdueConfig{Ticks: ticks} // the default delay, 30 minutes
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e := &env{db: db, srv: srv, url: srv.URL()}
	giulia, marco := e.signIn(t, "operatore"), e.signIn(t, "operatore2")

	k := e.wrapUp(t, giulia, sportello.WrapUp{CallID: "call-1", CallerNumber: "+393351112233", Outcome: sportello.OutcomeCallbackScheduled,
		Note: "Richiamare per la TARI", CallbackFrom: start, CallbackTo: start.Add(time.Hour)})
	cbID := k.Events[len(k.Events)-1].ID
	if got := callbackIDs(e.callbacks(t, marco)); got != "" {
		t.Fatalf("Marco sees %q before the move, want nothing", got)
	}
	head, _ := db.Head(ctx)
	ws := e.dialWS(t, giulia, head)
	readFrame(t, ws)

	// 29 minutes after the window: not yet.
	clk.Set(start.Add(time.Hour + 29*time.Minute))
	if n, err := srv.PoolOverdueCallbacks(ctx); err != nil || n != 0 {
		t.Fatalf("moved %d, %v before the delay", n, err)
	}
	// 31 minutes after: the ticker moves it and Giulia is pushed the note.
	clk.Set(start.Add(time.Hour + 31*time.Minute))
	ticks <- clk.Now()
	ch := wantChange(t, ws, head+1)
	if ch.CaseID != k.ID || ch.Event.Kind != sportello.EventNote || ch.Event.CallID != cbID ||
		!strings.HasPrefix(ch.Event.Note, server.OverdueNote) || ch.Event.Author != "syncd" {
		t.Fatalf("pushed %+v / %+v, want the pool note", ch, ch.Event)
	}
	cbs := e.callbacks(t, marco)
	if len(cbs) != 1 || cbs[0].ID != cbID || cbs[0].Owner != sportello.OwnerPool {
		t.Fatalf("Marco's callbacks %+v, want the pool's one", cbs)
	}
	// The next tick finds nothing more to move.
	if n, err := srv.PoolOverdueCallbacks(ctx); err != nil || n != 0 {
		t.Fatalf("moved %d again, %v", n, err)
	}
	if h, _ := db.Head(ctx); h != head+1 {
		t.Fatalf("head %d, want %d", h, head+1)
	}
}

// batchStore records the limits of its moves of overdue callbacks, and
// runs before ahead of each and after (when set) after each.
type batchStore struct {
	*sqlite.DB
	limits        []int
	before, after func(call int)
}

func (s *batchStore) PoolOverdueCallbacks(ctx context.Context, cutoff time.Time, note string, limit int) ([]*sportello.Callback, error) {
	s.limits = append(s.limits, limit)
	s.before(len(s.limits))
	moved, err := s.DB.PoolOverdueCallbacks(ctx, cutoff, note, limit)
	if s.after != nil {
		s.after(len(s.limits))
	}
	return moved, err
}

// TestServer_OverdueCallbacksInBatches: a look with more overdue
// callbacks than a batch moves them all, a batch a transaction, and
// pushes each batch's notes before the next batch is written: the store's
// writer is never held for the whole backlog.
func TestServer_OverdueCallbacksInBatches(t *testing.T) {
	db, clk, start := overdueCity(t)
	ctx := context.Background()
	store := &batchStore{DB: db, before: func(int) {}}
	srv := server.New(store, nil)
	srv.Now = clk.Now
	srv.Overdue = server.OverdueConfig{Ticks: make(chan time.Time), Batch: 2}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e := &env{db: db, srv: srv, url: srv.URL()}
	giulia := e.signIn(t, "operatore")
	for i := range 5 {
		e.wrapUp(t, giulia, sportello.WrapUp{CallID: fmt.Sprintf("call-%d", i), CallerNumber: "+393351112233",
			Outcome: sportello.OutcomeCallbackScheduled, Note: "Richiamare", CallbackFrom: start.Add(time.Duration(i) * time.Minute),
			CallbackTo: start.Add(time.Hour + time.Duration(i)*time.Minute)})
	}
	head, _ := db.Head(ctx)
	ws := e.dialWS(t, giulia, head)
	readFrame(t, ws)

	// Before the second and third batches, the notes of the batch before
	// have reached Giulia's desktop.
	seq := head
	store.before = func(call int) {
		if call == 1 {
			return
		}
		for range min(2, 5-2*(call-2)) {
			seq++
			if ch := wantChange(t, ws, seq); ch.Event == nil || !strings.HasPrefix(ch.Event.Note, server.OverdueNote) {
				t.Fatalf("change %d: %+v, want a pool note", seq, ch)
			}
		}
	}
	clk.Set(start.Add(2 * time.Hour))
	n, err := srv.PoolOverdueCallbacks(ctx)
	if err != nil || n != 5 {
		t.Fatalf("moved %d, %v; want 5", n, err)
	}
	if fmt.Sprint(store.limits) != "[2 2 2]" {
		t.Errorf("batches asked %v, want [2 2 2] (the last one short)", store.limits)
	}
	wantChange(t, ws, head+5) // the last batch's note
	if h, _ := db.Head(ctx); h != head+5 {
		t.Fatalf("head %d, want %d", h, head+5)
	}

	// A look whose time runs out stops between batches, without an
	// error; the next look moves the rest.
	for i := range 3 {
		e.wrapUp(t, giulia, sportello.WrapUp{CallID: fmt.Sprintf("call-late-%d", i), CallerNumber: "+393351112233",
			Outcome: sportello.OutcomeCallbackScheduled, Note: "Richiamare", CallbackFrom: start.Add(3 * time.Hour),
			CallbackTo: start.Add(4 * time.Hour)})
	}
	clk.Set(start.Add(5 * time.Hour))
	short, cancel := context.WithCancel(ctx)
	store.limits, store.before, store.after = nil, func(int) {}, func(int) { cancel() }
	if n, err := srv.PoolOverdueCallbacks(short); err != nil || n != 2 || len(store.limits) != 1 {
		t.Fatalf("a look cut short moved %d in %d batches, %v; want one batch of 2, no error", n, len(store.limits), err)
	}
	store.after = nil
	if n, err := srv.PoolOverdueCallbacks(ctx); err != nil || n != 1 {
		t.Fatalf("the next look moved %d, %v; want the last one", n, err)
	}
}
