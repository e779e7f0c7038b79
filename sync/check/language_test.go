package check_test

import (
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// TestCitizenLanguage: it and en (any case), or none (Italian); anything
// else is refused; a reply's language follows the record, Italian by
// default; a change of language alone is a change of the record.
func TestCitizenLanguage(t *testing.T) {
	for in, want := range map[string]string{"": "", "it": "it", " EN ": "en", "En": "en"} {
		if got, err := check.CitizenLanguage(in); err != nil || got != want {
			t.Errorf("CitizenLanguage(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"fr", "italiano", "e n"} {
		if _, err := check.CitizenLanguage(in); sportello.ErrorCode(err) != sportello.EINVALID {
			t.Errorf("CitizenLanguage(%q): %v, want EINVALID", in, err)
		}
	}
	for lang, want := range map[string]string{"": "it", "it": "it", "en": "en"} {
		if got := check.ReplyLanguage(&sportello.Citizen{Language: lang}); got != want {
			t.Errorf("ReplyLanguage(%q) = %q, want %q", lang, got, want)
		}
	}
	if check.ReplyLanguage(nil) != sportello.LangItalian {
		t.Error("no citizen: want Italian")
	}
	a, b := sportello.Citizen{Name: "Maria Rossi"}, sportello.Citizen{Name: "Maria Rossi", Language: "it"}
	if !check.SameCitizen(&a, &b) {
		t.Error("none and it differ")
	}
	if b.Language = "en"; check.SameCitizen(&a, &b) {
		t.Error("a change to English is no change")
	}
}

// TestCallbackAttempt_OpID: an attempt's op id is kept in lower case; one
// that is not a UUID is refused.
func TestCallbackAttempt_OpID(t *testing.T) {
	u := &sportello.User{ID: "u-a", Role: sportello.RoleOperator}
	a, err := check.CallbackAttempt(u, "cb-1", sportello.CallbackAttempt{ID: "0195A0C3-0000-7000-8000-00000000000A", Outcome: sportello.AttemptBusy})
	if err != nil || a.ID != "0195a0c3-0000-7000-8000-00000000000a" {
		t.Fatalf("%+v, %v", a, err)
	}
	if _, err := check.CallbackAttempt(u, "cb-1", sportello.CallbackAttempt{ID: "attempt-1", Outcome: sportello.AttemptBusy}); sportello.ErrorCode(err) != sportello.EINVALID {
		t.Fatalf("a bad op id: %v", err)
	}
}
