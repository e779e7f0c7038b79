package demo_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello/demo"
)

// TestOpen311Services: the demo city's Open311 services are the
// catalogue's desk categories, each valid, with a distinct code and mapped
// to the desk of its name.
func TestOpen311Services(t *testing.T) {
	d := demo.Generate(1, time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC))
	services := demo.Open311Services(d.Desks)
	if len(services) != 8 {
		t.Fatalf("%d services, want 8 (every desk category of the catalogue)", len(services))
	}
	deskName := map[string]string{}
	for _, k := range d.Desks {
		deskName[k.ID] = k.Name
	}
	codes := map[string]bool{}
	for _, s := range services {
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		if codes[s.Code] {
			t.Fatalf("code %s twice", s.Code)
		}
		codes[s.Code] = true
		if deskName[s.DeskID] == "" || deskName[s.DeskID] != s.Group || s.Notice == "" || len(s.Attributes) == 0 || len(s.Keywords) == 0 {
			t.Fatalf("service %+v", s)
		}
	}
	for _, c := range []string{"certificati", "cie", "residenza", "tari", "imu", "multe", "scia", "sociali"} {
		if !codes[c] {
			t.Errorf("no service %s", c)
		}
	}
	if got := demo.Open311Services(d.Desks[:1]); len(got) != 3 {
		t.Fatalf("with the Anagrafe desk only: %d services, want 3", len(got))
	}
}
