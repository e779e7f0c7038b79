package demo_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sportello/sportello/demo"
)

// TestGenerate_DirectoryDetails checks the transfer directory is complete:
// Municipi 1 to 9, a number for every second-level desk naming its desk,
// and hours, a note and keywords on every entry.
func TestGenerate_DirectoryDetails(t *testing.T) {
	d := demo.Generate(1, now)
	names := map[string]bool{}
	desks := map[string]bool{}
	for _, e := range d.Directory {
		names[e.Name] = true
		if e.Hours == nil || e.HoursText == "" || e.Note == "" || len(e.Keywords) == 0 {
			t.Errorf("directory entry %q lacks hours, note or keywords: %+v", e.Name, e)
		}
		if e.Group == demo.GroupDesk {
			if e.DeskID == "" {
				t.Errorf("desk entry %q has no desk id", e.Name)
			}
			desks[e.DeskID] = true
		}
	}
	for i := 1; i <= 9; i++ {
		found := false
		for n := range names {
			if strings.HasPrefix(n, fmt.Sprintf("Municipio %d ", i)) {
				found = true
			}
		}
		if !found {
			t.Errorf("no directory entry for Municipio %d", i)
		}
	}
	for _, k := range d.Desks {
		if !desks[k.ID] {
			t.Errorf("desk %s has no directory entry", k.Name)
		}
	}
}
