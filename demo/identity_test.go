package demo_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/check"
)

// TestGenerate_CitizensValid: every demo citizen passes the checks a
// registration from the desktop gets (sportello.Citizen.Validate and
// check.Citizen: tax code check characters, numbers in use in E.164, email),
// and no two share a tax code, so the demo's records can be edited as they
// are.
func TestGenerate_CitizensValid(t *testing.T) {
	d := demo.Generate(1, time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	seen := map[string]string{}
	for _, c := range d.Citizens {
		got, err := check.Citizen(c)
		if err != nil {
			t.Fatalf("demo citizen %s %q (%s): %v", c.ID, c.Name, c.TaxCode, err)
		}
		if got.ID != c.ID || got.TaxCode != c.TaxCode || len(got.Phones) != len(c.Phones) {
			t.Fatalf("demo citizen %+v normalizes to %+v", c, got)
		}
		if other, dup := seen[c.TaxCode]; dup && c.TaxCode != "" {
			t.Fatalf("%s and %s share the tax code %s", other, c.ID, c.TaxCode)
		}
		seen[c.TaxCode] = c.ID
		if c.Kind == sportello.CitizenPerson && c.TaxCode == "" {
			t.Fatalf("demo person %s has no codice fiscale", c.ID)
		}
	}
	if len(d.Citizens) < 10 {
		t.Fatalf("only %d demo citizens", len(d.Citizens))
	}
}
