package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/wire"
)

// BenchmarkIdleWebSocket measures what one idle connected desktop costs
// syncd: b.N WebSockets are opened (run with -benchtime=500x) and read
// their hello; the heap and goroutine stacks grown meanwhile are reported
// per connection. The client ends of the sockets live in this process
// too, with 256-byte buffers and no goroutine, so heap-B/conn includes
// about 2 KB of client-side objects; stack-B/conn is syncd's alone.
//
//	go test ./sync/server -run '^$' -bench IdleWebSocket -benchtime 500x
func BenchmarkIdleWebSocket(b *testing.B) {
	url0, token := benchServer(b)
	dialer := &websocket.Dialer{ReadBufferSize: 256, WriteBufferSize: 256, HandshakeTimeout: 10 * time.Second}
	u := strings.Replace(url0, "http://", "ws://", 1) + "/v1/ws?since=" + wire.SinceHead + "&token=" + url.QueryEscape(token)
	conns := make([]*websocket.Conn, 0, b.N)
	defer func() {
		for _, ws := range conns {
			ws.Close()
		}
	}()
	before := memNow()
	b.ResetTimer()
	for range b.N {
		ws, _, err := dialer.DialContext(context.Background(), u, nil)
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, ws)
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, data, err := ws.ReadMessage(); err != nil || !strings.Contains(string(data), `"hello"`) {
			b.Fatalf("hello: %s, %v", data, err)
		}
	}
	b.StopTimer()
	time.Sleep(100 * time.Millisecond) // the servers' goroutines settle in their selects
	after := memNow()
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N), "heap-B/conn")
	b.ReportMetric(float64(after.StackInuse-before.StackInuse)/float64(b.N), "stack-B/conn")
	b.ReportMetric(0, "ns/op")
}

// memNow returns the memory statistics after a full collection.
func memNow() runtime.MemStats {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

// benchServer starts syncd's server on the fixture, as newEnv does, and
// returns its URL and a token of an operator.
func benchServer(b *testing.B) (string, string) {
	db := sqlite.New(filepath.Join(b.TempDir(), "syncd.db"))
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Seed(context.Background(), fixture); err != nil {
		b.Fatal(err)
	}
	srv := server.New(db, nil)
	srv.Addr, srv.FilterChanges = "127.0.0.1:0", true
	if err := srv.Open(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	resp, err := http.Post(srv.URL()+"/v1/login", "application/json", strings.NewReader(`{"username":"operatore","password":"demo"}`))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var login wire.LoginResponse
	if err := json.NewDecoder(resp.Body).Decode(&login); err != nil || login.Token == "" {
		b.Fatalf("login: %v", err)
	}
	return srv.URL(), login.Token
}
