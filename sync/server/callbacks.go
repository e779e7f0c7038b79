package server

import (
	"context"
	"net/http"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// CallbackStore is the callbacks' part of Store (issue 5).
type CallbackStore interface {
	// Callbacks returns the scheduled callbacks of userID (their own,
	// the pool's and those of desks), every one when all, first due
	// first served (window start, window end, id).
	Callbacks(ctx context.Context, userID string, desks []string, all bool) ([]*sportello.Callback, error)
	// RecordCallbackAttempt records an attempt by actor on a callback in
	// one transaction, after allow accepts the actor on the callback as
	// stored, with a callback_attempt event (and its change) on the case.
	RecordCallbackAttempt(ctx context.Context, actor *sportello.User, id string, a sportello.CallbackAttempt, allow func(*sportello.Callback) error) (*sportello.Callback, error)
}

// handleCallbacks serves GET /v1/callbacks: the scheduled callbacks the
// user may work (every one for supervisors and admins), first due first.
func (s *Server) handleCallbacks(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	desks, err := s.store.UserDesks(r.Context(), u.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cbs, err := s.store.Callbacks(r.Context(), u.ID, desks, allDesks(u.Role))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if cbs == nil {
		cbs = []*sportello.Callback{}
	}
	sportello.OrderCallbacks(cbs, s.Overdue.Retry) // by next attempt (callbackdue.go)
	s.writeJSON(w, http.StatusOK, wire.CallbacksResponse{Callbacks: cbs})
}

// handleCallbackAttempt serves POST /v1/callbacks/{id}/attempts: the
// outcome of a call made to honour a callback. Only a callback of the
// user's own, of the pool or of one of their desks may be attempted.
func (s *Server) handleCallbackAttempt(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var req wire.CallbackAttemptRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	desks, err := s.store.UserDesks(r.Context(), u.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	allow := func(cb *sportello.Callback) error {
		if !cb.OwnedBy(u.ID, desks) {
			return sportello.Errorf(sportello.EFORBIDDEN, "the callback is someone else's")
		}
		return nil
	}
	cb, err := s.store.RecordCallbackAttempt(r.Context(), u, id, sportello.CallbackAttempt{ID: req.ID, Outcome: req.Outcome, CallID: req.CallID}, allow)
	if err != nil {
		s.metrics.inc(`syncd_ops_total{kind="callback_attempt",result="refused"}`)
		s.writeError(w, r, err)
		return
	}
	s.metrics.inc(`syncd_ops_total{kind="callback_attempt",result="created"}`)
	s.logger.Info("callback attempt", logAgent, u.Username, logCaseID, cb.CaseID, logKind, string(req.Outcome))
	s.publishNew(r.Context())
	s.writeJSON(w, http.StatusCreated, cb)
}
