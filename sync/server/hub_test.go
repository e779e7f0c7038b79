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

// TestHub_SlowIndexedConnectionDropped: a slow connection found through
// the index (three desktops following one case, the first slow) is
// dropped after the change is offered, so the others following the case
// still get it and the case's entry keeps them alone.
func TestHub_SlowIndexedConnectionDropped(t *testing.T) {
	h := newHub()
	var conns []*wsConn
	for i, room := range []int{1, 3, 3} {
		u := &sportello.User{ID: "u-" + string(rune('a'+i)), Role: sportello.RoleOperator}
		c := &wsConn{visible: true, viewer: newViewer(u, false, nil, []string{"k-1"}, nil), send: make(chan *queued, room), quit: make(chan struct{})}
		h.add(c)
		conns = append(conns, c)
	}
	slow := conns[0]
	for seq := int64(1); seq <= 2; seq++ {
		h.publish(sportello.Change{Seq: seq, CaseID: "k-1", Event: &sportello.CaseEvent{AuthorID: "u-z"}})
	}
	select {
	case <-slow.quit:
	default:
		t.Fatal("the slow connection was not stopped")
	}
	for _, c := range conns[1:] {
		if len(c.send) != 2 {
			t.Errorf("%s has %d changes queued, want 2", c.viewer.userID, len(c.send))
		}
	}
	var l connList
	h.idx.each(byCase, "k-1", func(c *wsConn) { l = append(l, c) })
	if len(l) != 2 || l.has(slow) || !l.has(conns[1]) || !l.has(conns[2]) {
		t.Fatalf("the case's entry after the drop: %v", l)
	}
}
