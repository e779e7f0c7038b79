package server_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
	"github.com/sportello/sportello/sync/wire"
)

// slowCountsStore is SQLite whose count of today's wrap-ups takes delay
// while armed: the read of a busy day.
type slowCountsStore struct {
	*sqlite.DB
	armed atomic.Bool
	reads atomic.Int32
	delay time.Duration
}

func (s *slowCountsStore) WrapUpCounts(ctx context.Context, since time.Time) ([]wire.WrapUpCount, error) {
	if s.armed.Load() {
		s.reads.Add(1)
		time.Sleep(s.delay)
	}
	return s.DB.WrapUpCounts(ctx, since)
}

// TestBoard_ReadsSpacedByTheirCost checks BoardConfig.ReadShare: when the
// store's read of today's wrap-ups is slow, a burst of wrap-ups costs one
// more read, not one each; the next read waits read-time/ReadShare from
// the start of the last and happens by itself; an agent's new state is
// not held behind the wait; and a board asked for (GET) reads at once.
func TestBoard_ReadsSpacedByTheirCost(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(morning(10, 0))
	var st *slowCountsStore
	const delay, share = 200 * time.Millisecond, 0.1
	e := boardEnv(t, clk, func(db *sqlite.DB) server.Store {
		st = &slowCountsStore{DB: db, delay: delay}
		return st
	}, server.BoardConfig{Location: rome, Debounce: 5 * time.Millisecond, ReadShare: share})
	giulia, sup := e.signIn(t, "operatore"), e.signIn(t, "supervisore")
	ws := e.dialWS(t, sup, 0)
	// next is Giulia on the next board frame where ok holds, and when it
	// came.
	next := func(ok func(a sportello.BoardAgent) bool) (sportello.BoardAgent, time.Time) {
		t.Helper()
		ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			f := readAnyFrame(t, ws)
			if f.Type != wire.FrameBoard {
				continue
			}
			for _, a := range f.Board.Agents {
				if a.ID == "u-a" && ok(a) {
					return a, time.Now()
				}
			}
		}
	}
	e.presence(t, giulia, `{"state":"available"}`)
	first, _ := next(func(a sportello.BoardAgent) bool { return a.State == sportello.AgentAvailable })
	base := first.CallsToday

	st.armed.Store(true)
	call := func(n int) {
		e.wrapUp(t, giulia, sportello.WrapUp{CallID: "call-spaced-" + itoa(int64(n)), CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact})
	}
	call(1)
	_, shownOne := next(func(a sportello.BoardAgent) bool { return a.CallsToday == base+1 })
	for i := 2; i <= 6; i++ {
		call(i)
	}
	e.presence(t, giulia, `{"state":"break","reason":"pausa"}`)
	// The break shows at once, before the read the spacing holds back
	// (due 2 s after the last began, ~1.8 s after it showed).
	if a, _ := next(func(a sportello.BoardAgent) bool { return a.State == sportello.AgentBreak }); a.CallsToday != base+1 {
		t.Errorf("the break showed with %d calls, want %d: it waited for the spaced read", a.CallsToday, base+1)
	}
	_, shownSix := next(func(a sportello.BoardAgent) bool { return a.CallsToday == base+6 })
	// The read that showed one call took at least delay, so the next one
	// starts delay/share after it began: later than delay/share - delay
	// after the first call showed.
	if gap, least := shownSix.Sub(shownOne), time.Duration(float64(delay)/share)-delay-delay/2; gap < least {
		t.Errorf("the calls 2-6 showed %v after the first: the reads were not spaced (want >= %v)", gap, least)
	}
	if n := st.reads.Load(); n > 3 {
		t.Errorf("%d reads of today's counts for 6 wrap-ups, want at most 3", n)
	}

	// A board asked for reads now, whatever the spacing.
	call(7)
	before := st.reads.Load()
	if b := e.board(t, sup); agent(t, b, "u-a").CallsToday != base+7 {
		t.Errorf("GET /v1/board shows %d calls, want %d", agent(t, b, "u-a").CallsToday, base+7)
	}
	if st.reads.Load() == before {
		t.Error("GET /v1/board did not read the store")
	}
}

// TestBoard_RefreshReadsSpacedByTheirCost: the board's periodic read of
// every section (BoardConfig.Refresh) keeps to ReadShare too, so that a
// day whose counts take long to read does not have the board reading
// most of the time; a new day is read at once, whatever the spacing.
func TestBoard_RefreshReadsSpacedByTheirCost(t *testing.T) {
	// The office's clock runs, from a base the test moves to the next day.
	clk := &storetest.Clock{}
	clk.Set(morning(10, 0))
	var base atomic.Int64
	base.Store(morning(10, 0).UnixNano())
	t0, stop := time.Now(), make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			clk.Set(time.Unix(0, base.Load()).Add(time.Since(t0)))
		}
	}()
	var st *slowCountsStore
	const delay, share = 200 * time.Millisecond, 0.1 // a read spaced 2 s from the last's start
	e := boardEnv(t, clk, func(db *sqlite.DB) server.Store {
		st = &slowCountsStore{DB: db, delay: delay}
		return st
	}, server.BoardConfig{Location: rome, Debounce: 5 * time.Millisecond, Refresh: 50 * time.Millisecond, ReadShare: share})
	sup := e.signIn(t, "supervisore")
	ws := e.dialWS(t, sup, 0)
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for readAnyFrame(t, ws).Type != wire.FrameBoard {
	}

	st.armed.Store(true)
	waitFor := func(n int32, within time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		for st.reads.Load() < n {
			if time.Since(start) > within {
				t.Fatalf("%d reads of today's counts after %v, want %d", st.reads.Load(), within, n)
			}
			time.Sleep(5 * time.Millisecond)
		}
		return time.Since(start)
	}
	waitFor(1, 2*time.Second)
	// Refreshes are due every 50 ms; each read takes 200 ms. Unspaced,
	// the board would read ~5 times in the next 1.5 s.
	time.Sleep(1500 * time.Millisecond)
	if n := st.reads.Load(); n > 2 {
		t.Errorf("%d reads of every section in 1.5 s with each taking %v at a share of %.0f%%: want at most 2", n, delay, share*100)
	}

	// Right after a read, a new day does not wait for the spacing.
	at := st.reads.Load()
	waitFor(at+1, 3*time.Second)
	base.Store(morning(10, 0).AddDate(0, 0, 1).UnixNano())
	if took := waitFor(at+2, 3*time.Second); took > time.Second {
		t.Errorf("the new day was read %v after it began, want it at once (the spacing is 2 s)", took)
	}
}
