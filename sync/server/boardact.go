package server

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// BoardActStore is the part of the store behind the board's callbacks,
// its intraday series and the supervisor's actions (issue 7).
type BoardActStore interface {
	// BoardCallbacks returns every scheduled callback and those done or
	// failed since a moment.
	BoardCallbacks(ctx context.Context, since time.Time) ([]*sportello.Callback, error)
	// WrapUpHours counts the wrap-ups since a moment by UTC hour.
	WrapUpHours(ctx context.Context, since time.Time) ([]wire.WrapUpHour, error)
	// ReassignCallback gives a scheduled callback to another owner.
	ReassignCallback(ctx context.Context, id, owner string) (*sportello.Callback, error)
	// MoveDeskMember takes a user out of a desk and into another.
	MoveDeskMember(ctx context.Context, userID, from, to string) error
}

// DefaultCallbacksOverdueAlert is how many overdue callbacks the board
// tolerates before it raises an alert.
const DefaultCallbacksOverdueAlert = 5

// callbacksOverdueAlert returns the threshold of overdue callbacks.
func (c BoardConfig) callbacksOverdueAlert() int {
	if c.CallbacksOverdueAlert > 0 {
		return c.CallbacksOverdueAlert
	}
	return DefaultCallbacksOverdueAlert
}

// callbackTarget returns the share of callbacks to make in their window.
func (c BoardConfig) callbackTarget() float64 {
	if c.CallbackTarget > 0 {
		return c.CallbackTarget
	}
	return sportello.DefaultCallbackTarget
}

// agentCalls is what this node measured of an agent's calls today, from
// the states their desktop reports: the current call's caller, and the
// handle times (answer to the end of the wrap-up) of today's calls.
type agentCalls struct {
	day     time.Time // the day the totals are for (its midnight)
	inCall  bool      // answered, not yet wrapped up
	start   time.Time // when the current call was answered
	total   time.Duration
	handled int
	call    sportello.PresenceCall
}

// actInput is the board's part for acting: callbacks and the intraday
// series read from the store, and what lives in this node's memory
// (agents' calls, raised hands).
type actInput struct {
	callbacks []*sportello.Callback
	hours     []wire.WrapUpHour
	members   []wire.DeskMember
	mos       []wire.WrapUpMOS // mos.go
	calls     map[string]*agentCalls
	hands     map[string]*sportello.RaisedHand
}

// callingState reports whether an agent in state s is busy with a call
// (ringing, talking or wrapping up): a state that carries a caller.
func callingState(s sportello.AgentState) bool {
	return s == sportello.AgentRinging || s == sportello.AgentOnCall || s == sportello.AgentWrapUp
}

// presence records an agent's new state: a call answered starts its
// handle time, which ends when the agent leaves the call and its
// wrap-up. It reports whether the caller changed. Called with b.mu held.
func (in *actInput) presence(id string, p sportello.Presence, now time.Time, loc *time.Location) bool {
	if in.calls == nil {
		in.calls = map[string]*agentCalls{}
	}
	a := in.calls[id]
	if a == nil {
		a = &agentCalls{}
		in.calls[id] = a
	}
	if day := startOfDay(now, loc); !a.day.Equal(day) {
		a.day, a.total, a.handled = day, 0, 0
	}
	switch {
	case p.State == sportello.AgentOnCall && !a.inCall:
		a.inCall, a.start = true, now
	case a.inCall && p.State != sportello.AgentOnCall && p.State != sportello.AgentWrapUp:
		a.inCall = false
		a.total += now.Sub(a.start)
		a.handled++
	}
	call := sportello.PresenceCall{}
	if callingState(p.State) {
		call = p.PresenceCall
	}
	changed := call != a.call
	a.call = call
	return changed
}

