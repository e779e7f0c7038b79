package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

var _ sportello.AssignService = (*Client)(nil)

// AssignCase gives a case waiting at a desk to one of the desk's
// specialists (supervisors and admins); online only, like the board's
// other actions.
func (c *Client) AssignCase(ctx context.Context, caseID, specialistID string) (*sportello.Case, error) {
	var k sportello.Case
	if err := c.do(ctx, http.MethodPost, "/v1/cases/"+url.PathEscape(caseID)+"/assign", wire.AssignCaseRequest{AssigneeID: specialistID}, &k); err != nil {
		return nil, err
	}
	return &k, nil
}
