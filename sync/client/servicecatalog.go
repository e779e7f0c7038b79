package client

import (
	"context"

	"github.com/sportello/sportello"
)

var _ sportello.ServiceCatalog = (*Client)(nil)

// Services returns the service catalogue of the replica's knowledge base
// (copied at sign-in), by title; EUNAVAILABLE when the desktop keeps none.
func (c *Client) Services(ctx context.Context) ([]sportello.KBEntry, error) {
	sc, ok := c.Replica.(sportello.ServiceCatalog)
	if !ok {
		return nil, sportello.Errorf(sportello.EUNAVAILABLE, "this desktop keeps no knowledge base")
	}
	return sc.Services(ctx)
}
