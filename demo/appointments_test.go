package demo_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello/demo"
)

// TestOfficeServices: the demo offices that work by appointment publish
// services with valid slot calendars on their own hours, each with slots
// in the coming week, and keys unique per office.
func TestOfficeServices(t *testing.T) {
	d := demo.Generate(42, now)
	if len(d.Services) < 5 {
		t.Fatalf("%d services by appointment, want at least 5", len(d.Services))
	}
	offices := map[string]bool{}
	for _, o := range d.Offices {
		offices[o.ID] = true
	}
	seen := map[string]bool{}
	for _, s := range d.Services {
		if !offices[s.OfficeID] {
			t.Errorf("%s: office %s is not a demo office", s.ID, s.OfficeID)
		}
		if seen[s.OfficeID+"/"+s.ID] {
			t.Errorf("%s/%s twice", s.OfficeID, s.ID)
		}
		seen[s.OfficeID+"/"+s.ID] = true
		slots, err := s.Slots(now, now, now.Add(7*24*time.Hour))
		if err != nil || len(slots) == 0 {
			t.Errorf("%s/%s: %d slots in a week, %v", s.OfficeID, s.ID, len(slots), err)
		}
		if s.Category == "" || s.Calendar.Zone != demo.Zone {
			t.Errorf("%s/%s: category %q, zone %q", s.OfficeID, s.ID, s.Category, s.Calendar.Zone)
		}
	}
}
