package server

import (
	"context"
	"net/http"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// CitizenStore is the part of the store that registers, edits, finds and
// merges citizens (issue 5, identity). Every method audits its use of
// each citizen's record and appends a change for each record written.
type CitizenStore interface {
	// CreateCitizen registers a citizen; a resend of the same citizen
	// under its id returns it with created false.
	CreateCitizen(ctx context.Context, actor *sportello.User, c sportello.Citizen, reason string) (_ *sportello.Citizen, created bool, _ error)
	// UpdateCitizen saves an edit of a known citizen.
	UpdateCitizen(ctx context.Context, actor *sportello.User, c sportello.Citizen, reason string) (*sportello.Citizen, error)
	// SearchCitizens finds citizens by tax code, number or name.
	SearchCitizens(ctx context.Context, actor *sportello.User, query, reason string) ([]sportello.Citizen, error)
	// MergeCitizens merges the duplicate into the kept citizen, in one
	// transaction, and returns the survivor; a repeat writes nothing.
	MergeCitizens(ctx context.Context, actor *sportello.User, keepID, duplicateID, reason string) (*sportello.Citizen, error)
}

// citizenWritten pushes the changes of a write of a citizen's record and
// lets the session see that citizen's changes from now on, as a lookup does.
func (s *Server) citizenWritten(r *http.Request, u *sportello.User, what string, ids ...string) {
	for _, id := range ids {
		s.hub.addCitizen(sessionKey(tokenOf(r)), id)
	}
	s.metrics.inc(`syncd_ops_total{kind="citizen",result="` + what + `"}`)
	s.publishNew(r.Context())
	s.logger.Info("citizen "+what, logAgent, u.Username, "citizen_id", ids[0])
}

// handleCreateCitizen serves POST /v1/citizens?reason=: 201 with the
// citizen as stored, or 200 and Idempotent-Replayed for a resend.
func (s *Server) handleCreateCitizen(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var c sportello.Citizen
	if err := decodeBody(w, r, &c); err != nil {
		s.writeError(w, r, err)
		return
	}
	saved, created, err := s.store.CreateCitizen(r.Context(), u, c, r.URL.Query().Get("reason"))
	if err != nil {
		s.metrics.inc(`syncd_ops_total{kind="citizen",result="refused"}`)
		s.writeError(w, r, err)
		return
	}
	if !created {
		w.Header().Set(HeaderReplayed, "true")
		s.hub.addCitizen(sessionKey(tokenOf(r)), saved.ID)
		s.writeJSON(w, http.StatusOK, saved)
		return
	}
	s.citizenWritten(r, u, "registered", saved.ID)
	s.writeJSON(w, http.StatusCreated, saved)
}

// handleUpdateCitizen serves PUT /v1/citizens/{id}?reason=: the citizen
// as edited, every field.
func (s *Server) handleUpdateCitizen(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var c sportello.Citizen
	if err := decodeBody(w, r, &c); err != nil {
		s.writeError(w, r, err)
		return
	}
	if c.ID != "" && c.ID != r.PathValue("id") {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "id: the body names %s, the path %s", c.ID, r.PathValue("id")))
		return
	}
	c.ID = r.PathValue("id")
	saved, err := s.store.UpdateCitizen(r.Context(), u, c, r.URL.Query().Get("reason"))
	if err != nil {
		s.metrics.inc(`syncd_ops_total{kind="citizen",result="refused"}`)
		s.writeError(w, r, err)
		return
	}
	s.citizenWritten(r, u, "edited", saved.ID)
	s.writeJSON(w, http.StatusOK, saved)
}

// handleSearchCitizens serves GET /v1/citizens?q=&reason=.
func (s *Server) handleSearchCitizens(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	found, err := s.store.SearchCitizens(r.Context(), u, r.URL.Query().Get("q"), r.URL.Query().Get("reason"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, wire.CitizensResponse{Citizens: found})
}

// handleMergeCitizens serves POST /v1/citizens/{id}/merge: the duplicate
// named in the body merges into the citizen of the path.
func (s *Server) handleMergeCitizens(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var m sportello.CitizenMerge
	if err := decodeBody(w, r, &m); err != nil {
		s.writeError(w, r, err)
		return
	}
	keep, err := s.store.MergeCitizens(r.Context(), u, r.PathValue("id"), m.DuplicateID, m.Reason)
	if err != nil {
		s.metrics.inc(`syncd_ops_total{kind="citizen",result="refused"}`)
		s.writeError(w, r, err)
		return
	}
	s.citizenWritten(r, u, "merged", keep.ID, m.DuplicateID)
	s.writeJSON(w, http.StatusOK, keep)
}
