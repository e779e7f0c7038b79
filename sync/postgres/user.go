package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/password"
)

// MinPasswordLen is the shortest password CreateUser accepts.
const MinPasswordLen = password.MinLen

// CreateUser stores a new user with an argon2id hash of password, giving it
// a UUIDv7 id when it has none. A taken username is ECONFLICT.
func (db *DB) CreateUser(ctx context.Context, u *sportello.User, pw string) error {
	return db.CreateUserInDesks(ctx, u, pw, nil)
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
	hash, err := password.Hash(pw) // before the transaction: it takes a while
	if err != nil {
		return internal("create user", err)
	}
	nu := *u
	err = db.update(ctx, func(tx pgx.Tx) error {
		if err := db.insertUser(ctx, tx, &nu, hash); err != nil {
			return err
		}
		for _, d := range desks {
			if err := addDeskMember(ctx, tx, nu.ID, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	*u = nu
	return nil
}

// insertUser stores u with a password hash, giving it an id when it has none.
func (db *DB) insertUser(ctx context.Context, tx pgx.Tx, u *sportello.User, hash string) error {
	var taken bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE username = $1)`, u.Username).Scan(&taken); err != nil {
		return internal("create user", err)
	}
	if taken {
		return sportello.Errorf(sportello.ECONFLICT, "the username %q is taken", u.Username)
	}
	if u.ID == "" {
		u.ID = newID()
	}
	_, err := tx.Exec(ctx, `INSERT INTO users (id, username, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		u.ID, u.Username, u.Name, string(u.Role), hash, db.now())
	if isUniqueViolation(err) { // another node took it meanwhile
		return sportello.Errorf(sportello.ECONFLICT, "the username %q is taken", u.Username)
	}
	return internal("create user", err)
}

// AddDeskMember makes a user a member of a desk named by its id or name.
func (db *DB) AddDeskMember(ctx context.Context, userID, desk string) error {
	return db.update(ctx, func(tx pgx.Tx) error { return addDeskMember(ctx, tx, userID, desk) })
}

func addDeskMember(ctx context.Context, tx pgx.Tx, userID, desk string) error {
	if !check.Storable(desk) {
		return sportello.Errorf(sportello.ENOTFOUND, "no desk is called %q", desk)
	}
	var id string
	err := tx.QueryRow(ctx, `SELECT id FROM desks WHERE id = $1 OR lower(name) = lower($1) ORDER BY id = $1 DESC LIMIT 1`, desk).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return sportello.Errorf(sportello.ENOTFOUND, "no desk is called %q", desk)
	} else if err != nil {
		return internal("add desk member", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO desk_members (user_id, desk_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, userID, id)
	return internal("add desk member", err)
}

// UserDesks returns the ids of the desks a user is a member of.
func (db *DB) UserDesks(ctx context.Context, userID string) ([]string, error) {
	if !check.Storable(userID) {
		return nil, nil
	}
	return db.strings(ctx, "user desks", `SELECT desk_id FROM desk_members WHERE user_id = $1 ORDER BY desk_id`, userID)
}

// FeedScope returns what widens a user's change feed beyond the events the
// user wrote: the desks the user is a member of, the cases not resolved
// the user has written on in sportello.FeedScopeAge, and the citizens the
// user looked up since the session of token began (from the audit log).
// An unknown session gives no citizens.
func (db *DB) FeedScope(ctx context.Context, token, userID string) (desks, cases, citizens []string, err error) {
	if !check.Storable(userID) {
		return nil, nil, nil, nil
	}
	if desks, err = db.UserDesks(ctx, userID); err != nil {
		return nil, nil, nil, err
	}
	if cases, err = db.strings(ctx, "feed scope", `
		SELECT c.id FROM cases c
		WHERE c.id IN (SELECT case_id FROM case_events WHERE author_id = $1 AND at >= $2) AND c.status <> $3`,
		userID, db.now().Add(-sportello.FeedScopeAge), string(sportello.StatusResolved)); err != nil {
		return nil, nil, nil, err
	}
	citizens, err = db.strings(ctx, "feed scope", `
		SELECT DISTINCT a.citizen_id FROM audit a JOIN sessions s ON s.user_id = a.user_id
		WHERE s.token_hash = $1 AND a.user_id = $2 AND a.at >= s.created_at AND a.citizen_id IS NOT NULL`,
		tokenHash(token), userID)
	return desks, cases, citizens, err
}

// errWrongCredentials is the one answer to a failed sign-in: it does not
// tell which of the two was wrong.
var errWrongCredentials = sportello.Errorf(sportello.EUNAUTHORIZED, "wrong username or password")

// Authenticate returns the user whose username and password these are, or
// EUNAUTHORIZED "wrong username or password".
func (db *DB) Authenticate(ctx context.Context, username, pw string) (*sportello.User, error) {
	var u sportello.User
	var hash string
	err := pgx.ErrNoRows
	if check.Storable(username) {
		err = db.pool.QueryRow(ctx, `SELECT id, username, name, role, password_hash FROM users WHERE username = $1`, username).
			Scan(&u.ID, &u.Username, &u.Name, &u.Role, &hash)
	}
	if errors.Is(err, pgx.ErrNoRows) {
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
	_, err := db.pool.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		tokenHash(token), userID, db.now(), expiresAt.UTC())
	return internal("create session", err)
}

// UserBySession returns the user a bearer token belongs to and when the
// session expires, or EUNAUTHORIZED when the token is unknown or expired.
func (db *DB) UserBySession(ctx context.Context, token string) (*sportello.User, time.Time, error) {
	var u sportello.User
	var expires time.Time
	err := db.pool.QueryRow(ctx, `
		SELECT u.id, u.username, u.name, u.role, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1`, tokenHash(token)).
		Scan(&u.ID, &u.Username, &u.Name, &u.Role, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, time.Time{}, sportello.Errorf(sportello.EUNAUTHORIZED, "sign in first: the session is unknown")
	} else if err != nil {
		return nil, time.Time{}, internal("session", err)
	}
	if !db.Now().Before(expires) {
		return nil, time.Time{}, sportello.Errorf(sportello.EUNAUTHORIZED, "the session has expired: sign in again")
	}
	return &u, expires, nil
}

// DeleteSession ends a session (sign-out); an unknown token is not an error.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash(token))
	return internal("delete session", err)
}

// tokenHash is what the sessions table keeps of a token. The tokens are 32
// random bytes, so a plain SHA-256 is enough: there is nothing to guess.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
