package check_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

func TestWrapUp(t *testing.T) {
	actor := &sportello.User{ID: "u-1", Name: "Giulia"}
	w := sportello.WrapUp{ID: "01932C07-A6B4-7C3E-9F2A-5B1D0E4C7A21", CallID: "c", CallerNumber: "02 1234 5678", Outcome: sportello.OutcomeTransferred}
	got, digest, err := check.WrapUp(actor, w)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != strings.ToLower(w.ID) || got.CallerNumber != "+390212345678" {
		t.Fatalf("normalized %+v", got)
	}
	w2 := w
	w2.CallerNumber = "+390212345678"
	if _, d2, _ := check.WrapUp(actor, w2); !bytes.Equal(d2, digest) {
		t.Fatal("one wrap-up written two ways has two digests")
	}
	w2.Note = "altro"
	if _, d3, _ := check.WrapUp(actor, w2); bytes.Equal(d3, digest) {
		t.Fatal("two wrap-ups have one digest")
	}
	for name, tt := range map[string]struct {
		actor *sportello.User
		w     sportello.WrapUp
		code  string
	}{
		"NoActor":   {nil, w, sportello.EUNAUTHORIZED},
		"BadID":     {actor, sportello.WrapUp{ID: "x", CallID: "c", CitizenID: "c", Outcome: sportello.OutcomeTransferred}, sportello.EINVALID},
		"NotUTF8":   {actor, sportello.WrapUp{CallID: "c", CitizenID: "c", Outcome: sportello.OutcomeTransferred, Note: "\xff"}, sportello.EINVALID},
		"BadNumber": {actor, sportello.WrapUp{CallID: "c", CallerNumber: "abc", Outcome: sportello.OutcomeTransferred}, sportello.EINVALID},
	} {
		if _, _, err := check.WrapUp(tt.actor, tt.w); sportello.ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", name, err, tt.code)
		}
	}
}

func TestSubject(t *testing.T) {
	for _, tt := range []struct{ note, category, want string }{
		{"  Prima riga\nseconda", "Tributi", "Prima riga"},
		{"", "Tributi", "Tributi"},
		{strings.Repeat("è", 200), "", strings.Repeat("è", check.MaxSubjectLen-1) + "…"},
	} {
		if got := check.Subject(sportello.WrapUp{Note: tt.note, Category: tt.category}); got != tt.want {
			t.Errorf("Subject(%q) = %q, want %q", tt.note, got, tt.want)
		}
	}
}

func TestStorable(t *testing.T) {
	for s, want := range map[string]bool{"": true, "città 🇮🇹": true, "a\x00b": false, "\xff": false, "\xc3(": false} {
		if got := check.Storable(s); got != want {
			t.Errorf("Storable(%q) = %v", s, got)
		}
	}
}
