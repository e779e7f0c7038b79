package server

import (
	"net/http"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// Log keys of the desks' work.
const (
	logCaseID = "case_id"
	logKind   = "kind"
)

// handleDesks serves GET /v1/desks: every desk, the user's own marked.
func (s *Server) handleDesks(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	desks, err := s.store.Desks(r.Context(), u.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, wire.DesksResponse{Desks: desks})
}

// handleQueue serves GET /v1/queue: the cases at the user's desks (every
// desk for supervisors and admins), oldest escalation first.
func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	cases, err := s.store.Queue(r.Context(), u.ID, allDesks(u.Role))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.queueSLA(cases) // sla.go: due time and flags, first due first
	if cases == nil {
		cases = []*sportello.Case{}
	}
	s.writeJSON(w, http.StatusOK, wire.QueueResponse{Cases: cases})
}

// handleCaseEvent serves POST /v1/cases/{id}/events: one action on a case
// (claim, release, note, answer ready, resolve, escalate to a desk). The
// role must allow the event's action; a specialist must work the case's
// desk; the case state machine decides the rest inside the store's
// transaction. syncd sets the author and the time.
func (s *Server) handleCaseEvent(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var req wire.CaseEventRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if a, ok := caseActions[req.Kind]; ok && !Allowed(u.Role, a) {
		s.logger.Info("forbidden", logAgent, u.Username, logMethod, r.Method, logPath, r.URL.Path, logKind, string(req.Kind))
		s.metrics.inc(`syncd_ops_total{kind="case_event",result="refused"}`)
		s.writeError(w, r, forbidden(u, a))
		return
	}
	var desks []string
	if u.Role == sportello.RoleSpecialist {
		var err error
		if desks, err = s.store.UserDesks(r.Context(), u.ID); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	caseID := r.PathValue("id")
	e := sportello.CaseEvent{ID: req.ID, Kind: req.Kind, Note: req.Note, DeskID: req.DeskID}
	k, replayed, err := s.store.RecordCaseEvent(r.Context(), u, caseID, e, deskRule(u, desks))
	if err != nil {
		s.metrics.inc(`syncd_ops_total{kind="case_event",result="refused"}`)
		s.writeError(w, r, err)
		return
	}
	if replayed {
		s.metrics.inc(`syncd_ops_total{kind="case_event",result="replayed"}`)
		w.Header().Set(HeaderReplayed, "true")
		s.writeJSON(w, http.StatusOK, k)
		return
	}
	s.metrics.inc(`syncd_ops_total{kind="case_event",result="created"}`)
	s.logger.Info("case event", logAgent, u.Username, logCaseID, caseID, logKind, string(req.Kind))
	if req.Kind == sportello.EventAnswerReady {
		if withCallback := s.answerReadyCallback(r.Context(), u, k); withCallback != nil {
			k = withCallback // replies.go
		}
	}
	// Pushed before the answer, as wrap-ups are: the desk's other
	// desktops see the claim no later than its author.
	s.publishNew(r.Context())
	s.writeJSON(w, http.StatusCreated, k)
}
