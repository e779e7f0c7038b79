package softphone_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
)

// TestCredentials_RoundTrip stores, reads, replaces and deletes passwords:
// neither file holds a password in clear, both are the owner's only.
func TestCredentials_RoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	c := softphone.OpenCredentials(dir)
	if _, err := c.Load("1001@pbx"); !errors.Is(err, softphone.ErrNoCredential) {
		t.Fatalf("Load before any Save: %v, want ErrNoCredential", err)
	}
	if err := c.Save("1001@pbx", "s3cret-è"); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if err := c.Save("1002@pbx", "other"); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if err := c.Save("1001@pbx", "n3w-s3cret"); err != nil {
		t.Fatalf("Save again: %v", err)
	}
	// A new store on the same directory (the desktop's next start) reads them.
	c = softphone.OpenCredentials(dir)
	for ref, want := range map[string]string{"1001@pbx": "n3w-s3cret", "1002@pbx": "other"} {
		if got, err := c.Load(ref); err != nil || got != want {
			t.Fatalf("Load(%q) = %q, %v; want %q", ref, got, err, want)
		}
	}
	if refs, err := c.Refs(); err != nil || !slices.Equal(refs, []string{"1001@pbx", "1002@pbx"}) {
		t.Fatalf("Refs = %v, %v", refs, err)
	}
	if _, err := c.Load("9999@pbx"); !errors.Is(err, softphone.ErrNoCredential) || sportello.ErrorCode(err) != sportello.ENOTFOUND {
		t.Fatalf("Load of an unknown ref: %v, want ErrNoCredential (ENOTFOUND)", err)
	}
	for _, p := range []string{c.Path, c.KeyPath} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v, want 0600", p, info.Mode().Perm())
		}
		raw, _ := os.ReadFile(p)
		for _, pw := range []string{"n3w-s3cret", "s3cret", "other"} {
			if bytes.Contains(raw, []byte(pw)) {
				t.Fatalf("%s holds %q in clear", p, pw)
			}
		}
	}
	if err := c.Delete("1002@pbx"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := c.Load("1002@pbx"); !errors.Is(err, softphone.ErrNoCredential) {
		t.Fatalf("Load after Delete: %v", err)
	}
	if got, err := c.Load("1001@pbx"); err != nil || got != "n3w-s3cret" {
		t.Fatalf("the other password after Delete: %q, %v", got, err)
	}
}

// TestCredentials_Refused: another machine's key, an altered or garbled
// file, a lost key file and a key file others can read each give a clear
// error, never a wrong password.
func TestCredentials_Refused(t *testing.T) {
	setup := func(t *testing.T) *softphone.Credentials {
		c := softphone.OpenCredentials(t.TempDir())
		if err := c.Save("1001@pbx", "s3cret"); err != nil {
			t.Fatalf("Save: %v", err)
		}
		return c
	}
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, c *softphone.Credentials)
		want  error
	}{
		{"WrongKey", func(t *testing.T, c *softphone.Credentials) {
			other := make([]byte, 32)
			rand.Read(other)
			if err := os.WriteFile(c.KeyPath, other, 0o600); err != nil {
				t.Fatal(err)
			}
		}, softphone.ErrCredentialsLocked},
		{"AlteredData", func(t *testing.T, c *softphone.Credentials) {
			raw, _ := os.ReadFile(c.Path)
			var f map[string]any
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatal(err)
			}
			data := []byte(f["data"].(string))
			data[2] ^= 'A' ^ 'B' // still base64, another ciphertext byte
			if data[2] == '+' || data[2] == '/' || data[2] == '=' {
				data[2] = 'Q'
			}
			f["data"] = string(data)
			raw, _ = json.Marshal(f)
			if err := os.WriteFile(c.Path, raw, 0o600); err != nil {
				t.Fatal(err)
			}
		}, softphone.ErrCredentialsLocked},
		{"Garbled", func(t *testing.T, c *softphone.Credentials) {
			if err := os.WriteFile(c.Path, []byte("not json"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, softphone.ErrCredentialsLocked},
		{"KeyLost", func(t *testing.T, c *softphone.Credentials) {
			if err := os.Remove(c.KeyPath); err != nil {
				t.Fatal(err)
			}
		}, softphone.ErrCredentialsLocked},
		{"KeyReadableByOthers", func(t *testing.T, c *softphone.Credentials) {
			if err := os.Chmod(c.KeyPath, 0o644); err != nil {
				t.Fatal(err)
			}
		}, softphone.ErrKeyPermissions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := setup(t)
			tc.spoil(t, c)
			got, err := c.Load("1001@pbx")
			if !errors.Is(err, tc.want) || got != "" {
				t.Fatalf("Load = %q, %v; want %v", got, err, tc.want)
			}
			t.Logf("error: %v", err)
			// Nor does a Save overwrite the passwords it cannot read.
			if err := c.Save("1002@pbx", "x"); !errors.Is(err, tc.want) {
				t.Fatalf("Save over a store it cannot read: %v, want %v", err, tc.want)
			}
		})
	}
}
