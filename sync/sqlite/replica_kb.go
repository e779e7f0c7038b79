package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
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
	tokenize = 'unicode61 remove_diacritics 2'
);`

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
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb (id, body, updated_at) VALUES (?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
			e.ID, string(body), e.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000000000Z")); err != nil {
			return fmt.Errorf("store kb entry %s: %w", e.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM kb_fts WHERE id = ?`, e.ID); err != nil {
			return err
		}
		details := strings.Join(append([]string{e.Body, e.Who, e.Cost, e.HowTo, e.Address, e.HoursText}, e.Documents...), " ")
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_fts (id, title, summary, keywords, details) VALUES (?, ?, ?, ?, ?)`,
			e.ID, e.Title, e.Summary, strings.Join(e.Keywords, " "), details); err != nil {
			return fmt.Errorf("index kb entry %s: %w", e.ID, err)
		}
	}
	return tx.Commit()
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
	rows, err := r.db.QueryContext(ctx, `
		SELECT kb.body, highlight(kb_fts, 1, ?, ?), snippet(kb_fts, 2, ?, ?, '…', 32)
		FROM kb_fts JOIN kb ON kb.id = kb_fts.id
		WHERE kb_fts MATCH ?
		ORDER BY bm25(kb_fts, 0, 10.0, 3.0, 5.0, 1.0)
		LIMIT ?`, sportello.Mark, sportello.MarkEnd, sportello.Mark, sportello.MarkEnd, q, limit)
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
