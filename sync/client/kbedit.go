package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

var _ sportello.EditService = (*Client)(nil)

// EditReplica is the part of the replica that applies the edits of the
// knowledge base and of the directory that syncd pushes.
type EditReplica interface {
	ApplyKBEdit(ctx context.Context, e sportello.KBEntry) error
	RetireKB(ctx context.Context, id string) error
	ApplyDirectoryEdit(ctx context.Context, e sportello.DirectoryEntry) error
	RetireDirectory(ctx context.Context, id string) error
}

// SaveEdit sends an edit to syncd (POST for a new entry, PUT for a change,
// DELETE to retire) and applies what syncd saved to the replica at once,
// so that the editor's own search shows it before the push comes back. A
// stale edit is ECONFLICT with syncd's words (who changed it, when).
func (c *Client) SaveEdit(ctx context.Context, e sportello.Edit) (*sportello.EntryVersion, error) {
	base := "/v1/kb"
	if e.Directory != nil {
		base = "/v1/directory"
	}
	id := url.PathEscape(e.EntryID())
	var method, path string
	var body any
	switch {
	case e.Kind() == "":
		return nil, sportello.Errorf(sportello.EINVALID, "an edit names one knowledge-base entry or one directory entry")
	case e.Retire:
		method, path = http.MethodDelete, base+"/"+id+"?version="+strconv.Itoa(e.Base)
	case e.Base == 0:
		method, path = http.MethodPost, base
	default:
		method, path = http.MethodPut, base+"/"+id
	}
	if !e.Retire {
		// The entry carries the version the edit started from.
		if e.KB != nil {
			k := *e.KB
			k.Version = e.Base
			body = k
		} else {
			d := *e.Directory
			d.Version = e.Base
			body = d
		}
	}
	var v sportello.EntryVersion
	if err := c.do(ctx, method, path, body, &v); err != nil {
		return nil, err
	}
	c.applyVersion(ctx, v)
	return &v, nil
}

// History returns every saved version of an entry, oldest first.
func (c *Client) History(ctx context.Context, kind, id string) ([]sportello.EntryVersion, error) {
	base := "/v1/kb/"
	if kind == sportello.ChangeKindDirectory {
		base = "/v1/directory/"
	}
	var resp wire.HistoryResponse
	if err := c.do(ctx, http.MethodGet, base+url.PathEscape(id)+"/history", nil, &resp); err != nil {
		return nil, err
	}
	return resp.Versions, nil
}

// applyVersion puts what an edit saved into the replica.
func (c *Client) applyVersion(ctx context.Context, v sportello.EntryVersion) {
	ch := sportello.Change{Kind: v.Kind, EntryID: v.EntryID}
	if v.Action != sportello.EditRetired {
		ch.KB, ch.Directory = v.KB, v.Directory
	}
	c.applyEntryChange(ctx, ch)
}

// applyEntryChange applies a pushed edit of the knowledge base or of the
// directory to the replica (the entry saved, or its retirement), before
// the subscribers hear of it, so that a search they start finds it.
func (c *Client) applyEntryChange(ctx context.Context, ch sportello.Change) {
	er, ok := c.Replica.(EditReplica)
	if !ok || (ch.Kind != sportello.ChangeKindKB && ch.Kind != sportello.ChangeKindDirectory) {
		return
	}
	var err error
	switch {
	case ch.KB != nil:
		err = er.ApplyKBEdit(ctx, *ch.KB)
	case ch.Directory != nil:
		err = er.ApplyDirectoryEdit(ctx, *ch.Directory)
	case ch.Kind == sportello.ChangeKindKB:
		err = er.RetireKB(ctx, ch.EntryID)
	default:
		err = er.RetireDirectory(ctx, ch.EntryID)
	}
	if err != nil {
		c.logger.Warn("apply edit to replica", logErr, err, logSeq, ch.Seq)
	}
}
