package server

import (
	"context"
	"net/http"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/wire"
)

// AuditStore writes to the audit log the reads of a citizen's record that
// are not caller lookups: a citizen's appointments, and the cards a
// desktop showed from its replica while offline (issue 4).
type AuditStore interface {
	// RecordAccess writes one read of a citizen's record by actor to the
	// audit log, at e.At when it is not zero (else the store's now). With
	// a non-empty id a repeat of the id writes nothing and returns false.
	// An unknown citizen is ENOTFOUND.
	RecordAccess(ctx context.Context, actor *sportello.User, id string, e wire.AccessEntry) (bool, error)
}

// handleOfflineRead serves POST /v1/audit/offline: a citizen's card the
// desktop showed from its replica while syncd was unreachable, written to
// the audit log with the time it was read and the reason marked offline;
// a resend of the same id writes nothing (200, recorded false).
func (s *Server) handleOfflineRead(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var req wire.OfflineRead
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, number, at, reason, err := check.OfflineRead(req.ID, req.At, req.Number, req.Reason, s.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	recorded, err := s.store.RecordAccess(r.Context(), u, id, wire.AccessEntry{At: at, UserID: u.ID, CitizenID: req.CitizenID, Number: number, Reason: reason})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if recorded {
		s.metrics.inc(`syncd_ops_total{kind="offline_read",result="created"}`)
		s.logger.Info("offline read audited", logAgent, u.Username, "citizen_id", req.CitizenID)
	} else {
		w.Header().Set(HeaderReplayed, "true")
	}
	s.writeJSON(w, http.StatusOK, wire.OfflineReadResponse{Recorded: recorded})
}

// auditAppointments writes the read of a citizen's appointments to the
// audit log, with the reason the desktop gave when it gave one.
func (s *Server) auditAppointments(r *http.Request, u *sportello.User, citizenID string) error {
	reason := "appointments"
	if why := r.URL.Query().Get("reason"); why != "" {
		var err error
		if reason, err = check.CitizenReason(reason, why); err != nil {
			return err
		}
	}
	_, err := s.store.RecordAccess(r.Context(), u, "", wire.AccessEntry{UserID: u.ID, CitizenID: citizenID, Reason: reason})
	return err
}
