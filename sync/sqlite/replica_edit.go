package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sportello/sportello"
)

// The replica applies the edits syncd pushes (kinds sportello.ChangeKindKB
// and ChangeKindDirectory) so that search shows them at once.

// ApplyKBEdit puts a pushed knowledge-base entry into the replica and its
// search index, unless the replica holds a newer version already.
func (r *Replica) ApplyKBEdit(ctx context.Context, e sportello.KBEntry) error {
	if newer, err := r.holdsNewer(ctx, "kb", e.ID, e.Version); err != nil || newer {
		return err
	}
	return r.PutKB(ctx, []sportello.KBEntry{e})
}

// RetireKB takes a retired entry out of the replica and its search index.
func (r *Replica) RetireKB(ctx context.Context, id string) error {
	if _, err := r.db.ExecContext(ctx, `DELETE FROM kb WHERE id = ?`, id); err != nil {
		return err
	}
	_, err := r.db.ExecContext(ctx, `DELETE FROM kb_fts WHERE id = ?`, id)
	return err
}

// ApplyDirectoryEdit puts a pushed directory entry into the replica and its
// search index, unless the replica holds a newer version already.
func (r *Replica) ApplyDirectoryEdit(ctx context.Context, e sportello.DirectoryEntry) error {
	if newer, err := r.holdsNewer(ctx, "directory", e.ID, e.Version); err != nil || newer {
		return err
	}
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO directory (id, grp, name, body) VALUES (?, ?, ?, ?)`,
		e.ID, e.Group, e.Name, string(body)); err != nil {
		return fmt.Errorf("store directory entry %s: %w", e.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM directory_fts WHERE id = ?`, e.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO directory_fts (id, name, grp, keywords, note) VALUES (?, ?, ?, ?, ?)`,
		e.ID, e.Name, e.Group, strings.Join(e.Keywords, " "), e.Note); err != nil {
		return fmt.Errorf("index directory entry %s: %w", e.ID, err)
	}
	return tx.Commit()
}

// RetireDirectory takes a retired entry out of the replica's directory.
func (r *Replica) RetireDirectory(ctx context.Context, id string) error {
	if _, err := r.db.ExecContext(ctx, `DELETE FROM directory WHERE id = ?`, id); err != nil {
		return err
	}
	_, err := r.db.ExecContext(ctx, `DELETE FROM directory_fts WHERE id = ?`, id)
	return err
}

// DirectoryEntry returns one entry of the replica's directory by id, or
// ENOTFOUND.
func (r *Replica) DirectoryEntry(ctx context.Context, id string) (*sportello.DirectoryEntry, error) {
	var body string
	if err := r.db.QueryRowContext(ctx, `SELECT body FROM directory WHERE id = ?`, id).Scan(&body); err != nil {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no directory entry %s", id)
	}
	var e sportello.DirectoryEntry
	return &e, json.Unmarshal([]byte(body), &e)
}

// holdsNewer reports whether the replica's table holds entry id at a
// version above version: a push that arrives after the editor's own save.
func (r *Replica) holdsNewer(ctx context.Context, table, id string, version int) (bool, error) {
	var v int
	err := r.db.QueryRowContext(ctx, `SELECT COALESCE(json_extract(body, '$.version'), 0) FROM `+table+` WHERE id = ?`, id).Scan(&v)
	if err != nil {
		return false, nil // not there yet
	}
	return v > version, nil
}
