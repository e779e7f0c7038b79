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

// pushDueCallbacks pushes a callback_due frame to the connected owners of
// every scheduled callback that became due (its window opened, or its
// next attempt under the retry policy came) after since and by the
// server's clock now; it returns now, the next look's since. A read that
// fails returns since, so that the next look pushes them.
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
	var due []*sportello.Callback
	for _, cb := range cbs {
		if at := cb.DueAt(); at.After(since) && !at.After(now) {
			due = append(due, cb)
		}
	}
	if len(due) == 0 {
		return now
	}
	desks := map[string][]string{} // user id -> desks, read once a look
	deskOf := func(id string) []string {
		d, ok := desks[id]
		if !ok {
			if d, err = s.store.UserDesks(ctx, id); err != nil {
				s.logger.Error("callbacks due: desks", logErr, err)
			}
			desks[id] = d
		}
		return d
	}
	pushed := 0
	for _, cb := range due {
		to := map[string]bool{}
		for id, u := range users {
			switch {
			case cb.Owner == id:
			case cb.Owner == sportello.OwnerPool && u.Role == sportello.RoleOperator:
			case strings.HasPrefix(cb.Owner, sportello.OwnerDeskPrefix) && u.Role != sportello.RoleSupervisor && u.Role != sportello.RoleAdmin &&
				cb.OwnedBy(id, deskOf(id)):
			default:
				continue
			}
			to[id] = true
		}
		if len(to) == 0 {
			continue
		}
		frame, err := json.Marshal(wire.CallbackDueFrame(cb))
		if err != nil {
			s.logger.Error("callbacks due: frame", logErr, err)
			continue
		}
		pushed += s.hub.pushDue(to, frame)
		s.logger.Info("callback due", logCaseID, cb.CaseID, "callback", cb.ID, "owner", cb.Owner)
	}
	if pushed > 0 {
		s.metrics.add(`syncd_ops_total{kind="callback_due",result="pushed"}`, int64(pushed))
	}
	return now
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

// pushDue offers frame to every connection of the users in to, never
// waiting: a full queue skips it. It returns how many took it.
func (h *hub) pushDue(to map[string]bool, frame []byte) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for c := range h.conns {
		if !to[c.user.ID] {
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
