package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/sportello/sportello"
)

// Op kinds recorded in the ops table.
const opWrapUp = "wrap_up"

// normalizeOpID checks that a client-made op id is a UUID in its canonical
// 36-character form and returns it in lower case, so that one id is one op
// however its hex digits are cased.
func normalizeOpID(id string) (string, error) {
	u, err := uuid.Parse(id)
	if err != nil || len(id) != 36 {
		return "", sportello.Errorf(sportello.EINVALID, "the id %q is not a UUID such as 01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a21", clip(id, 40))
	}
	return u.String(), nil
}

// wrapUpDigest identifies a wrap-up's content: its author and its fields as
// normalized (number in E.164, times in UTC). Two sends of one queued
// wrap-up give the same digest; a different wrap-up under the same id does not.
func wrapUpDigest(actor *sportello.User, w sportello.WrapUp) []byte {
	w.AnsweredAt, w.EndedAt = w.AnsweredAt.UTC(), w.EndedAt.UTC()
	b, err := json.Marshal(struct {
		Author string           `json:"author"`
		WrapUp sportello.WrapUp `json:"wrap_up"`
	}{actor.ID, w})
	if err != nil {
		panic("sqlite: marshal wrap-up: " + err.Error()) // plain strings and times: cannot fail
	}
	sum := sha256.Sum256(b)
	return sum[:]
}

// replayOp looks an op id up inside the writer's transaction. It returns
// nil, nil for an id never seen; the case as the op left it for a repeat;
// and ECONFLICT for an id already used by another op. Writes are
// serialized on one connection, so two sends of one id racing each other
// are ordered here: the second finds the first.
func replayOp(ctx context.Context, tx *sql.Tx, id, kind string, digest []byte) (*sportello.Case, error) {
	var gotKind, caseID string
	var gotDigest []byte
	var events int
	err := tx.QueryRowContext(ctx, `SELECT kind, digest, case_id, events FROM ops WHERE id = ?`, id).
		Scan(&gotKind, &gotDigest, &caseID, &events)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if gotKind != kind || !bytes.Equal(gotDigest, digest) {
		return nil, sportello.Errorf(sportello.ECONFLICT, "the id %s was already used for another %s: make a new id for a new one", id, strings.ReplaceAll(kind, "_", "-"))
	}
	return loadCaseUpTo(ctx, tx, caseID, events)
}

// recordOp stores an op id with what it did, in the op's transaction.
func recordOp(ctx context.Context, tx *sql.Tx, id, kind, userID string, digest []byte, caseID string, events int, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ops (id, kind, user_id, digest, case_id, events, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, kind, userID, digest, caseID, events, encodeTime(now))
	return err
}

// Bounds of a wrap-up's short text fields (the note has sportello.MaxNoteLen).
const (
	MaxCallIDLen   = 256 // SIP Call-IDs are long but not unbounded
	MaxCategoryLen = 100
	MaxRefLen      = 64 // citizen and case ids
)

// validateWrapUpText refuses short fields that are too long or hold
// control characters, so that whatever is stored is text a person can read
// back; SQL metacharacters are ordinary text (every query binds its values).
func validateWrapUpText(w sportello.WrapUp) error {
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"call_id", w.CallID, MaxCallIDLen},
		{"category", w.Category, MaxCategoryLen},
		{"citizen_id", w.CitizenID, MaxRefLen},
		{"case_id", w.CaseID, MaxRefLen},
		{"caller_number", w.CallerNumber, MaxCallIDLen},
	} {
		if len(f.value) > f.max {
			return sportello.Errorf(sportello.EINVALID, "%s is longer than %d bytes", f.name, f.max)
		}
		if strings.IndexFunc(f.value, unicode.IsControl) >= 0 {
			return sportello.Errorf(sportello.EINVALID, "%s holds a control character", f.name)
		}
	}
	if strings.ContainsFunc(w.Note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) {
		return sportello.Errorf(sportello.EINVALID, "the note holds a control character")
	}
	return nil
}

// clip shortens s to n bytes at a rune boundary, for quoting in a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
