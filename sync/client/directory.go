package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

var _ sportello.DirectoryService = (*Client)(nil)

// DirectoryReplica is the part of the replica that keeps the transfer
// directory.
type DirectoryReplica interface {
	ReplaceDirectory(ctx context.Context, entries []sportello.DirectoryEntry) error
	SearchDirectory(ctx context.Context, typed string, limit int) ([]sportello.DirectoryEntry, error)
}

// SyncDirectory copies syncd's transfer directory into the replica: every
// page, then all at once in place of the old copy, so that numbers syncd
// dropped are not offered for transfer any more.
func (c *Client) SyncDirectory(ctx context.Context) error {
	dr, ok := c.Replica.(DirectoryReplica)
	if !ok {
		return sportello.Errorf(sportello.EINVALID, "this desktop keeps no transfer directory")
	}
	var all []sportello.DirectoryEntry
	after := ""
	for {
		var page wire.DirectoryPageResponse
		path := "/v1/directory?limit=" + strconv.Itoa(wire.DirectoryPageLimit) + "&after=" + url.QueryEscape(after)
		if err := c.do(ctx, http.MethodGet, path, nil, &page); err != nil {
			return err
		}
		if len(page.Entries) == 0 {
			return dr.ReplaceDirectory(ctx, all)
		}
		all = append(all, page.Entries...)
		after = page.Entries[len(page.Entries)-1].ID
	}
}

// SearchDirectory searches the replica's copy of the transfer directory:
// it answers as fast as the operator types, and while syncd is unreachable.
func (c *Client) SearchDirectory(ctx context.Context, typed string, limit int) ([]sportello.DirectoryEntry, error) {
	dr, ok := c.Replica.(DirectoryReplica)
	if !ok {
		return nil, sportello.Errorf(sportello.EUNAVAILABLE, "this desktop keeps no transfer directory")
	}
	return dr.SearchDirectory(ctx, typed, limit)
}
