package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/wire"
)

// lockedBuffer is a log sink safe for the sync goroutine and the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestClient_BoardFrameNotDecodedUnwatched: a desktop where nobody
// subscribed to the board does not decode board frames (a syncd whose
// board frame is broken after its type draws no warning there), while one
// that shows the board decodes each (and warns of the broken one); both
// go on with the changes after it.
func TestClient_BoardFrameNotDecodedUnwatched(t *testing.T) {
	upgrader := websocket.Upgrader{}
	syncd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/login":
			json.NewEncoder(w).Encode(wire.LoginResponse{Token: "t", User: sportello.User{ID: "u-sup", Role: sportello.RoleSupervisor}})
		case "/v1/ws":
			ws, err := upgrader.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer ws.Close()
			ws.WriteJSON(wire.Hello(0))
			ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"board","board":{"agents":[{"id":`))
			ws.WriteJSON(wire.ChangeFrame(sportello.Change{Seq: 1, At: time.Now(), Kind: sportello.ChangeKindKB}))
			ws.ReadMessage() // until the client goes
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(syncd.Close)

	for _, watch := range []bool{false, true} {
		var logs lockedBuffer
		c := client.New(syncd.URL, slog.New(slog.NewTextHandler(&logs, nil)))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if _, err := c.Login(ctx, "supervisore", "x"); err != nil {
			t.Fatal(err)
		}
		if watch {
			defer c.SubscribeBoard(func(*sportello.Board) {})()
		}
		got := make(chan int64, 1)
		unsub := c.Subscribe(nil, func(ch sportello.Change) { got <- ch.Seq })
		if err := c.Open(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case seq := <-got:
			if seq != 1 {
				t.Fatalf("watching %v: change %d, want 1", watch, seq)
			}
		case <-ctx.Done():
			t.Fatalf("watching %v: no change after the board frame", watch)
		}
		unsub()
		c.Close()
		cancel()
		if warned := strings.Contains(logs.String(), "unreadable frame"); warned != watch {
			t.Errorf("watching the board %v: warned of the broken board frame %v\n%s", watch, warned, logs.String())
		}
	}
}
