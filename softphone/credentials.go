package softphone

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/crypto/argon2"

	"github.com/sportello/sportello"
)

// Credential file names in the directory of OpenCredentials.
const (
	credentialsFile = "sip-credentials.enc"
	machineKeyFile  = "sip-credentials.key"
)

// Credential errors, checked with errors.Is.
var (
	// ErrCredentialsLocked: the credentials file cannot be decrypted with
	// this machine's key (another machine's file, a replaced key file) or
	// it was altered.
	ErrCredentialsLocked = sportello.Errorf(sportello.EINVALID, "SIP credentials cannot be decrypted: wrong machine key or corrupted file")
	// ErrKeyPermissions: the machine key file can be read by others.
	ErrKeyPermissions = sportello.Errorf(sportello.EINVALID, "SIP credentials key file must be readable by its owner only (chmod 600)")
	// ErrNoCredential: no password is stored under the reference.
	ErrNoCredential = sportello.Errorf(sportello.ENOTFOUND, "no SIP password stored under this reference")
)

// argon2id parameters: OWASP's minimum (19 MiB, 2 passes, 1 lane), enough
// for a random secret and quick at every desktop start.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	keyLen       = 32 // AES-256
	saltLen      = 16
	secretLen    = 32
	credsAAD     = "sportello sip credentials v1"
)

// Credentials keeps SIP digest passwords out of the configuration: the
// configuration holds only a reference (such as "1001@pbx.city.example"),
// the password is in an AES-256-GCM encrypted file whose key is derived
// with argon2id from a random machine secret in a second file, created
// with mode 0600 and refused when others may read it.
//
// Threat model, honestly: this protects the password in a copied or
// leaked config.json, in a backup of the data directory that leaves out
// the key file, and from a glance at the files (it is never in plain
// text on disk). It does not protect against anyone who can read the key
// file: the same user account, root, malware running as the operator, or
// a full copy of the home directory. The OS keyring (Secret Service over
// D-Bus) would tie the secret to the login session; no maintained keyring
// module is among the project's dependencies, so it is not used. argon2id
// adds nothing against guessing a random 32-byte secret; it is there so
// that the secret file may be replaced by a weaker, OS-provided key
// without making the file cheap to attack.
type Credentials struct {
	// Path is the encrypted file; KeyPath the machine secret.
	Path, KeyPath string
}

// credentialsFileV1 is the encrypted file's JSON.
type credentialsFileV1 struct {
	Version int    `json:"version"`
	Salt    []byte `json:"salt"`
	Nonce   []byte `json:"nonce"`
	Data    []byte `json:"data"` // AES-256-GCM of the JSON map reference -> password
}

// OpenCredentials returns the credential store of dir (the desktop's data
// directory); the files are created by the first Save.
func OpenCredentials(dir string) *Credentials {
	return &Credentials{Path: filepath.Join(dir, credentialsFile), KeyPath: filepath.Join(dir, machineKeyFile)}
}

// Save stores password under ref, replacing what was there.
func (c *Credentials) Save(ref, password string) error {
	if ref == "" {
		return sportello.Errorf(sportello.EINVALID, "SIP credentials: empty reference")
	}
	all, err := c.readAll(true)
	if err != nil {
		return err
	}
	all[ref] = password
	return c.writeAll(all)
}

// Load returns the password stored under ref.
func (c *Credentials) Load(ref string) (string, error) {
	all, err := c.readAll(false)
	if err != nil {
		return "", err
	}
	pw, ok := all[ref]
	if !ok {
		return "", fmt.Errorf("%q: %w", ref, ErrNoCredential)
	}
	return pw, nil
}

// Delete forgets the password under ref (nothing if there is none).
func (c *Credentials) Delete(ref string) error {
	all, err := c.readAll(true)
	if err != nil {
		return err
	}
	if _, ok := all[ref]; !ok {
		return nil
	}
	delete(all, ref)
	return c.writeAll(all)
}

// Refs lists the stored references, sorted.
func (c *Credentials) Refs() ([]string, error) {
	all, err := c.readAll(true)
	if err != nil {
		return nil, err
	}
	refs := make([]string, 0, len(all))
	for r := range all {
		refs = append(refs, r)
	}
	sort.Strings(refs)
	return refs, nil
}

