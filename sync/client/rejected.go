package client

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

var _ sportello.RejectedService = (*Client)(nil)

// rejectedLister is what a Replica keeping refused ops offers
// (sync/sqlite.Replica does).
type rejectedLister interface {
	Rejected(ctx context.Context) ([]wire.Op, error)
}

// Rejected returns the ops syncd refused, kept in the replica, oldest
// first, each said in a line: none without a replica that keeps them.
func (c *Client) Rejected(ctx context.Context) ([]sportello.RejectedChange, error) {
	r, ok := c.Replica.(rejectedLister)
	if !ok {
		return nil, nil
	}
	ops, err := r.Rejected(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]sportello.RejectedChange, 0, len(ops))
	for _, op := range ops {
		out = append(out, sportello.RejectedChange{ID: op.ID, Kind: op.Kind, Summary: opSummary(op), Reason: op.Rejected})
	}
	return out, nil
}

// opSummary says which change an op is: the call, number and note of a
// wrap-up, the number and reason of an offline read.
func opSummary(op wire.Op) string {
	var parts []string
	switch op.Kind {
	case wire.OpWrapUp:
		var w sportello.WrapUp
		if json.Unmarshal(op.Body, &w) == nil {
			parts = []string{w.CallID, w.CallerNumber, string(w.Outcome), clipRunes(w.Note, 80)}
		}
	case wire.OpOfflineRead:
		var r wire.OfflineRead
		if json.Unmarshal(op.Body, &r) == nil {
			parts = []string{r.Number, r.Reason}
		}
	}
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " · ")
}

// clipRunes shortens s to n runes, marking the cut.
func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
