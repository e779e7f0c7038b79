package check_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello/sync/check"
)

// TestMarkRepeats: seeded wrap-ups get the repeat flags recording them one
// at a time would give: the newest earlier one of the same citizen and
// service within the window (boundary included) is repeated; no citizen
// or no service is never a repeat.
func TestMarkRepeats(t *testing.T) {
	t0 := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	facts := []check.WrapUpFact{ // out of order on purpose
		{EventID: "c", CitizenID: "rossi", Service: "Anagrafe", At: t0.Add(9 * day)},              // 7 days after b: repeat of b
		{EventID: "a", CitizenID: "rossi", Service: "Anagrafe", At: t0},                           // repeated by b
		{EventID: "b", CitizenID: "rossi", Service: "Anagrafe", At: t0.Add(2 * day)},              // repeat of a, repeated by c
		{EventID: "d", CitizenID: "rossi", Service: "Anagrafe", At: t0.Add(16*day + time.Second)}, // 7 days and 1 s after c
		{EventID: "e", CitizenID: "rossi", Service: "Tributi", At: t0.Add(day)},
		{EventID: "f", CitizenID: "", Service: "Anagrafe", At: t0.Add(time.Hour)},
		{EventID: "g", CitizenID: "", Service: "Anagrafe", At: t0.Add(2 * time.Hour)},
		{EventID: "h", CitizenID: "verdi", Service: "", At: t0},
		{EventID: "i", CitizenID: "verdi", Service: "", At: t0.Add(time.Hour)},
	}
	check.MarkRepeats(facts, 7*day)
	want := map[string]struct {
		of       string
		repeated bool
	}{"a": {"", true}, "b": {"a", true}, "c": {"b", false}, "d": {"", false}, "e": {"", false},
		"f": {"", false}, "g": {"", false}, "h": {"", false}, "i": {"", false}}
	for i, f := range facts {
		if w := want[f.EventID]; f.RepeatOf != w.of || f.Repeated != w.repeated {
			t.Errorf("%s: repeat of %q, repeated %v; want %q, %v", f.EventID, f.RepeatOf, f.Repeated, w.of, w.repeated)
		}
		if i > 0 && facts[i-1].At.After(f.At) {
			t.Errorf("not in time order at %d", i)
		}
	}
}
