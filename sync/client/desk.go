package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

var _ sportello.DeskService = (*Client)(nil)

// Desks returns every desk, the user's own marked Member.
func (c *Client) Desks(ctx context.Context) ([]sportello.Desk, error) {
	var resp wire.DesksResponse
	if err := c.do(ctx, http.MethodGet, "/v1/desks", nil, &resp); err != nil {
		return nil, err
	}
	return resp.Desks, nil
}

// Queue returns the cases at the user's desks, oldest escalation first.
func (c *Client) Queue(ctx context.Context) ([]*sportello.Case, error) {
	var resp wire.QueueResponse
	if err := c.do(ctx, http.MethodGet, "/v1/queue", nil, &resp); err != nil {
		return nil, err
	}
	return resp.Cases, nil
}

// CaseAction records one action on a case straight on syncd: a desk's
// work needs syncd's answer (a claim may be someone else's already), so
// it is not queued while syncd is unreachable but fails with EUNAVAILABLE.
// The action carries an id (e.ID, or a new UUIDv7), so a resend after a
// lost answer is recorded once.
func (c *Client) CaseAction(ctx context.Context, caseID string, e sportello.CaseEvent) (*sportello.Case, error) {
	if caseID == "" {
		return nil, sportello.Errorf(sportello.EINVALID, "name the case")
	}
	if e.ID == "" {
		e.ID = newID()
	}
	req := wire.CaseEventRequest{ID: e.ID, Kind: e.Kind, Note: e.Note, DeskID: e.DeskID}
	var k sportello.Case
	if err := c.do(ctx, http.MethodPost, "/v1/cases/"+url.PathEscape(caseID)+"/events", req, &k); err != nil {
		return nil, err
	}
	return &k, nil
}
