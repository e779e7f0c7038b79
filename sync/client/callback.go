package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

var _ sportello.CallbackService = (*Client)(nil)

// Callbacks returns the scheduled callbacks the user may work, first due
// first served.
func (c *Client) Callbacks(ctx context.Context) ([]*sportello.Callback, error) {
	var resp wire.CallbacksResponse
	if err := c.do(ctx, http.MethodGet, "/v1/callbacks", nil, &resp); err != nil {
		return nil, err
	}
	return resp.Callbacks, nil
}

// RecordAttempt records the outcome of a call made to honour a callback
// straight on syncd: like a desk's work it needs syncd's answer (the
// callback may be done already), so it is not queued while syncd is
// unreachable but fails with EUNAVAILABLE. An attempt without an op id
// (a.ID) gets one; the desktop keeps its id to resend, so that syncd
// records it once.
func (c *Client) RecordAttempt(ctx context.Context, id string, a sportello.CallbackAttempt) (*sportello.Callback, error) {
	if id == "" {
		return nil, sportello.Errorf(sportello.EINVALID, "name the callback")
	}
	if a.ID == "" {
		a.ID = newID()
	}
	var cb sportello.Callback
	req := wire.CallbackAttemptRequest{ID: a.ID, Outcome: a.Outcome, CallID: a.CallID}
	if err := c.do(ctx, http.MethodPost, "/v1/callbacks/"+url.PathEscape(id)+"/attempts", req, &cb); err != nil {
		return nil, err
	}
	return &cb, nil
}