// checkPresenceCall refuses a caller on a state without a call, and a
// caller that is not plain text.
func checkPresenceCall(p *sportello.Presence) error {
	p.Caller, p.CallerName = strings.TrimSpace(p.Caller), strings.TrimSpace(p.CallerName)
	if err := checkPresenceMOS(p); err != nil { // mos.go
		return err
	}
	if !callingState(p.State) && p.PresenceCall != (sportello.PresenceCall{}) {
		return sportello.Errorf(sportello.EINVALID, "only a ringing, on-call or wrap-up state has a caller")
	}
	for _, s := range []string{p.Caller, p.CallerName} {
		if len(s) > sportello.MaxPresenceReason {
			return sportello.Errorf(sportello.EINVALID, "the caller is longer than %d bytes", sportello.MaxPresenceReason)
		}
		if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
			return sportello.Errorf(sportello.EINVALID, "the caller holds a control character or is not UTF-8 text")
		}
	}
	return nil
}

// applyAct completes a computed board: each agent's current call,
// average handle time and missed calls; callbacks due, overdue and done
// in their window; raised hands; the intraday series; and their alerts.
func applyAct(now time.Time, cfg BoardConfig, in boardInput, b *sportello.Board) {
	day := startOfDay(now, cfg.Location)
	missed := map[string]int{}
	for _, w := range in.wrapUps {
		if w.Outcome == sportello.OutcomeMissed {
			missed[w.AuthorID] += w.Count
		}
	}
	desks := map[string][]string{}
	for _, m := range in.act.members {
		desks[m.UserID] = append(desks[m.UserID], m.DeskID)
	}
	for i := range b.Agents {
		a := &b.Agents[i]
		a.MissedToday = missed[a.ID]
		a.Desks = desks[a.ID]
		c := in.act.calls[a.ID]
		if c == nil {
			continue
		}
		if callingState(a.State) {
			a.PresenceCall = c.call
		}
		if c.day.Equal(day) && c.handled > 0 {
			a.HandledMeasured = c.handled
			a.AvgHandle = (c.total / time.Duration(c.handled)).Round(time.Second)
		}
	}

	cbs := sportello.BoardCallbacks{Target: cfg.callbackTarget()}
	for _, cb := range in.act.callbacks {
		doneAt := time.Time{}
		if cb.State == sportello.CallbackDone && len(cb.Attempts) > 0 {
			doneAt = cb.Attempts[len(cb.Attempts)-1].At
		}
		switch {
		case cb.Overdue(now):
			cbs.Overdue = append(cbs.Overdue, sportello.BoardCallback{ID: cb.ID, CaseID: cb.CaseID, Number: cb.Number,
				CitizenName: cb.CitizenName, Reason: cb.Reason, To: cb.To.UTC(), Owner: cb.Owner})
		case cb.Due(now):
			cbs.DueNow++
		}
		closedToday := !cb.To.Before(day) && !cb.To.After(now)
		doneToday := !doneAt.IsZero() && !doneAt.Before(day)
		if closedToday || doneToday {
			cbs.DueToday++
			if !doneAt.IsZero() && !doneAt.After(cb.To) {
				cbs.InWindow++
			}
		}
	}
	slices.SortFunc(cbs.Overdue, func(x, y sportello.BoardCallback) int {
		return cmp.Or(x.To.Compare(y.To), strings.Compare(x.ID, y.ID))
	})
	cbs.OverdueCount = len(cbs.Overdue)
	cbs.Overdue = cbs.Overdue[:min(len(cbs.Overdue), sportello.MaxBoardOverdue):min(len(cbs.Overdue), sportello.MaxBoardOverdue)]
	b.Callbacks = cbs
	if n := cbs.OverdueCount; n > cfg.callbacksOverdueAlert() {
		b.Alerts = append(b.Alerts, sportello.BoardAlert{Kind: sportello.AlertCallbacksOverdue,
			Message: fmt.Sprintf("%d callbacks are overdue (more than %d)", n, cfg.callbacksOverdueAlert())})
	}

	for _, h := range in.act.hands {
		b.Hands = append(b.Hands, *h)
	}
	slices.SortFunc(b.Hands, func(x, y sportello.RaisedHand) int {
		return cmp.Or(x.At.Compare(y.At), strings.Compare(x.AgentID, y.AgentID))
	})
	for _, h := range b.Hands {
		if h.AnsweredByID == "" {
			b.Alerts = append(b.Alerts, sportello.BoardAlert{Kind: sportello.AlertHandRaised,
				Message: fmt.Sprintf("%s asks for help", h.AgentName)})
		}
	}

	b.Hours = hourSeries(now, cfg.Location, in.act.hours)
	applyMOS(in.act.mos, b) // mos.go
}

