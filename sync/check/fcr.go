package check

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/sportello/sportello"
)

// KBEntries returns the knowledge-base entry ids a wrap-up names, each once
// in the order given, or EINVALID when there are too many or one is not a
// short id. Ids of entries the store does not hold are kept: an entry
// deleted later still counts for the calls it answered.
func KBEntries(ids []string) ([]string, error) {
	if len(ids) > sportello.MaxWrapUpKBEntries {
		return nil, sportello.Errorf(sportello.EINVALID, "a wrap-up names at most %d knowledge-base entries", sportello.MaxWrapUpKBEntries)
	}
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || len(id) > MaxRefLen || !Storable(id) || strings.IndexFunc(id, unicode.IsControl) >= 0 {
			return nil, sportello.Errorf(sportello.EINVALID, "kb_entries: %q is not a knowledge-base entry id", Clip(id, 40))
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// WrapUpService is the service a wrap-up counts under for first-contact
// resolution and repeat contacts: its own category, else its case's.
func WrapUpService(w sportello.WrapUp, c *sportello.Case) string {
	if s := strings.TrimSpace(w.Category); s != "" {
		return s
	}
	return strings.TrimSpace(c.Category)
}

// WrapUpFact is a wrap-up as first-contact resolution counts it (see
// sportello.FCRCounts).
type WrapUpFact struct {
	EventID, CaseID, CitizenID, Service, AuthorID string
	At                                            time.Time
	Resolved                                      bool
	RepeatOf                                      string // the earlier wrap-up it repeats
	Repeated                                      bool   // a later wrap-up repeats it
}

// MarkRepeats sets RepeatOf and Repeated on wrap-ups recorded together
// (seeded data), as recording them one at a time would: each repeats the
// newest earlier one of its citizen and service within window. It sorts
// facts by time.
func MarkRepeats(facts []WrapUpFact, window time.Duration) {
	slices.SortFunc(facts, func(a, b WrapUpFact) int {
		return cmp.Or(a.At.Compare(b.At), strings.Compare(a.EventID, b.EventID))
	})
	last := map[string]int{}
	for i := range facts {
		f := &facts[i]
		if f.CitizenID == "" || f.Service == "" {
			continue
		}
		key := f.CitizenID + "\x00" + f.Service
		if j, ok := last[key]; ok && !f.At.After(facts[j].At.Add(window)) {
			f.RepeatOf = facts[j].EventID
			facts[j].Repeated = true
		}
		last[key] = i
	}
}
