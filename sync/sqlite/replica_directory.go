package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/sportello/sportello"
)

// The replica's copy of the transfer directory, searched as the operator
// types: FTS5 over name, group, keywords and note, accents and case
// folded, words by prefix (KBQuery).
const replicaDirectorySchema = `
CREATE TABLE IF NOT EXISTS directory (
	id   TEXT PRIMARY KEY,
	grp  TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS directory_fts USING fts5(
	id UNINDEXED, name, grp, keywords, note,
	tokenize = 'unicode61 remove_diacritics 2'
);`

// ReplaceDirectory makes entries the whole directory, in one transaction:
// the directory is small, so each sign-in copies all of it and entries
// syncd no longer has go away.
func (r *Replica) ReplaceDirectory(ctx context.Context, entries []sportello.DirectoryEntry) error {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM directory; DELETE FROM directory_fts;`); err != nil {
		return fmt.Errorf("clear directory: %w", err)
	}
	for _, e := range entries {
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO directory (id, grp, name, body) VALUES (?, ?, ?, ?)`,
			e.ID, e.Group, e.Name, string(body)); err != nil {
			return fmt.Errorf("store directory entry %s: %w", e.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO directory_fts (id, name, grp, keywords, note) VALUES (?, ?, ?, ?, ?)`,
			e.ID, e.Name, e.Group, strings.Join(e.Keywords, " "), e.Note); err != nil {
			return fmt.Errorf("index directory entry %s: %w", e.ID, err)
		}
	}
	return tx.Commit()
}

// DirectoryCount returns how many entries the replica's directory holds.
func (r *Replica) DirectoryCount(ctx context.Context) (int, error) {
	var n int
	err := r.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM directory`).Scan(&n)
	return n, err
}

// SearchDirectory returns at most limit entries matching typed, best first
// (a match in the name weighs most); with nothing searchable typed, the
// first entries by group and name.
func (r *Replica) SearchDirectory(ctx context.Context, typed string, limit int) ([]sportello.DirectoryEntry, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 5000)
	q := directoryQuery(typed)
	var query string
	args := []any{q, limit}
	if q == "" {
		if strings.TrimSpace(typed) != "" {
			return nil, nil // only one-letter words or punctuation: nothing yet
		}
		query = `SELECT body FROM directory ORDER BY grp, name LIMIT ?`
		args = []any{limit}
	} else {
		query = `SELECT directory.body FROM directory_fts JOIN directory ON directory.id = directory_fts.id
			WHERE directory_fts MATCH ?
			ORDER BY bm25(directory_fts, 0, 10.0, 2.0, 5.0, 1.0), directory.name
			LIMIT ?`
	}
	rows, err := r.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search directory: %w", err)
	}
	defer rows.Close()
	var out []sportello.DirectoryEntry
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var e sportello.DirectoryEntry
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// directoryQuery is KBQuery keeping one-digit words, since "municipio 3"
// must find Municipio 3 and not the other eight.
func directoryQuery(typed string) string {
	q := KBQuery(typed)
	for _, w := range strings.FieldsFunc(typed, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) == 1 && w[0] >= '0' && w[0] <= '9' {
			clause := `"` + w + `"`
			if q == "" {
				q = clause
			} else {
				q += " AND " + clause
			}
		}
	}
	return q
}
