package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

var _ sportello.CitizenEditService = (*Client)(nil)

// Registering, editing and merging citizens are not queued in the outbox:
// a tax code already registered, or a number refused, must be answered
// while the citizen is on the phone, and only syncd knows every record.
// Offline they fail at once with EUNAVAILABLE in words the operator can
// act on.

// CreateCitizen registers a citizen on syncd, giving it a UUIDv7 when it
// has none so that a resend after a lost answer is harmless.
func (c *Client) CreateCitizen(ctx context.Context, in sportello.Citizen, reason string) (*sportello.Citizen, error) {
	if in.ID == "" {
		in.ID = newID()
	}
	var out sportello.Citizen
	if err := c.do(ctx, http.MethodPost, "/v1/citizens?reason="+url.QueryEscape(reason), in, &out); err != nil {
		return nil, needsSyncd(err, "registering a citizen")
	}
	c.keepCitizen(ctx, &out)
	return &out, nil
}

// UpdateCitizen saves an edit of a known citizen on syncd.
func (c *Client) UpdateCitizen(ctx context.Context, in sportello.Citizen, reason string) (*sportello.Citizen, error) {
	if in.ID == "" {
		return nil, sportello.Errorf(sportello.EINVALID, "id: name the citizen to edit")
	}
	var out sportello.Citizen
	if err := c.do(ctx, http.MethodPut, "/v1/citizens/"+url.PathEscape(in.ID)+"?reason="+url.QueryEscape(reason), in, &out); err != nil {
		return nil, needsSyncd(err, "editing a citizen")
	}
	c.keepCitizen(ctx, &out)
	return &out, nil
}

// SearchCitizens finds citizens on syncd by name, tax code or number.
func (c *Client) SearchCitizens(ctx context.Context, query, reason string) ([]sportello.Citizen, error) {
	var resp wire.CitizensResponse
	if err := c.do(ctx, http.MethodGet, "/v1/citizens?q="+url.QueryEscape(query)+"&reason="+url.QueryEscape(reason), nil, &resp); err != nil {
		return nil, needsSyncd(err, "searching citizens")
	}
	return resp.Citizens, nil
}

// MergeCitizens merges the duplicate into the kept citizen on syncd.
func (c *Client) MergeCitizens(ctx context.Context, keepID, duplicateID, reason string) (*sportello.Citizen, error) {
	var out sportello.Citizen
	body := sportello.CitizenMerge{DuplicateID: duplicateID, Reason: reason}
	if err := c.do(ctx, http.MethodPost, "/v1/citizens/"+url.PathEscape(keepID)+"/merge", body, &out); err != nil {
		return nil, needsSyncd(err, "merging citizens")
	}
	c.keepCitizen(ctx, &out)
	return &out, nil
}

// needsSyncd words an unreachable syncd for an action that cannot wait.
func needsSyncd(err error, what string) error {
	if sportello.ErrorCode(err) == sportello.EUNAVAILABLE {
		return sportello.Errorf(sportello.EUNAVAILABLE, "%s needs syncd, which cannot be reached now: try again when the desktop is back online", what)
	}
	return err
}

// keepCitizen puts a citizen as syncd saved it on the kept card of each of
// its numbers, so that an offline lookup of a caller just registered
// finds the citizen, not an unknown caller.
func (c *Client) keepCitizen(ctx context.Context, ct *sportello.Citizen) {
	if c.Replica == nil {
		return
	}
	for _, n := range ct.Phones {
		card, err := c.Replica.Card(ctx, n)
		if err != nil {
			card = &sportello.CallerCard{Number: n, Cases: []*sportello.Case{}}
		}
		card.Citizen = ct
		if err := c.Replica.PutCard(ctx, card); err != nil {
			c.logger.Warn("keep card", logErr, err)
		}
	}
}
