package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// Op kinds recorded in the ops table.
const opWrapUp = check.OpWrapUp

// replayOp looks an op id up inside the writer's transaction. It returns
// nil, nil for an id never seen; the case as the op left it for a repeat;
// and ECONFLICT for an id already used by another op. Writes are
// serialized on one connection, so two sends of one id racing each other
// are ordered here: the second finds the first.
func replayOp(ctx context.Context, tx execer, id, kind string, digest []byte) (*sportello.Case, error) {
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
		return nil, check.ReusedOpID(id, kind)
	}
	return loadCaseUpTo(ctx, tx, caseID, events)
}

// recordOp stores an op id with what it did, in the op's transaction.
func recordOp(ctx context.Context, tx execer, id, kind, userID string, digest []byte, caseID string, events int, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ops (id, kind, user_id, digest, case_id, events, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, kind, userID, digest, caseID, events, encodeTime(now))
	return err
}

// Bounds of a wrap-up's short text fields (the note has sportello.MaxNoteLen).
const (
	MaxCallIDLen   = check.MaxCallIDLen
	MaxCategoryLen = check.MaxCategoryLen
	MaxRefLen      = check.MaxRefLen
)
