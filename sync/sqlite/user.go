package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/password"
)

// MinPasswordLen is the shortest password CreateUser accepts. The demo
// users' password is shorter: Seed is the only way to store it.
const MinPasswordLen = password.MinLen

// CreateUser stores a new user with an argon2id hash of password, giving it
// a UUIDv7 id when it has none. A taken username is ECONFLICT.
func (db *DB) CreateUser(ctx context.Context, u *sportello.User, password string) error {
	return db.CreateUserInDesks(ctx, u, password, nil)
}

// CreateUserInDesks is CreateUser that also makes the user a member of
// desks, each named by its id or its name (in any case), in the same
// transaction: an unknown desk is ENOTFOUND and adds no user.
func (db *DB) CreateUserInDesks(ctx context.Context, u *sportello.User, pw string, desks []string) error {
	if err := check.User(u); err != nil {
		return err
	}
	if err := check.NewPassword(pw); err != nil {
		return err
	}
	return db.update(ctx, func(tx *sql.Tx) error {
		if err := db.insertUser(ctx, tx, u, pw); err != nil {
			return err
		}
		for _, d := range desks {
			if err := addDeskMember(ctx, tx, u.ID, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddDeskMember makes a user a member of a desk named by its id or name.
func (db *DB) AddDeskMember(ctx context.Context, userID, desk string) error {
	return db.update(ctx, func(tx *sql.Tx) error { return addDeskMember(ctx, tx, userID, desk) })
}

func addDeskMember(ctx context.Context, tx *sql.Tx, userID, desk string) error {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM desks WHERE id = ? OR lower(name) = lower(?) ORDER BY id = ? DESC LIMIT 1`, desk, desk, desk).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return sportello.Errorf(sportello.ENOTFOUND, "no desk is called %q", desk)
	} else if err != nil {
		return internal("add desk member", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO desk_members (user_id, desk_id) VALUES (?, ?)`, userID, id)
	return internal("add desk member", err)
}

// UserDesks returns the ids of the desks a user is a member of.
func (db *DB) UserDesks(ctx context.Context, userID string) ([]string, error) {
	return db.strings(ctx, "user desks", `SELECT desk_id FROM desk_members WHERE user_id = ? ORDER BY desk_id`, userID)
}

// FeedScope returns what widens a user's change feed beyond the events the
// user wrote: the desks the user is a member of, the cases not resolved
// the user has written on in sportello.FeedScopeAge, and the citizens the
// user looked up since the session of token began (from the audit log).
// An unknown session gives no citizens.
func (db *DB) FeedScope(ctx context.Context, token, userID string) (desks, cases, citizens []string, err error) {
	if desks, err = db.UserDesks(ctx, userID); err != nil {
		return nil, nil, nil, err
	}
	if cases, err = db.strings(ctx, "feed scope", `
		SELECT c.id FROM cases c
		WHERE c.id IN (SELECT case_id FROM case_events WHERE author_id = ? AND at >= ?) AND c.status <> ?`,
		userID, encodeTime(db.Now().Add(-sportello.FeedScopeAge)), string(sportello.StatusResolved)); err != nil {
		return nil, nil, nil, err
	}
	citizens, err = db.strings(ctx, "feed scope", `
		SELECT DISTINCT a.citizen_id FROM audit a JOIN sessions s ON s.user_id = a.user_id
		WHERE s.token_hash = ? AND a.user_id = ? AND a.at >= s.created_at AND a.citizen_id IS NOT NULL`,
		tokenHash(token), userID)
	return desks, cases, citizens, err
}

// strings runs a query of one text column.
func (db *DB) strings(ctx context.Context, what, query string, args ...any) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, internal(what, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, internal(what, err)
		}
		out = append(out, s)
	}
	return out, internal(what, rows.Err())
}

func (db *DB) insertUser(ctx context.Context, tx *sql.Tx, u *sportello.User, pw string) error {
	var taken int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username = ?`, u.Username).Scan(&taken); err != nil {
		return internal("create user", err)
	}
	if taken > 0 {
		return sportello.Errorf(sportello.ECONFLICT, "the username %q is taken", u.Username)
	}
	if u.ID == "" {
		u.ID = newID()
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return internal("create user", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO users (id, username, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		u.ID, u.Username, u.Name, string(u.Role), hash, db.now())
	return internal("create user", err)
}

// errWrongCredentials is the one answer to a failed sign-in: it does not
// tell which of the two was wrong.
var errWrongCredentials = sportello.Errorf(sportello.EUNAUTHORIZED, "wrong username or password")

// Authenticate returns the user whose username and password these are, or
// EUNAUTHORIZED "wrong username or password".
func (db *DB) Authenticate(ctx context.Context, username, pw string) (*sportello.User, error) {
	var u sportello.User
	var hash string
	err := db.read.QueryRowContext(ctx, `SELECT id, username, name, role, password_hash FROM users WHERE username = ?`, username).
		Scan(&u.ID, &u.Username, &u.Name, &u.Role, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		// Spend the time of a real check so that timing does not tell
		// which usernames exist.
		password.SpendCheck(pw)
		return nil, errWrongCredentials
	} else if err != nil {
		return nil, internal("authenticate", err)
	}
	ok, err := password.Verify(hash, pw)
	if err != nil {
		return nil, internal("authenticate "+username, err)
	}
	if !ok {
		return nil, errWrongCredentials
	}
	return &u, nil
}

// CreateSession stores a bearer token (only its hash) for the user until expiresAt.
func (db *DB) CreateSession(ctx context.Context, token, userID string, expiresAt time.Time) error {
	if token == "" {
		return sportello.Errorf(sportello.EINVALID, "a session needs a token")
	}
	return db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			tokenHash(token), userID, db.now(), encodeTime(expiresAt))
		return internal("create session", err)
	})
}

// UserBySession returns the user a bearer token belongs to and when the
// session expires, or EUNAUTHORIZED when the token is unknown or expired.
func (db *DB) UserBySession(ctx context.Context, token string) (*sportello.User, time.Time, error) {
	var u sportello.User
	var expires string
	err := db.reads.QueryRowContext(ctx, `
		SELECT u.id, u.username, u.name, u.role, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ?`, tokenHash(token)).
		Scan(&u.ID, &u.Username, &u.Name, &u.Role, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, sportello.Errorf(sportello.EUNAUTHORIZED, "sign in first: the session is unknown")
	} else if err != nil {
		return nil, time.Time{}, internal("session", err)
	}
	exp, err := decodeTime(expires)
	if err != nil {
		return nil, time.Time{}, internal("session", err)
	}
	if !db.Now().Before(exp) {
		return nil, time.Time{}, sportello.Errorf(sportello.EUNAUTHORIZED, "the session has expired: sign in again")
	}
	return &u, exp, nil
}

// DeleteSession ends a session (sign-out); an unknown token is not an error.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	return db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash(token))
		return internal("delete session", err)
	})
}

// tokenHash is what the sessions table keeps of a token. The tokens are 32
// random bytes, so a plain SHA-256 is enough: there is nothing to guess.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
