package server

import (
	"context"
	"time"

	"github.com/sportello/sportello"
)

// ServiceFCRStore is the part of the store behind first-contact
// resolution per service on the board.
type ServiceFCRStore interface {
	// ServiceFCR counts the wrap-ups since a moment per service (a case
	// category), as recorded and true (see sportello.FCRCounts), by
	// service.
	ServiceFCR(ctx context.Context, since time.Time) ([]sportello.ServiceFCR, error)
}

// readServiceFCR reads today's first-contact resolution per service: one
// query with the board's other reads of today's wrap-ups, whatever the
// viewers.
func (b *board) readServiceFCR(ctx context.Context, day time.Time) ([]sportello.ServiceFCR, error) {
	return b.s.store.ServiceFCR(ctx, day)
}