// hourSeries turns the store's UTC hours into today's local hours, from
// the first with a call to the current one.
func hourSeries(now time.Time, loc *time.Location, hours []wire.WrapUpHour) []sportello.BoardHour {
	byHour := map[int]*sportello.BoardHour{}
	first := 24
	for _, h := range hours {
		t := time.Unix(h.Hour, 0).In(loc)
		if !t.Before(startOfDay(now, loc)) {
			bh := byHour[t.Hour()]
			if bh == nil {
				bh = &sportello.BoardHour{Hour: t.Hour()}
				byHour[t.Hour()] = bh
			}
			bh.Handled += h.Handled
			bh.Resolved += h.Resolved
			first = min(first, t.Hour())
		}
	}
	if first == 24 {
		return nil
	}
	var out []sportello.BoardHour
	for h := first; h <= now.In(loc).Hour(); h++ {
		if bh := byHour[h]; bh != nil {
			out = append(out, *bh)
		} else {
			out = append(out, sportello.BoardHour{Hour: h})
		}
	}
	return out
}

// currentCall returns the caller an agent is on a call with, as last
// reported. Called with b.mu held.
func (b *board) currentCall(id string) sportello.PresenceCall {
	if p, ok := b.input.presence[id]; ok && callingState(p.state) {
		if c := b.input.act.calls[id]; c != nil {
			return c.call
		}
	}
	return sportello.PresenceCall{}
}

// setHand changes an agent's hand under the lock with fn, given the
// hands as the store has them (raised through any node), which returns
// the hand as it now is (nil: down) or an error; then writes it to the
// store (presence.go), pushes it to the agent's WebSockets on this node
// and recomputes the board.
func (s *Server) setHand(ctx context.Context, agentID string, fn func(hands map[string]*sportello.RaisedHand) (*sportello.RaisedHand, error)) (*sportello.RaisedHand, error) {
	b := s.boardOf()
	stored, err := s.store.Hands(ctx)
	if err != nil {
		return nil, err
	}
	b.beginSave()
	defer b.endSave()
	hands := make(map[string]*sportello.RaisedHand, len(stored))
	for i := range stored {
		hands[stored[i].AgentID] = &stored[i]
	}
	b.mu.Lock()
	h, err := fn(hands)
	var out *sportello.RaisedHand
	if h != nil {
		c := *h
		out = &c
	}
	if err == nil {
		b.input.act.hands = hands
	}
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if out != nil {
		err = s.store.SaveHand(ctx, b.node, *out)
	} else {
		err = s.store.DeleteHand(ctx, b.node, agentID)
	}
	if err != nil {
		return nil, err
	}
	if frame, err := json.Marshal(wire.HandFrame(out)); err == nil {
		s.hub.pushHand(agentID, frame)
	}
	b.poke()
	return out, nil
}