// readAll decrypts the file; a missing file is an empty store when
// missingOK.
func (c *Credentials) readAll(missingOK bool) (map[string]string, error) {
	raw, err := os.ReadFile(c.Path)
	if errors.Is(err, fs.ErrNotExist) {
		if missingOK {
			return map[string]string{}, nil
		}
		return nil, fmt.Errorf("SIP credentials %s: %w", c.Path, ErrNoCredential)
	}
	if err != nil {
		return nil, fmt.Errorf("read SIP credentials: %w", err)
	}
	secret, err := c.secret(false)
	if err != nil {
		return nil, err
	}
	var f credentialsFileV1
	if err := json.Unmarshal(raw, &f); err != nil || f.Version != 1 || len(f.Salt) != saltLen {
		return nil, fmt.Errorf("SIP credentials %s: %w", c.Path, ErrCredentialsLocked)
	}
	gcm, err := newGCM(secret, f.Salt)
	if err != nil {
		return nil, err
	}
	if len(f.Nonce) != gcm.NonceSize() {
		return nil, fmt.Errorf("SIP credentials %s: %w", c.Path, ErrCredentialsLocked)
	}
	plain, err := gcm.Open(nil, f.Nonce, f.Data, []byte(credsAAD))
	if err != nil {
		return nil, fmt.Errorf("SIP credentials %s: %w", c.Path, ErrCredentialsLocked)
	}
	all := map[string]string{}
	if err := json.Unmarshal(plain, &all); err != nil {
		return nil, fmt.Errorf("SIP credentials %s: %w", c.Path, ErrCredentialsLocked)
	}
	return all, nil
}

// writeAll encrypts all with a new salt and nonce and replaces the file
// atomically.
func (c *Credentials) writeAll(all map[string]string) error {
	secret, err := c.secret(true)
	if err != nil {
		return err
	}
	plain, err := json.Marshal(all)
	if err != nil {
		return err
	}
	f := credentialsFileV1{Version: 1, Salt: make([]byte, saltLen)}
	if _, err := rand.Read(f.Salt); err != nil {
		return err
	}
	gcm, err := newGCM(secret, f.Salt)
	if err != nil {
		return err
	}
	f.Nonce = make([]byte, gcm.NonceSize())
	if _, err := rand.Read(f.Nonce); err != nil {
		return err
	}
	f.Data = gcm.Seal(nil, f.Nonce, plain, []byte(credsAAD))
	raw, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return writeFileAtomic(c.Path, raw)
}

// secret reads the machine secret, creating it (0600) when create and it
// does not exist yet.
func (c *Credentials) secret(create bool) ([]byte, error) {
	info, err := os.Stat(c.KeyPath)
	if errors.Is(err, fs.ErrNotExist) && create {
		secret := make([]byte, secretLen)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(c.KeyPath), 0o700); err != nil {
			return nil, fmt.Errorf("create SIP credentials key: %w", err)
		}
		f, err := os.OpenFile(c.KeyPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create SIP credentials key: %w", err)
		}
		_, werr := f.Write(secret)
		if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
			return nil, fmt.Errorf("write SIP credentials key: %w", err)
		}
		return secret, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("SIP credentials key %s missing: %w", c.KeyPath, ErrCredentialsLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("SIP credentials key: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s has mode %v: %w", c.KeyPath, info.Mode().Perm(), ErrKeyPermissions)
	}
	secret, err := os.ReadFile(c.KeyPath)
	if err != nil {
		return nil, fmt.Errorf("read SIP credentials key: %w", err)
	}
	if len(secret) < secretLen {
		return nil, fmt.Errorf("SIP credentials key %s too short: %w", c.KeyPath, ErrCredentialsLocked)
	}
	return secret, nil
}

// newGCM derives the file key from the machine secret and salt.
func newGCM(secret, salt []byte) (cipher.AEAD, error) {
	key := argon2.IDKey(secret, salt, argonTime, argonMemory, argonThreads, keyLen)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// writeFileAtomic writes data to a temporary file (0600) next to path and
// renames it over path.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write SIP credentials: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".sip-credentials-*")
	if err != nil {
		return fmt.Errorf("write SIP credentials: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing to remove
	_, werr := tmp.Write(data)
	if err := errors.Join(werr, tmp.Chmod(0o600), tmp.Sync(), tmp.Close()); err != nil {
		return fmt.Errorf("write SIP credentials: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write SIP credentials: %w", err)
	}
	return nil
}
