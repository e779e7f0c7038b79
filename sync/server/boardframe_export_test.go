package server

// BoardFrameForTest returns the latest board frame as pushed to the
// supervisors' WebSockets, nil before the first recompute.
func (s *Server) BoardFrameForTest() []byte {
	b := s.boardOf()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.frame
}
