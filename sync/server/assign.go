package server

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// AssignStore is the part of the store behind assigning a case to a
// specialist: who the specialist is.
type AssignStore interface {
	// UserByID returns a user, or ENOTFOUND.
	UserByID(ctx context.Context, id string) (*sportello.User, error)
}

// handleAssignCase serves POST /v1/cases/{id}/assign: a supervisor (or an
// admin) gives a case waiting at a desk to a specialist who works there.
// The case becomes theirs as if they had claimed it (an assigned event),
// and the change reaches the desk's desktops, the specialist's among
// them, like a claim. The specialist must be a member of the case's desk
// (checked inside the store's transaction, on the case as stored).
func (s *Server) handleAssignCase(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var req wire.AssignCaseRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := strings.TrimSpace(req.AssigneeID)
	if id == "" {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "choose the specialist to assign the case to"))
		return
	}
	specialist, err := s.store.UserByID(r.Context(), id)
	if sportello.ErrorCode(err) == sportello.ENOTFOUND {
		err = sportello.Errorf(sportello.EINVALID, "no user has id %s", id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if specialist.Role != sportello.RoleSpecialist {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "%s is not a specialist: a case is assigned to a specialist of its desk", specialist.Name))
		return
	}
	desks, err := s.store.UserDesks(r.Context(), specialist.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	atDesk := func(c *sportello.Case) error {
		if !slices.Contains(desks, c.DeskID) {
			return sportello.Errorf(sportello.ECONFLICT, "%s does not work at the case's desk", specialist.Name)
		}
		return nil
	}
	caseID := r.PathValue("id")
	e := sportello.CaseEvent{ID: req.ID, Kind: sportello.EventAssigned, AssigneeID: specialist.ID, Assignee: specialist.Name}
	k, replayed, err := s.store.RecordCaseEvent(r.Context(), u, caseID, e, atDesk)
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
	s.logger.Info("case assigned", logAgent, u.Username, logCaseID, caseID, "to", specialist.Username)
	s.publishNew(r.Context())
	s.writeJSON(w, http.StatusCreated, k)
}
