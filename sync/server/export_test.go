package server

import (
	"context"

	"github.com/sportello/sportello"
)

// BoardRecompute marks the store's part of the board changed (all of it)
// and recomputes the board, as after a change, for benchmarks.
func (s *Server) BoardRecompute(ctx context.Context) error {
	s.boardSectionsChanged(readAll)
	_, err := s.boardOf().recompute(ctx, true)
	return err
}

// SetPresenceForTest records an agent's state as POST /v1/presence does,
// without a session, for benchmarks.
func (s *Server) SetPresenceForTest(ctx context.Context, u *sportello.User, p sportello.Presence) error {
	b := s.boardOf()
	b.beginSave()
	defer b.endSave()
	if b.setPresence(u, p, s.Now()) {
		return b.savePresence(ctx, u.ID)
	}
	return nil
}

// BoardRecomputeAfter marks the sections of the board changes move and
// recomputes the board, for benchmarks.
func (s *Server) BoardRecomputeAfter(ctx context.Context, changes []sportello.Change) error {
	s.boardChangedBy(changes)
	_, err := s.boardOf().recompute(ctx, true)
	return err
}
