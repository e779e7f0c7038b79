package server

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// dueQueue bounds a connection's queue of callback_due frames: when it is
// full a frame is skipped, and the desktop's list, read again on its
// refresh, still shows the callback as due.
const dueQueue = 16

// pushDueCallbacks pushes to each connected user one callback_due frame
// for the scheduled callbacks they may make (their own, the pool's for an
// operator, their desks' for a desk's member) that became due (a window
// opened, or a next attempt came under the retry policy) after since and
// by the server's clock now: the first of them in the calling order, and
// how many more. It returns now, the next look's since; a read that fails
// returns since, so that the next look pushes them.
//
// One frame per user and look, found in one pass over the users: a
// frame per callback had made a look that found 341 due (88 of them the
// pool's) write 28,800 frames to 1,800 operators, waking each
// connection's writer 16 times, and hold syncd's hub for 4 s, while
// every change waited to be pushed (issue 4).
func (s *Server) pushDueCallbacks(ctx context.Context, since time.Time) time.Time {
	now := s.Now()
	users := s.hub.users()
	if len(users) == 0 {
		return now // nobody to tell: a desktop that connects later lists them due
	}
	cbs, err := s.store.Callbacks(ctx, "", nil, true)
	if err != nil {
		s.logger.Error("callbacks due", logErr, err)
		return since
	}
	sportello.OrderCallbacks(cbs, s.Overdue.Retry)
	// Those just due, in the calling order: the pool's, and by owner (a
	// user's id, or a desk's "desk:<id>"), to look up per user below as
	// Callback.OwnedBy would match them, narrowed by role: the pool's to
	// operators, a desk's not to supervisors and admins.
	var pool []*sportello.Callback
	byOwner := map[string][]*sportello.Callback{}
	rank := map[*sportello.Callback]int{}
	deskOwned := false
	for _, cb := range cbs {
		if at := cb.DueAt(); !at.After(since) || at.After(now) {
			continue
		}
		rank[cb] = len(rank)
		s.logger.Debug("callback due", logCaseID, cb.CaseID, "callback", cb.ID, "owner", cb.Owner)
		if cb.Owner == sportello.OwnerPool {
			pool = append(pool, cb)
			continue
		}
		byOwner[cb.Owner] = append(byOwner[cb.Owner], cb)
		deskOwned = deskOwned || strings.HasPrefix(cb.Owner, sportello.OwnerDeskPrefix)
	}
	if len(rank) == 0 {
		return now
	}
	var desksOf map[string][]string // user id -> desks, read when a desk has one due
	if deskOwned {
		members, err := s.store.DeskMembers(ctx)
		if err != nil {
			s.logger.Error("callbacks due: desks", logErr, err)
		}
		desksOf = map[string][]string{}
		for _, m := range members {
			desksOf[m.UserID] = append(desksOf[m.UserID], m.DeskID)
		}
	}
	frames := map[string][]byte{} // by user id
	encoded := map[dueKey][]byte{}
	for id, u := range users {
		var first *sportello.Callback
		n := 0
		take := func(list []*sportello.Callback) {
			if len(list) == 0 {
				return
			}
			if first == nil || rank[list[0]] < rank[first] {
				first = list[0]
			}
			n += len(list)
		}
		take(byOwner[id])
		if u.Role == sportello.RoleOperator {
			take(pool)
		}
		if u.Role != sportello.RoleSupervisor && u.Role != sportello.RoleAdmin {
			for _, d := range desksOf[id] {
				take(byOwner[sportello.OwnerDeskPrefix+d])
			}
		}
		if first == nil {
			continue
		}
		k := dueKey{first.ID, n - 1}
		frame, ok := encoded[k]
		if !ok {
			if frame, err = json.Marshal(wire.CallbackDueFrame(first, n-1)); err != nil {
				s.logger.Error("callbacks due: frame", logErr, err)
				continue
			}
			encoded[k] = frame
		}
		frames[id] = frame
	}
	pushed := s.hub.pushDue(frames)
	s.logger.Info("callbacks due", "due", len(rank), "users", len(frames), "pushed", pushed)
	if pushed > 0 {
		s.metrics.add(`syncd_ops_total{kind="callback_due",result="pushed"}`, int64(pushed))
	}
	return now
}

// dueKey names a callback_due frame: its first callback and how many more.
type dueKey struct {
	id   string
	more int
}

// users returns the users with a connection open, by id.
func (h *hub) users() map[string]*sportello.User {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]*sportello.User, len(h.conns))
	for c := range h.conns {
		out[c.user.ID] = c.user
	}
	return out
}

// pushDue offers each connection its user's frame, never waiting: a full
// queue skips it. It returns how many took one.
func (h *hub) pushDue(frames map[string][]byte) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for c := range h.conns {
		frame, ok := frames[c.user.ID]
		if !ok {
			continue
		}
		select {
		case c.dues <- frame:
			n++
		default:
		}
	}
	return n
}
