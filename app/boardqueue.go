package app

import "github.com/sportello/sportello"

// desksMoved reports whether a new board shows any desk's backlog
// different from the board before it: a case arrived, left, came at risk
// or past its SLA somewhere. A supervisor's desktop is pushed only its own
// working set of changes, not every desk's (docs/API.md), so its desk queue,
// which lists every desk, reads itself again on such a board instead.
func desksMoved(before, after *sportello.Board) bool {
	if before == nil || after == nil {
		return false
	}
	if len(before.Desks) != len(after.Desks) {
		return true
	}
	for i, d := range after.Desks {
		o := before.Desks[i]
		if d.ID != o.ID || d.Open != o.Open || !d.OldestAt.Equal(o.OldestAt) || d.AtRisk != o.AtRisk || d.Breached != o.Breached {
			return true
		}
	}
	return false
}

// boardMovedQueue reads the every-desk queue again when the board says a
// desk's backlog changed (see desksMoved).
func (s *operatorScreen) boardMovedQueue(before, after *sportello.Board) {
	if s.queue != nil && s.queue.desks == nil && desksMoved(before, after) {
		s.queue.refresh()
	}
}
