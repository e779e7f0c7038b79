package password_test

import (
	"strings"
	"testing"

	"github.com/sportello/sportello/sync/password"
)

func TestHash(t *testing.T) {
	h, err := password.Hash("una-password-lunga")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id in PHC form", h)
	}
	h2, _ := password.Hash("una-password-lunga")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for _, tt := range []struct {
		password string
		ok       bool
	}{{"una-password-lunga", true}, {"una-password-lung", false}, {"", false}} {
		ok, err := password.Verify(h, tt.password)
		if err != nil || ok != tt.ok {
			t.Fatalf("Verify(%q) = %v, %v; want %v", tt.password, ok, err, tt.ok)
		}
	}
}

func TestVerify_BadHash(t *testing.T) {
	for _, phc := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=18$m=1,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=x$c2FsdA$aGFzaA", "$argon2id$v=19$m=1,t=1,p=1$!!$aGFzaA"} {
		if _, err := password.Verify(phc, "x"); err == nil {
			t.Errorf("Verify(%q) gave no error", phc)
		}
	}
}
