package server

import (
	"testing"

	"github.com/sportello/sportello"
)

// TestHub_VisibleFeedNotOffered: a visible-only connection is offered only
// the changes its user may see (its writer is not woken for the others),
// a placeholder feed every change; a connection remembers the newest seq
// published when it joined, from which its writer tells a skip from a gap.
func TestHub_VisibleFeedNotOffered(t *testing.T) {
	h := newHub()
	h.publish(sportello.Change{Seq: 7, CaseID: "k-before"})
	u := &sportello.User{ID: "u-a", Role: sportello.RoleOperator}
	visible := &wsConn{visible: true, viewer: newViewer(u, false, nil, []string{"k-mine"}, nil), send: make(chan *queued, 10), quit: make(chan struct{})}
	hidden := &wsConn{viewer: newViewer(u, false, nil, []string{"k-mine"}, nil), send: make(chan *queued, 10), quit: make(chan struct{})}
	h.add(visible)
	h.add(hidden)
	if visible.joined != 7 || hidden.joined != 7 {
		t.Fatalf("joined at %d and %d, want 7", visible.joined, hidden.joined)
	}
	other := &sportello.CaseEvent{AuthorID: "u-b"}
	h.publish(sportello.Change{Seq: 8, CaseID: "k-other", Event: other})
	h.publish(sportello.Change{Seq: 9, CaseID: "k-mine", Event: other})
	h.publish(sportello.Change{Seq: 10, CaseID: "k-other2", Event: other})
	h.publish(sportello.Change{Seq: 11, CaseID: "k-new", Event: &sportello.CaseEvent{AuthorID: "u-a"}}) // its own
	h.publish(sportello.Change{Seq: 12, CaseID: "k-new", Event: other})                                 // on a case it wrote on
	var got []int64
	for len(visible.send) > 0 {
		got = append(got, (<-visible.send).change.Seq)
	}
	if len(got) != 3 || got[0] != 9 || got[1] != 11 || got[2] != 12 {
		t.Fatalf("visible feed offered %v, want [9 11 12]", got)
	}
	if n := len(hidden.send); n != 5 {
		t.Fatalf("placeholder feed offered %d changes, want all 5", n)
	}
}
