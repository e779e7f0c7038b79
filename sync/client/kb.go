package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

var _ sportello.KBService = (*Client)(nil)

// KBReplica is the part of the replica that keeps the knowledge base.
type KBReplica interface {
	PutKB(ctx context.Context, entries []sportello.KBEntry) error
	SearchKB(ctx context.Context, typed string, limit int) ([]sportello.KBHit, error)
	KBCount(ctx context.Context) (int, error)
}

// SyncKB copies syncd's knowledge base into the replica, page by page,
// calling progress(done, total) after each page.
func (c *Client) SyncKB(ctx context.Context, progress func(done, total int)) error {
	kr, ok := c.Replica.(KBReplica)
	if !ok {
		return sportello.Errorf(sportello.EINVALID, "this desktop keeps no knowledge base")
	}
	after, done := "", 0
	for {
		var page wire.KBPageResponse
		path := "/v1/kb?limit=" + strconv.Itoa(wire.KBPageLimit) + "&after=" + url.QueryEscape(after)
		if err := c.do(ctx, http.MethodGet, path, nil, &page); err != nil {
			return err
		}
		if len(page.Entries) == 0 {
			if progress != nil {
				progress(done, done)
			}
			return nil
		}
		if err := kr.PutKB(ctx, page.Entries); err != nil {
			return err
		}
		done += len(page.Entries)
		after = page.Entries[len(page.Entries)-1].ID
		if progress != nil {
			progress(done, max(page.Total, done))
		}
	}
}

// SearchKB searches the replica's copy of the knowledge base: it answers
// as fast as the operator types, and while syncd is unreachable.
func (c *Client) SearchKB(ctx context.Context, typed string, limit int) ([]sportello.KBHit, error) {
	kr, ok := c.Replica.(KBReplica)
	if !ok {
		return nil, sportello.Errorf(sportello.EUNAVAILABLE, "this desktop keeps no knowledge base")
	}
	return kr.SearchKB(ctx, typed, limit)
}
