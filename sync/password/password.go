// Package password hashes and checks sign-in passwords with argon2id, in
// the PHC string form that every syncd store keeps.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// MinLen is the shortest password a new user may have. The demo users'
// password is shorter: seeding demo data is the only way to store it.
const MinLen = 8

// Argon2id parameters: OWASP's minimum (19 MiB, 2 passes, 1 lane). They are
// written into each hash, so raising them later leaves old hashes valid.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Hash returns the argon2id hash of password in PHC string form:
// $argon2id$v=19$m=19456,t=2,p=1$salt$hash (base64 without padding).
func Hash(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify checks password against a PHC argon2id hash; an error means the
// hash itself is unreadable.
func Verify(phc, password string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("password hash is not argon2id in PHC form")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("argon2 parameters %q: %w", parts[3], err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("argon2 salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("argon2 hash: %w", err)
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is made on first use so that programs that never
// authenticate do not pay for it.
var dummyHash = sync.OnceValue(func() string {
	h, _ := Hash("sportello-dummy-password")
	return h
})

// SpendCheck takes the time of a real Verify against a throwaway hash: a
// store calls it for an unknown username, so that timing does not tell
// which usernames exist.
func SpendCheck(password string) {
	Verify(dummyHash(), password)
}
