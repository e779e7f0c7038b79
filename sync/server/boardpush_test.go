package server_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
	"github.com/sportello/sportello/sync/wire"
)

// slowPresenceStore is SQLite whose writes of presence wait for release
// while armed: a store busy with other writes.
type slowPresenceStore struct {
	*sqlite.DB
	armed   atomic.Bool
	release chan struct{}
}

func (s *slowPresenceStore) SavePresence(ctx context.Context, p wire.AgentPresence) error {
	if s.armed.Load() {
		select {
		case <-s.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return s.DB.SavePresence(ctx, p)
}

// TestPresence_PushedBeforeStoreWrite checks that an agent's new state
// reaches a supervisor's board while the store's write of it is still
// under way (issue 7: the write is not on the way to the push), and that
// the POST answers, and the state is stored, once the write ends.
func TestPresence_PushedBeforeStoreWrite(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(morning(8, 0))
	var st *slowPresenceStore
	e := boardEnv(t, clk, func(db *sqlite.DB) server.Store {
		st = &slowPresenceStore{DB: db, release: make(chan struct{})}
		return st
	}, server.BoardConfig{Location: rome, Debounce: 5 * time.Millisecond})
	giulia, sup := e.signIn(t, "operatore"), e.signIn(t, "supervisore")
	ws := e.dialWS(t, sup, 0)
	for readAnyFrame(t, ws).Type != wire.FrameBoard {
	}
	st.armed.Store(true)
	posted := make(chan int, 1)
	go func() {
		req, err := http.NewRequest("POST", e.url+"/v1/presence", strings.NewReader(`{"state":"available"}`))
		if err != nil {
			posted <- 0
			return
		}
		req.Header.Set("Authorization", "Bearer "+giulia)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			posted <- 0
			return
		}
		resp.Body.Close()
		posted <- resp.StatusCode
	}()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for shown := false; !shown; {
		f := readAnyFrame(t, ws)
		if f.Type != wire.FrameBoard {
			continue
		}
		for _, a := range f.Board.Agents {
			shown = shown || a.ID == "u-a" && a.State == sportello.AgentAvailable
		}
	}
	select {
	case code := <-posted:
		t.Fatalf("the POST answered %d before the store's write ended", code)
	default:
	}
	close(st.release)
	if code := <-posted; code != http.StatusNoContent {
		t.Fatalf("presence POST: %d", code)
	}
	rows, err := st.DB.Presences(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stored := false
	for _, r := range rows {
		stored = stored || r.UserID == "u-a" && r.State == sportello.AgentAvailable
	}
	if !stored {
		t.Fatalf("Giulia's presence not stored: %+v", rows)
	}
}
