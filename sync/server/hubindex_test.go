package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// TestHub_IndexOffersWhoMaySee: the hub's index offers each change to
// exactly the connections whose viewer may see it, as a viewer asked for
// every change would say (the shadow viewers below), while viewers learn
// cases from their users' events and citizens from lookups; default
// feeds and admins get every change; a dropped connection leaves no key.
// Ids are UUIDs and text, mixed.
func TestHub_IndexOffersWhoMaySee(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2000))
	// Half the ids are UUIDs, kept by the index as bytes, the others
	// text (idmap.go).
	id := func(prefix string, n int) string {
		k := r.IntN(n)
		if k%2 == 0 {
			return fmt.Sprintf("%08x-0000-7000-8000-%012x", prefix[0], k)
		}
		return fmt.Sprintf("%s%d", prefix, k)
	}
	h := newHub()
	type peer struct {
		c      *wsConn
		shadow *viewer // what visible() says, asked on every change
	}
	var peers []peer
	roles := []sportello.Role{sportello.RoleOperator, sportello.RoleSpecialist, sportello.RoleSupervisor, sportello.RoleAdmin}
	for i := range 60 {
		u := &sportello.User{ID: id("u", 20), Role: roles[i%len(roles)]}
		var desks, cases, citizens []string
		for range r.IntN(3) {
			desks = append(desks, id("d", 5))
		}
		for range r.IntN(5) {
			cases = append(cases, id("k", 40))
		}
		for range r.IntN(3) {
			citizens = append(citizens, id("z", 30))
		}
		c := &wsConn{
			visible: i%7 != 0, // some default feeds: every change, hidden or not
			session: fmt.Sprintf("s%d", i%30),
			viewer:  newViewer(u, false, desks, cases, citizens),
			send:    make(chan *queued, 1000),
			quit:    make(chan struct{}),
		}
		if !h.add(c) {
			t.Fatal("hub closed")
		}
		peers = append(peers, peer{c, newViewer(u, false, desks, cases, citizens)})
	}
	for seq := int64(1); seq <= 3000; seq++ {
		if r.IntN(20) == 0 { // a lookup widens a session's viewers
			session, citizen := fmt.Sprintf("s%d", r.IntN(30)), id("z", 30)
			h.addCitizen(session, citizen)
			for _, p := range peers {
				if p.c.session == session {
					p.shadow.addCitizen(citizen)
				}
			}
		}
		ch := sportello.Change{Seq: seq, CaseID: id("k", 40), CitizenID: id("z", 30)}
		switch r.IntN(10) {
		case 0:
			ch = sportello.Change{Seq: seq, Kind: sportello.ChangeKindKB}
		case 1, 2:
			ch.DeskID = id("d", 5)
			fallthrough
		default:
			ch.Event = &sportello.CaseEvent{AuthorID: id("u", 20)}
		}
		h.publish(ch)
		for i, p := range peers {
			want := !p.c.visible || p.shadow.visible(ch)
			got := false
			select {
			case q := <-p.c.send:
				if q.change.Seq != seq {
					t.Fatalf("peer %d: offered %d, want %d", i, q.change.Seq, seq)
				}
				got = true
			default:
			}
			if got != want {
				t.Fatalf("change %d (%+v) offered to peer %d (%s, visible feed %v): %v, want %v", seq, ch, i, p.c.viewer.userID, p.c.visible, got, want)
			}
		}
	}

	// Dropped: signed out, then gone; nothing of them stays indexed.
	h.dropSession("s3")
	for _, p := range peers {
		h.remove(p.c)
	}
	if n := len(h.idx.every); n != 0 {
		t.Errorf("%d connections left in every", n)
	}
	for kind, m := range h.idx.by {
		if m.len() != 0 {
			t.Errorf("index %d keeps %d keys after every connection left", kind, m.len())
		}
	}
}

// TestHub_IndexLearnsBacklogCase: a case the viewer learns from a change
// its writer read from the store (not published to it) is indexed, so
// the case's later events by others reach the connection.
func TestHub_IndexLearnsBacklogCase(t *testing.T) {
	h := newHub()
	u := &sportello.User{ID: "u-a", Role: sportello.RoleOperator}
	c := &wsConn{visible: true, viewer: newViewer(u, false, nil, nil, nil), send: make(chan *queued, 10), quit: make(chan struct{})}
	h.add(c)
	own := sportello.Change{Seq: 1, CaseID: "k-1", Event: &sportello.CaseEvent{AuthorID: "u-a"}}
	if !c.ownEvent(own) || !c.viewer.visible(own) {
		t.Fatal("the user's own event is not theirs")
	}
	h.watchCase(c, own.CaseID)
	h.publish(sportello.Change{Seq: 2, CaseID: "k-1", Event: &sportello.CaseEvent{AuthorID: "u-b"}})
	h.publish(sportello.Change{Seq: 3, CaseID: "k-2", Event: &sportello.CaseEvent{AuthorID: "u-b"}})
	if len(c.send) != 1 || (<-c.send).change.Seq != 2 {
		t.Fatal("the later event on the learned case was not offered (or another was)")
	}
}

// TestHub_FramesEncodedOnce: the frames a writer sends from a published
// change are byte for byte what Conn.WriteJSON wrote for each connection
// before (the change frame, its placeholder, and a visible-only feed's
// frame with prev), encoded once per change for every connection.
func TestHub_FramesEncodedOnce(t *testing.T) {
	at := time.Date(2026, 11, 26, 6, 0, 0, 123456789, time.UTC)
	changes := []sportello.Change{
		{Seq: 1, At: at, CaseID: "k-1", CitizenID: "c-1", DeskID: "desk-multe", Event: &sportello.CaseEvent{
			ID: "e-1", CaseID: "k-1", Kind: sportello.EventNote, At: at, AuthorID: "u-a", Author: "Giulia", Note: "<b>&\u2028\"citt\u00e0\"</b>\n"}},
		{Seq: 2, At: at, Kind: sportello.ChangeKindKB},
		{Seq: 1 << 40, At: at, CaseID: "k-2"},
	}
	enc := func(f wire.ServerFrame) []byte {
		var b bytes.Buffer
		if err := json.NewEncoder(&b).Encode(f); err != nil { // what Conn.WriteJSON does
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, ch := range changes {
		q := &queued{change: ch}
		if got, want := q.changeFrame(), enc(wire.ChangeFrame(ch)); !bytes.Equal(got, want) {
			t.Errorf("change frame\n%s\nwant\n%s", got, want)
		}
		if &q.changeFrame()[0] != &q.changeFrame()[0] {
			t.Error("the change frame was encoded again")
		}
		if got, want := q.hiddenFrame(), enc(wire.ChangeFrame(wire.Hidden(ch))); !bytes.Equal(got, want) {
			t.Errorf("hidden frame\n%s\nwant\n%s", got, want)
		}
		for _, prev := range []int64{0, 7, ch.Seq - 1} {
			got, ok := frameAfter(nil, q.changeFrame(), prev)
			if want := enc(wire.ChangeFrameAfter(ch, prev)); !ok || !bytes.Equal(got, want) {
				t.Errorf("visible frame after %d\n%s\nwant\n%s", prev, got, want)
			}
			f, err := wire.DecodeServerFrame(got)
			if err != nil || f.Prev == nil || *f.Prev != prev || f.Change.Seq != ch.Seq {
				t.Errorf("visible frame decodes as %+v, %v", f, err)
			}
		}
	}
	if _, ok := frameAfter(nil, []byte(`{"type":"change"`), 1); ok {
		t.Error("spliced prev into a frame that does not end as one")
	}
}
