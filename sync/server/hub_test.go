package server

// A white-box test: filling a TCP socket to make a real client "slow" would
// take megabytes of changes, so the hub's queueing is checked directly.

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

func TestHub_PublishDropsSlowConnection(t *testing.T) {
	h := newHub()
	slow := &wsConn{send: make(chan *queued, 1), quit: make(chan struct{})}
	fast := &wsConn{send: make(chan *queued, 3), quit: make(chan struct{})}
	h.add(slow)
	h.add(fast)

	done := make(chan struct{})
	go func() {
		defer close(done)
		for seq := int64(1); seq <= 3; seq++ {
			h.publish(sportello.Change{Seq: seq})
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("publish blocked on a full queue")
	}

	select {
	case <-slow.quit:
	default:
		t.Fatal("the slow connection was not stopped")
	}
	if slow.code != wire.CloseTryAgainLater {
		t.Fatalf("close code %d, want %d", slow.code, wire.CloseTryAgainLater)
	}
	select {
	case <-fast.quit:
		t.Fatal("the fast connection was stopped")
	default:
	}
	if len(fast.send) != 3 {
		t.Fatalf("fast connection has %d changes queued, want 3", len(fast.send))
	}
}

func TestHub_CloseStopsEveryConnection(t *testing.T) {
	h := newHub()
	c := &wsConn{send: make(chan *queued, 1), quit: make(chan struct{})}
	h.add(c)
	h.close()
	<-c.quit
	if c.code != wire.CloseGoingAway {
		t.Fatalf("close code %d, want %d", c.code, wire.CloseGoingAway)
	}
	if h.add(&wsConn{quit: make(chan struct{})}) {
		t.Fatal("a closed hub accepted a connection")
	}
	h.remove(c)
	h.wait(time.Second)
}
