package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// ApplyEdits saves edits of the knowledge base and of the transfer
// directory by actor in one transaction, all or nothing: each edit is
// checked against the entry as stored (check.PrepareEdit: a stale base is
// ECONFLICT), then rule judges knowledge-base edits on the stored entry
// (nil: no rule), then the entry is written, its version added to the
// history and a change appended to the feed. An edit that changes nothing
// writes nothing and comes back as EditUnchanged.
func (db *DB) ApplyEdits(ctx context.Context, actor *sportello.User, edits []sportello.Edit, rule func(old, next *sportello.KBEntry) error) ([]sportello.EntryVersion, error) {
	return db.applyEdits(ctx, actor, edits, rule, nil)
}

// ApplyImport saves an import's edits like ApplyEdits (without a rule)
// and, in the same transaction, retires the stored entries of the tables
// sweep names that the edits do not name; their versions come last.
func (db *DB) ApplyImport(ctx context.Context, actor *sportello.User, edits []sportello.Edit, sweep sportello.Sweep) ([]sportello.EntryVersion, error) {
	return db.applyEdits(ctx, actor, edits, nil, &sweep)
}

func (db *DB) applyEdits(ctx context.Context, actor *sportello.User, edits []sportello.Edit, rule func(old, next *sportello.KBEntry) error, sweep *sportello.Sweep) ([]sportello.EntryVersion, error) {
	var out []sportello.EntryVersion
	err := db.update(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		now := db.Now().UTC()
		all := edits
		if sweep != nil {
			missing, err := sweepEdits(ctx, tx, edits, *sweep)
			if err != nil {
				return err
			}
			all = append(slices.Clip(edits), missing...)
		}
		for _, ed := range all {
			v, err := db.applyEdit(ctx, tx, actor, ed, rule, now)
			if err != nil {
				return editError(ed, len(all), err)
			}
			out = append(out, v)
		}
		// The desks and offices the saved entries name must exist, once
		// every entry of the batch is in.
		for i, v := range out {
			if err := checkRefs(ctx, tx, v); err != nil {
				return editError(all[i], len(all), err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, internal("save edits", err)
	}
	return out, nil
}

// editError names the entry of a refused edit when it came in a batch.
func editError(ed sportello.Edit, n int, err error) error {
	var e *sportello.Error
	if n <= 1 || !errors.As(err, &e) {
		return err
	}
	return sportello.Errorf(e.Code, "%s entry %s: %s", ed.Kind(), ed.EntryID(), e.Message)
}

func (db *DB) applyEdit(ctx context.Context, tx *sql.Tx, actor *sportello.User, ed sportello.Edit, rule func(old, next *sportello.KBEntry) error, now time.Time) (sportello.EntryVersion, error) {
	kind, id := ed.Kind(), strings.TrimSpace(ed.EntryID())
	var stored []byte
	var body string
	table := "kb"
	if kind == sportello.ChangeKindDirectory {
		table = "directory"
	}
	if kind != "" {
		err := tx.QueryRowContext(ctx, `SELECT body FROM `+table+` WHERE id = ?`, id).Scan(&body)
		if err == nil && body != "" {
			stored = []byte(body)
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return sportello.EntryVersion{}, err
		}
	}
	last, err := lastVersion(ctx, tx, kind, id)
	if err != nil {
		return sportello.EntryVersion{}, err
	}
	p, err := check.PrepareEdit(actor, ed, stored, last, now)
	if err != nil {
		return sportello.EntryVersion{}, err
	}
	if kind == sportello.ChangeKindKB && rule != nil {
		if err := rule(p.OldKB, p.NewKB); err != nil {
			return sportello.EntryVersion{}, err
		}
	}
	v := p.Version
	if v.Action == sportello.EditUnchanged {
		return v, nil
	}
	switch {
	case v.Action == sportello.EditRetired:
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE id = ?`, id); err != nil {
			return v, err
		}
	case v.KB != nil:
		if err := putKB(ctx, tx, now, []sportello.KBEntry{*v.KB}); err != nil {
			return v, err
		}
	default:
		if err := putDirectory(ctx, tx, now, []sportello.DirectoryEntry{*v.Directory}); err != nil {
			return v, err
		}
	}
	saved := p.Body
	if saved == nil { // retired: the history keeps the entry as it last was
		if saved, err = json.Marshal(entryOf(v)); err != nil {
			return v, err
		}
	}
	changed, _ := json.Marshal(v.Changed)
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO entry_versions (kind, entry_id, version, action, at, author_id, author, changed, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		kind, id, v.Version, string(v.Action), encodeTime(now), v.AuthorID, v.Author, string(changed), string(saved)); err != nil {
		return v, fmt.Errorf("record version: %w", err)
	}
	// The change carries the entry as saved, or only its id when retired;
	// it is noted for the tail (tail.go) as ChangesSince reads it back.
	at := encodeTime(now)
	ch := sportello.Change{Kind: kind}
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO changes (seq, at, kind, entry_id, entry)
		SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ? FROM changes RETURNING seq`,
		at, kind, id, string(p.Body)).Scan(&ch.Seq); err != nil {
		return v, fmt.Errorf("append change: %w", err)
	}
	if ch.At, err = decodeTime(at); err != nil {
		return v, err
	}
	if err := decodeEntryChange(&ch, id, string(p.Body)); err != nil {
		return v, fmt.Errorf("append change: %w", err)
	}
	db.tail.note(ch)
	return v, nil
}

// entryOf returns the entry a version holds.
func entryOf(v sportello.EntryVersion) any {
	if v.KB != nil {
		return v.KB
	}
	return v.Directory
}

// lastVersion returns the newest version of an entry in the history, nil
// when it has none.
func lastVersion(ctx context.Context, q queryer, kind, id string) (*sportello.EntryVersion, error) {
	vs, err := history(ctx, q, kind, id, `ORDER BY version DESC LIMIT 1`)
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	return &vs[0], nil
}

// History returns every saved version of an entry of kind
// (sportello.ChangeKindKB or ChangeKindDirectory), oldest first; an entry
// never edited has none.
func (db *DB) History(ctx context.Context, kind, id string) ([]sportello.EntryVersion, error) {
	if kind != sportello.ChangeKindKB && kind != sportello.ChangeKindDirectory {
		return nil, sportello.Errorf(sportello.EINVALID, "kind: %q is neither kb nor directory", kind)
	}
	vs, err := history(ctx, db.read, kind, id, `ORDER BY version`)
	return vs, internal("history", err)
}

func history(ctx context.Context, q queryer, kind, id, order string) ([]sportello.EntryVersion, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT version, action, at, author_id, author, changed, body FROM entry_versions
		WHERE kind = ? AND entry_id = ? `+order, kind, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []sportello.EntryVersion{}
	for rows.Next() {
		v := sportello.EntryVersion{Kind: kind, EntryID: id}
		var at, changed, body string
		if err := rows.Scan(&v.Version, &v.Action, &at, &v.AuthorID, &v.Author, &changed, &body); err != nil {
			return nil, err
		}
		if v.At, err = decodeTime(at); err != nil {
			return nil, err
		}
		if err := decodeVersion(&v, changed, body); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// decodeVersion fills a version's changed fields and entry from their JSON.
func decodeVersion(v *sportello.EntryVersion, changed, body string) error {
	if err := json.Unmarshal([]byte(changed), &v.Changed); err != nil {
		return fmt.Errorf("version %d of %s: %w", v.Version, v.EntryID, err)
	}
	if v.Kind == sportello.ChangeKindKB {
		v.KB = &sportello.KBEntry{}
		return json.Unmarshal([]byte(body), v.KB)
	}
	v.Directory = &sportello.DirectoryEntry{}
	return json.Unmarshal([]byte(body), v.Directory)
}

// decodeEntryChange fills an edit's change from its stored entry id and
// entry (empty when retired); other changes are left as they are.
func decodeEntryChange(ch *sportello.Change, entryID, entry string) error {
	if ch.Kind != sportello.ChangeKindKB && ch.Kind != sportello.ChangeKindDirectory {
		return nil
	}
	ch.EntryID = entryID
	if entry == "" {
		return nil
	}
	if ch.Kind == sportello.ChangeKindKB {
		ch.KB = &sportello.KBEntry{}
		return json.Unmarshal([]byte(entry), ch.KB)
	}
	ch.Directory = &sportello.DirectoryEntry{}
	return json.Unmarshal([]byte(entry), ch.Directory)
}

// sweepEdits returns the retirements of the stored entries of the tables
// sweep names that edits do not name, in id order.
func sweepEdits(ctx context.Context, tx *sql.Tx, edits []sportello.Edit, sweep sportello.Sweep) ([]sportello.Edit, error) {
	named := map[string]bool{}
	for _, ed := range edits {
		named[ed.Kind()+" "+strings.TrimSpace(ed.EntryID())] = true
	}
	var out []sportello.Edit
	collect := func(kind, query string, args ...any) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if named[kind+" "+id] {
				continue
			}
			ed := sportello.Edit{Base: sportello.AnyVersion, Retire: true}
			if kind == sportello.ChangeKindKB {
				ed.KB = &sportello.KBEntry{ID: id}
			} else {
				ed.Directory = &sportello.DirectoryEntry{ID: id}
			}
			out = append(out, ed)
		}
		return rows.Err()
	}
	for _, k := range sweep.KBKinds {
		if err := collect(sportello.ChangeKindKB, `SELECT id FROM kb WHERE kind = ? ORDER BY id`, string(k)); err != nil {
			return nil, err
		}
	}
	if sweep.Directory {
		if err := collect(sportello.ChangeKindDirectory, `SELECT id FROM directory ORDER BY id`); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkRefs refuses a saved entry that names a desk or an office that
// does not exist, naming the field and the id; only the fields the
// version changed are checked. A store without any desk yet (a city
// loading its catalogue before its people and desks) takes any desk id.
func checkRefs(ctx context.Context, tx *sql.Tx, v sportello.EntryVersion) error {
	if v.Action != sportello.EditCreated && v.Action != sportello.EditUpdated {
		return nil
	}
	exists := func(query, id string) (bool, error) {
		var n int
		err := tx.QueryRowContext(ctx, query, id).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	}
	return check.EntryRefs(v, func(id string) (bool, error) {
		return exists(`SELECT 1 WHERE EXISTS (SELECT 1 FROM desks WHERE id = ?) OR NOT EXISTS (SELECT 1 FROM desks)`, id)
	}, func(id string) (bool, error) {
		return exists(`SELECT 1 FROM kb WHERE id = ? AND kind = 'office'`, id)
	})
}
