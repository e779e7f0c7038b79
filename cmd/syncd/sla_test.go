package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// TestMain_SLAConfig serves with an "sla" section and checks the policy
// syncd's server got: targets per desk and category, the patron day and
// an extra holiday, the service hours, the callbacks' pool delay; a bad
// section stops syncd.
func TestMain_SLAConfig(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "syncd.json")
	if err := os.WriteFile(config, []byte(`{"listen":"127.0.0.1:0","db":"`+filepath.Join(dir, "s.db")+`","callbacks":{"pool_delay_minutes":45,"retry_attempts":5,"retry_spacing_minutes":20},
		"sla":{"time_zone":"Europe/Rome","service_hours":"lun-ven 9:00-17:00","patron_day":"06-24","patron_name":"San Giovanni",
		"holidays":["08-14"],"default":{"hours":8},"desks":{"desk-anagrafe":{"days":3}},
		"categories":{"desk-anagrafe":{"CIE":{"hours":4,"risk_hours":1}}}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	m, _ := newMain("")
	run(t, m, "serve", "--config", config)
	if o := m.Server.Overdue; o.PoolDelay != 45*time.Minute || o.Retry != (sportello.CallbackRetry{Attempts: 5, Spacing: 20 * time.Minute}) {
		t.Fatalf("callbacks %+v, want a 45m pool delay, 5 attempts 20m apart", o)
	}
	p := m.Server.Board.SLA
	for _, tc := range []struct {
		desk, category string
		want           sportello.SLATarget
	}{
		{"desk-multe", "", sportello.SLATarget{Hours: 8, RiskHours: 2}},
		{"desk-anagrafe", "Residenza", sportello.SLATarget{Days: 3, RiskDays: 1}},
		{"desk-anagrafe", "cie", sportello.SLATarget{Hours: 4, RiskHours: 1}},
	} {
		if got := p.Target(tc.desk, tc.category); got != tc.want {
			t.Errorf("Target(%s, %s) = %+v, want %+v", tc.desk, tc.category, got, tc.want)
		}
	}
	rome := p.Location
	if rome == nil || rome.String() != "Europe/Rome" {
		t.Fatalf("location %v", rome)
	}
	// Tue 23 June 2026 16:00 + 4 h: 1 h left that day, 24 June is the
	// patron day, Thu 25 from 9:00 -> 12:00.
	if got, want := p.AddServiceTime(time.Date(2026, 6, 23, 16, 0, 0, 0, rome), 4*time.Hour), time.Date(2026, 6, 25, 12, 0, 0, 0, rome); !got.Equal(want) {
		t.Fatalf("over the patron day: %v, want %v", got, want)
	}
	// Thu 13 August 2026 16:00 + 2 h: Ferragosto eve (configured) and
	// Ferragosto, then the weekend -> Mon 17 at 10:00.
	if got, want := p.AddServiceTime(time.Date(2026, 8, 13, 16, 0, 0, 0, rome), 2*time.Hour), time.Date(2026, 8, 17, 10, 0, 0, 0, rome); !got.Equal(want) {
		t.Fatalf("over 14-15 August: %v, want %v", got, want)
	}

	for _, bad := range []string{`{"time_zone":"Europe/Nowhere"}`, `{"patron_day":"7 dicembre"}`, `{"service_hours":"lun 25:00-26:00"}`,
		`{"desks":{"d":{"hours":4,"days":1}}}`, `{"default":{"hours":-1}}`} {
		if err := os.WriteFile(config, []byte(`{"listen":"127.0.0.1:0","db":"`+filepath.Join(dir, "s.db")+`","sla":`+bad+`}`), 0o600); err != nil {
			t.Fatal(err)
		}
		m, _ := newMain("")
		if err := m.ParseFlags(context.Background(), []string{"serve", "--config", config}); err != nil {
			t.Fatal(err)
		}
		err := m.Run(context.Background())
		m.Close()
		if err == nil || !strings.Contains(err.Error(), "sla") {
			t.Errorf("sla %s: %v, want an sla error", bad, err)
		}
	}
}
