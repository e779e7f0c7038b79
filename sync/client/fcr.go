package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

var (
	_ sportello.KBUsefulnessService     = (*Client)(nil)
	_ sportello.DeskAvailabilityService = (*Client)(nil)
)

// KBUsefulness returns how much each knowledge-base entry answered calls
// since a moment, as syncd counts it (supervisors, admins, and
// specialists for their desks' entries); straight from syncd, so
// EUNAVAILABLE offline.
func (c *Client) KBUsefulness(ctx context.Context, since time.Time) (*sportello.KBUsefulness, error) {
	var resp wire.KBUsefulnessResponse
	q := url.Values{"since": {since.UTC().Format(time.RFC3339)}}
	if err := c.do(ctx, http.MethodGet, "/v1/kb/usefulness?"+q.Encode(), nil, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// DeskAvailability returns who is available at each desk right now, from
// the states agents report to syncd; EUNAVAILABLE offline (nobody can
// know then).
func (c *Client) DeskAvailability(ctx context.Context) ([]sportello.DeskAvailability, error) {
	var resp wire.DeskAvailabilityResponse
	if err := c.do(ctx, http.MethodGet, "/v1/desks/availability", nil, &resp); err != nil {
		return nil, err
	}
	return resp.Desks, nil
}
