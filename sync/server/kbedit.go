package server

import (
	"context"
	"net/http"
	"strconv"

	"github.com/google/uuid"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// EditStore is the part of the store that saves edits of the knowledge
// base and of the transfer directory, with their history (issue 6).
type EditStore interface {
	// ApplyEdits saves edits by actor in one transaction, all or
	// nothing, each checked against the entry as stored and, for the
	// knowledge base, by rule on the entry before and after (nil when new,
	// nil when retired); each saved edit appends a change.
	ApplyEdits(ctx context.Context, actor *sportello.User, edits []sportello.Edit, rule func(old, next *sportello.KBEntry) error) ([]sportello.EntryVersion, error)
	// ApplyImport saves an import's edits like ApplyEdits and, in the
	// same transaction, retires the stored entries of the tables sweep
	// names that the edits do not name.
	ApplyImport(ctx context.Context, actor *sportello.User, edits []sportello.Edit, sweep sportello.Sweep) ([]sportello.EntryVersion, error)
	// History returns every version of an entry, oldest first.
	History(ctx context.Context, kind, id string) ([]sportello.EntryVersion, error)
}

// kbRule is the desk owners' side of the policy, judged on the entry as
// stored inside the store's transaction: a specialist edits only entries
// owned by one of their desks, and leaves them owned by one.
func kbRule(u *sportello.User, desks []string) func(old, next *sportello.KBEntry) error {
	return func(old, next *sportello.KBEntry) error {
		for _, e := range []*sportello.KBEntry{old, next} {
			if e != nil && !sportello.MayEditKB(u, desks, e) {
				if e.OwnerDesk == "" {
					return sportello.Errorf(sportello.EFORBIDDEN, "you may not edit an entry without an owner desk: ask an administrator")
				}
				return sportello.Errorf(sportello.EFORBIDDEN, "you may not edit this entry: it belongs to the desk %s, which is not one of yours", e.OwnerDesk)
			}
		}
		return nil
	}
}

// saveEdit applies one edit for u and answers with the version it made:
// 201 for a new entry, 200 otherwise.
func (s *Server) saveEdit(w http.ResponseWriter, r *http.Request, u *sportello.User, ed sportello.Edit) {
	var rule func(old, next *sportello.KBEntry) error
	if ed.KB != nil {
		desks, err := s.store.UserDesks(r.Context(), u.ID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		rule = kbRule(u, desks)
	}
	vs, err := s.store.ApplyEdits(r.Context(), u, []sportello.Edit{ed}, rule)
	if err != nil {
		s.metrics.inc(`syncd_ops_total{kind="edit",result="refused"}`)
		s.writeError(w, r, err)
		return
	}
	v := vs[0]
	s.metrics.inc(`syncd_ops_total{kind="edit",result="` + string(v.Action) + `"}`)
	s.publishNew(r.Context())
	s.logger.Info("entry saved", logAgent, u.Username, "entry", v.EntryID, "kind", v.Kind, "action", string(v.Action), "version", v.Version)
	status := http.StatusOK
	if v.Action == sportello.EditCreated {
		status = http.StatusCreated
	}
	s.writeJSON(w, status, v)
}

// handleCreateKB serves POST /v1/kb: a new entry (its version 0 or absent).
func (s *Server) handleCreateKB(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var e sportello.KBEntry
	if err := decodeBody(w, r, &e); err != nil {
		s.writeError(w, r, err)
		return
	}
	if e.ID == "" {
		e.ID = newEntryID()
	}
	s.saveEdit(w, r, u, sportello.Edit{KB: &e, Base: e.Version})
}

// handleUpdateKB serves PUT /v1/kb/{id}: the entry as edited, its version
// the one the edit started from.
func (s *Server) handleUpdateKB(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var e sportello.KBEntry
	if err := decodeBody(w, r, &e); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := updateTarget(r, &e.ID, e.Version); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.saveEdit(w, r, u, sportello.Edit{KB: &e, Base: e.Version})
}

// updateTarget checks an update's body against its path: the body's id,
// when given, is the path's (and is set from it), and the body names the
// version the edit started from.
func updateTarget(r *http.Request, bodyID *string, version int) error {
	if *bodyID != "" && *bodyID != r.PathValue("id") {
		return sportello.Errorf(sportello.EINVALID, "id: the body names %s, the path %s", *bodyID, r.PathValue("id"))
	}
	*bodyID = r.PathValue("id")
	if version < 1 {
		return sportello.Errorf(sportello.EINVALID, "version: name the version the edit started from")
	}
	return nil
}

// handleRetireKB serves DELETE /v1/kb/{id}?version=N: the entry leaves
// search; its history stays.
func (s *Server) handleRetireKB(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	base, err := baseVersion(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.saveEdit(w, r, u, sportello.Edit{KB: &sportello.KBEntry{ID: r.PathValue("id")}, Base: base, Retire: true})
}

// handleCreateDirectory serves POST /v1/directory.
func (s *Server) handleCreateDirectory(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var e sportello.DirectoryEntry
	if err := decodeBody(w, r, &e); err != nil {
		s.writeError(w, r, err)
		return
	}
	if e.ID == "" {
		e.ID = newEntryID()
	}
	s.saveEdit(w, r, u, sportello.Edit{Directory: &e, Base: e.Version})
}

// handleUpdateDirectory serves PUT /v1/directory/{id}.
func (s *Server) handleUpdateDirectory(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var e sportello.DirectoryEntry
	if err := decodeBody(w, r, &e); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := updateTarget(r, &e.ID, e.Version); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.saveEdit(w, r, u, sportello.Edit{Directory: &e, Base: e.Version})
}

// handleRetireDirectory serves DELETE /v1/directory/{id}?version=N.
func (s *Server) handleRetireDirectory(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	base, err := baseVersion(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.saveEdit(w, r, u, sportello.Edit{Directory: &sportello.DirectoryEntry{ID: r.PathValue("id")}, Base: base, Retire: true})
}

// handleKBHistory serves GET /v1/kb/{id}/history.
func (s *Server) handleKBHistory(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	s.history(w, r, sportello.ChangeKindKB)
}

// handleDirectoryHistory serves GET /v1/directory/{id}/history.
func (s *Server) handleDirectoryHistory(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	s.history(w, r, sportello.ChangeKindDirectory)
}

func (s *Server) history(w http.ResponseWriter, r *http.Request, kind string) {
	id := r.PathValue("id")
	if len(id) > maxKBCursor {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "the id is longer than %d bytes", maxKBCursor))
		return
	}
	vs, err := s.store.History(r.Context(), kind, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if vs == nil {
		vs = []sportello.EntryVersion{}
	}
	s.writeJSON(w, http.StatusOK, wire.HistoryResponse{Versions: vs})
}

// baseVersion reads the version a retirement started from (?version=N).
func baseVersion(r *http.Request) (int, error) {
	v := r.URL.Query().Get("version")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, sportello.Errorf(sportello.EINVALID, "version: name the version the retirement started from (?version=N), not %q", v)
	}
	return n, nil
}

// newEntryID returns an id (a UUIDv7, like every entity's) for an entry
// created without one.
func newEntryID() string { return uuid.Must(uuid.NewV7()).String() }