// handleRaiseHand serves POST /v1/hand: the operator asks a supervisor
// for help; the hand shows on every board with their current call.
func (s *Server) handleRaiseHand(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var req wire.RaiseHandRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	req.Note = strings.TrimSpace(req.Note)
	if len(req.Note) > sportello.MaxHandNote || !utf8.ValidString(req.Note) || strings.IndexFunc(req.Note, unicode.IsControl) >= 0 {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "the note must be plain text of at most %d bytes", sportello.MaxHandNote))
		return
	}
	now := s.Now().UTC()
	b := s.boardOf()
	h, err := s.setHand(r.Context(), u.ID, func(hands map[string]*sportello.RaisedHand) (*sportello.RaisedHand, error) {
		call := b.currentCall(u.ID)
		h := &sportello.RaisedHand{AgentID: u.ID, AgentName: u.Name, Note: req.Note, At: now, Caller: call.Caller, CallerName: call.CallerName}
		hands[u.ID] = h
		return h, nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger.Info("hand raised", logAgent, u.Username)
	s.writeJSON(w, http.StatusOK, h)
}

// handleLowerHand serves DELETE /v1/hand: the operator no longer needs
// help (or the supervisor came).
func (s *Server) handleLowerHand(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	if _, err := s.setHand(r.Context(), u.ID, func(hands map[string]*sportello.RaisedHand) (*sportello.RaisedHand, error) {
		delete(hands, u.ID)
		return nil, nil
	}); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleAnswerHand serves POST /v1/hands/{agent}/answer: a supervisor
// says they are coming; the operator's desktop shows who.
func (s *Server) handleAnswerHand(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	agent := r.PathValue("agent")
	now := s.Now().UTC()
	h, err := s.setHand(r.Context(), agent, func(hands map[string]*sportello.RaisedHand) (*sportello.RaisedHand, error) {
		h := hands[agent]
		if h == nil {
			return nil, sportello.Errorf(sportello.ENOTFOUND, "%s has no hand raised", agent)
		}
		h.AnsweredByID, h.AnsweredBy, h.AnsweredAt = u.ID, u.Name, now
		return h, nil
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger.Info("hand answered", logAgent, u.Username, "for", agent)
	s.writeJSON(w, http.StatusOK, h)
}

// handleReassignCallback serves POST /v1/callbacks/{id}/owner: a
// supervisor gives a scheduled callback to another agent, a desk or the
// pool.
func (s *Server) handleReassignCallback(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var req wire.ReassignCallbackRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	cb, err := s.store.ReassignCallback(r.Context(), r.PathValue("id"), strings.TrimSpace(req.Owner))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger.Info("callback reassigned", logAgent, u.Username, logCaseID, cb.CaseID, "owner", cb.Owner)
	s.publishNew(r.Context()) // its note's change: every callback list and the board read again
	s.writeJSON(w, http.StatusOK, cb)
}

// handleMoveAgent serves POST /v1/agents/{id}/desks: a supervisor moves
// an agent out of a desk and into another. The agent's open WebSockets
// keep the desks they had until they reconnect.
func (s *Server) handleMoveAgent(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var req wire.MoveAgentRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.From == "" && req.To == "" {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "say the desk to leave, to join, or both"))
		return
	}
	if req.From == req.To {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "the agent is moving to the desk they leave"))
		return
	}
	agent := r.PathValue("id")
	if err := s.store.MoveDeskMember(r.Context(), agent, req.From, req.To); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger.Info("agent moved", logAgent, u.Username, "moved", agent, "from", req.From, "to", req.To)
	s.boardSectionsChanged(readDesks) // boardread.go
	w.WriteHeader(http.StatusNoContent)
}

// handAttached gives a new WebSocket its user's hand, when raised.
func (s *Server) handAttached(c *wsConn) {
	b := s.boardOf()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.loadPresence(ctx); err != nil { // hands raised through any node (presence.go)
		s.logger.Error("hands", logErr, err)
	}
	b.mu.Lock()
	var h *sportello.RaisedHand
	if v := b.input.act.hands[c.user.ID]; v != nil {
		cp := *v
		h = &cp
	}
	b.mu.Unlock()
	if h == nil {
		return
	}
	if frame, err := json.Marshal(wire.HandFrame(h)); err == nil {
		offerHand(c, frame)
	}
}

// offerHand puts frame in c's hand queue, replacing one not yet sent.
func offerHand(c *wsConn, frame []byte) {
	for {
		select {
		case c.hands <- frame:
			return
		default:
		}
		select {
		case <-c.hands:
		default:
		}
	}
}

// pushHand offers frame to every WebSocket of a user.
func (h *hub) pushHand(userID string, frame []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		if c.user.ID == userID {
			offerHand(c, frame)
		}
	}
}
