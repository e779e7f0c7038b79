package server

import (
	"context"
	"sync"
)

// Notifier is implemented by a store that several syncd nodes share (such
// as sync/postgres): Changes sends the newest committed seq whenever any
// node commits changes, until ctx ends, then closes the channel. A server
// whose store is a Notifier follows it from Open to Close and publishes
// what other nodes wrote to its own WebSockets, reading the changes
// themselves from the store in seq order (so a missed or coalesced
// notification loses nothing: the next one catches up).
type Notifier interface {
	Changes(ctx context.Context) <-chan int64
}

// follower is the goroutine that follows a Notifier store.
type follower struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// follow starts following the store when it is a Notifier; nil otherwise.
func (s *Server) follow() *follower {
	n, ok := s.store.(Notifier)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &follower{cancel: cancel}
	changes := n.Changes(ctx)
	s.followBoard(ctx, f) // presence.go
	f.wg.Go(func() {
		for range changes {
			// publishNew reads from the last published seq, so seqs this
			// node published already (its own writes) are skipped.
			s.publishNew(ctx)
		}
	})
	s.logger.Info("following changes committed by other nodes")
	return f
}

// stop ends the following and waits for it.
func (f *follower) stop() {
	if f == nil {
		return
	}
	f.cancel()
	f.wg.Wait()
}
