package main_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/sqlite"
)

// TestMain_DemoAppointments: the demo city gives appointments, whether
// syncd seeds it now or it was seeded before appointments existed (its
// offices then get their services when syncd starts).
func TestMain_DemoAppointments(t *testing.T) {
	now := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	want := len(demo.Generate(1, now).Services)
	old := filepath.Join(t.TempDir(), "old.db")
	db := sqlite.New(old)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	d := demo.Generate(1, now)
	d.Services = nil
	if err := db.Seed(ctx(t), d); err != nil {
		t.Fatal(err)
	}
	db.Close()

	for name, path := range map[string]string{"Fresh": filepath.Join(t.TempDir(), "new.db"), "SeededBefore": old} {
		t.Run(name, func(t *testing.T) {
			m, _ := newMain("")
			m.Now = func() time.Time { return now }
			run(t, m, "serve", "--listen", "127.0.0.1:0", "--db", path, "--demo")
			c := client.New(m.Server.URL(), nil)
			if _, err := c.Login(ctx(t), "operatore", demo.Password); err != nil {
				t.Fatal(err)
			}
			svcs, err := c.OfficeServices(ctx(t))
			if err != nil || len(svcs) != want || want == 0 {
				t.Fatalf("%d services, %v; want %d", len(svcs), err, want)
			}
			if svcs[0].OfficeName == "" || svcs[0].OfficeAddress == "" {
				t.Fatalf("a service without its office: %+v", svcs[0])
			}
		})
	}
}
