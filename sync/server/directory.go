package server

import (
	"context"
	"net/http"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// DirectoryStore is the part of the store that keeps the transfer
// directory (rubrica trasferimenti).
type DirectoryStore interface {
	// DirectoryPage returns up to limit directory entries with ids after
	// after, in id order; DirectoryTotal counts them all.
	DirectoryPage(ctx context.Context, after string, limit int) ([]sportello.DirectoryEntry, error)
	DirectoryTotal(ctx context.Context) (int, error)
}

// handleDirectory serves GET /v1/directory: one page of the transfer
// directory, paged by id like GET /v1/kb, for desktops to copy it.
func (s *Server) handleDirectory(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	after := r.URL.Query().Get("after")
	if len(after) > maxKBCursor {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "after is longer than %d bytes", maxKBCursor))
		return
	}
	limit, err := queryInt(r, "limit", wire.DirectoryPageLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if limit < 1 || limit > wire.DirectoryPageLimit {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "limit must be between 1 and %d", wire.DirectoryPageLimit))
		return
	}
	entries, err := s.store.DirectoryPage(r.Context(), after, int(limit))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	total, err := s.store.DirectoryTotal(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if entries == nil {
		entries = []sportello.DirectoryEntry{}
	}
	s.writeJSON(w, http.StatusOK, wire.DirectoryPageResponse{Entries: entries, Total: total})
}
