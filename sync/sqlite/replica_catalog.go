package sqlite

import (
	"context"
	"slices"
	"strings"

	"github.com/sportello/sportello"
)

var _ sportello.ServiceCatalog = (*Replica)(nil)

// Services returns every service of the replica's knowledge base (retired
// entries are taken out of it), by title, each with only its id, kind,
// title and desk (OwnerDesk): what the category picker shows. The fields
// are read in SQL, not by decoding each entry in Go (half the time); it
// still reads every entry (BenchmarkReplica_Services), so the desktop
// reads it at most every few minutes, off Fyne's goroutine.
func (r *Replica) Services(ctx context.Context) ([]sportello.KBEntry, error) {
	rows, err := r.db.QueryContext(ctx, `
		SELECT id, COALESCE(json_extract(body, '$.title'), ''), COALESCE(json_extract(body, '$.owner_desk'), '')
		FROM kb WHERE json_extract(body, '$.kind') = ?`, string(sportello.EntryService))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sportello.KBEntry
	for rows.Next() {
		e := sportello.KBEntry{Kind: sportello.EntryService}
		if err := rows.Scan(&e.ID, &e.Title, &e.OwnerDesk); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b sportello.KBEntry) int {
		if c := strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}
