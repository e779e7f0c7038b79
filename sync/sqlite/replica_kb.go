package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/sportello/sportello"
)

// The replica's copy of the knowledge base, searched as the operator types:
// FTS5 with accents and case folded, prefixes, and sportello.Synonyms.
const replicaKBSchema = `
CREATE TABLE IF NOT EXISTS kb (
	id         TEXT PRIMARY KEY,
	body       TEXT NOT NULL,
	updated_at TEXT NOT NULL DEFAULT ''
);
CREATE VIRTUAL TABLE IF NOT EXISTS kb_fts USING fts5(
	id UNINDEXED, title, summary, keywords, details,
	tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);`

// kbRankCap bounds the matches one search ranks: a prefix as common as
// "ca" matches thousands of 50,000 entries, and ranking them all took
// longer than a keystroke. The first kbRankCap matches (in the order the
// entries were copied) are ranked instead; the next letters typed narrow
// the matches under the cap. (Ranking the first 1,000 cost 10% more CPU
// per keystroke; ranking in Go instead of with bm25, 60% more.)
const kbRankCap = 500

// PutKB stores entries (replacing those with the same id) in one transaction.
func (r *Replica) PutKB(ctx context.Context, entries []sportello.KBEntry) error {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, e := range entries {
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		// The index row has the entry's rowid, so replacing it is a
		// lookup: by the unindexed id it was a scan of the whole index
		// per entry (50,000 entries took minutes to copy).
		var rowid int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO kb (id, body, updated_at) VALUES (?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
			RETURNING rowid`,
			e.ID, string(body), e.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000000000Z")).Scan(&rowid); err != nil {
			return fmt.Errorf("store kb entry %s: %w", e.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM kb_fts WHERE rowid = ?`, rowid); err != nil {
			return err
		}
		details := strings.Join(append([]string{e.Body, e.Who, e.Cost, e.HowTo, e.Address, e.HoursText}, e.Documents...), " ")
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_fts (rowid, id, title, summary, keywords, details) VALUES (?, ?, ?, ?, ?, ?)`,
			rowid, e.ID, e.Title, e.Summary, strings.Join(e.Keywords, " "), details); err != nil {
			return fmt.Errorf("index kb entry %s: %w", e.ID, err)
		}
	}
	return tx.Commit()
}

// checkKBIndex empties the replica's knowledge base when its index rows
// do not share their entries' rowids (a replica written before PutKB
// kept them so): the next sign-in copies it again.
func (r *Replica) checkKBIndex(ctx context.Context) error {
	var schema string
	if err := r.db.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = 'kb_fts'`).Scan(&schema); err != nil {
		return err
	}
	if !strings.Contains(schema, "prefix") {
		// An index without the prefix indexes: made again, empty.
		_, err := r.db.ExecContext(ctx, `DROP TABLE kb_fts; DELETE FROM kb;`+replicaKBSchema)
		return err
	}
	var stale bool
	if err := r.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM kb_fts f
		WHERE NOT EXISTS (SELECT 1 FROM kb k WHERE k.rowid = f.rowid AND k.id = f.id))`).Scan(&stale); err != nil || !stale {
		return err
	}
	_, err := r.db.ExecContext(ctx, `DELETE FROM kb; DELETE FROM kb_fts;`)
	return err
}

// KBCount returns how many entries the replica holds.
func (r *Replica) KBCount(ctx context.Context) (int, error) {
	var n int
	err := r.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM kb`).Scan(&n)
	return n, err
}

// KBQuery turns what the operator typed into an FTS5 query: every word
// must match, as a prefix, or as one of its synonyms. Words of one letter
// and FTS5 syntax are dropped, so any input is safe. It returns "" when
// nothing searchable is left.
func KBQuery(typed string) string {
	var clauses []string
	for _, w := range strings.FieldsFunc(sportello.FoldText(typed), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(w)) < 2 {
			continue
		}
		alts := []string{`"` + w + `"*`}
		for _, syn := range sportello.Synonyms[w] {
			// Every word of the synonym, in any order: "carta identita
			// elettronica" matches "Carta d'identità elettronica".
			words := strings.Fields(syn)
			for i := range words {
				words[i] = `"` + words[i] + `"`
			}
			alts = append(alts, "("+strings.Join(words, " AND ")+")")
		}
		clauses = append(clauses, "("+strings.Join(alts, " OR ")+")")
	}
	return strings.Join(clauses, " AND ")
}

// SearchKB returns at most limit entries matching typed, best first (a
// match in the title weighs most), with the matched words marked.
func (r *Replica) SearchKB(ctx context.Context, typed string, limit int) ([]sportello.KBHit, error) {
	q := KBQuery(typed)
	if q == "" {
		return nil, nil
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	// On 50,000 entries (BenchmarkReplica_SearchKB) three things kept a
	// keystroke over 30 ms: ORDER BY bm25() computed highlight, snippet
	// and the join for every match before sorting (ORDER BY rank lets
	// FTS5 sort the matches itself, its sorted plan, so they run for the
	// rows returned only); ranking every match of a common prefix such as
	// "ca" (only the matches before the kbRankCap-th, in rowid order, are
	// ranked: finding that rowid streams); and expanding 2- and 3-letter
	// prefixes over the whole vocabulary (prefix indexes).
	var bound int64 = math.MaxInt64
	err := r.db.QueryRowContext(ctx, `SELECT rowid FROM kb_fts WHERE kb_fts MATCH ? ORDER BY rowid LIMIT 1 OFFSET ?`, q, kbRankCap).Scan(&bound)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("search knowledge base: %w", err)
	}
	rows, err := r.db.QueryContext(ctx, `
		SELECT kb.body, highlight(kb_fts, 1, ?, ?), snippet(kb_fts, 2, ?, ?, '…', 32)
		FROM kb_fts JOIN kb ON kb.rowid = kb_fts.rowid
		WHERE kb_fts MATCH ? AND rank MATCH 'bm25(0.0, 10.0, 3.0, 5.0, 1.0)' AND kb_fts.rowid < ?
		ORDER BY rank
		LIMIT ?`, sportello.Mark, sportello.MarkEnd, sportello.Mark, sportello.MarkEnd, q, bound, limit)
	if err != nil {
		return nil, fmt.Errorf("search knowledge base: %w", err)
	}
	defer rows.Close()
	var hits []sportello.KBHit
	for rows.Next() {
		var body string
		var h sportello.KBHit
		if err := rows.Scan(&body, &h.Title, &h.Snippet); err != nil {
			return nil, err
		}
		h.Entry = &sportello.KBEntry{}
		if err := json.Unmarshal([]byte(body), h.Entry); err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// KBEntry returns one entry by id, or ENOTFOUND.
func (r *Replica) KBEntry(ctx context.Context, id string) (*sportello.KBEntry, error) {
	var body string
	if err := r.db.QueryRowContext(ctx, `SELECT body FROM kb WHERE id = ?`, id).Scan(&body); err != nil {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no knowledge-base entry %s", id)
	}
	var e sportello.KBEntry
	return &e, json.Unmarshal([]byte(body), &e)
}
