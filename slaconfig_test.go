package sportello_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
)

func slaPolicy(t *testing.T) sportello.SLAPolicy {
	t.Helper()
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	hours, err := sportello.ParseHours(sportello.DefaultServiceHours)
	if err != nil {
		t.Fatal(err)
	}
	return sportello.SLAPolicy{
		Location: rome, Calendar: sportello.ItalianCalendar(1207, "Sant'Ambrogio"), Service: hours,
		Desks:      map[string]sportello.SLATarget{"desk-anagrafe": {Hours: 16, RiskHours: 4}},
		Categories: map[string]sportello.SLATarget{sportello.SLAKey("desk-anagrafe", "CIE"): {Hours: 8, RiskHours: 2}},
	}
}

func TestSLA_AddServiceTime(t *testing.T) {
	p := slaPolicy(t)
	rome := p.Location
	local := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, rome) }
	for _, tc := range []struct {
		name string
		from time.Time
		add  time.Duration
		want time.Time
	}{
		{"SameDay", local(2026, 3, 23, 10, 0), 3 * time.Hour, local(2026, 3, 23, 13, 0)},
		{"UpToClosing", local(2026, 3, 23, 18, 0), time.Hour, local(2026, 3, 23, 19, 0)},
		{"NextDay", local(2026, 3, 23, 10, 0), 16 * time.Hour, local(2026, 3, 24, 15, 0)},
		{"NightCountsFromOpening", local(2026, 3, 20, 22, 0), time.Hour, local(2026, 3, 21, 9, 0)},
		{"SaturdayToMonday", local(2026, 3, 14, 13, 30), time.Hour, local(2026, 3, 16, 8, 30)},
		{"SpringForward", local(2026, 3, 28, 13, 0), 3 * time.Hour, local(2026, 3, 30, 10, 0)},
		{"FallBack", local(2026, 10, 24, 13, 30), time.Hour, local(2026, 10, 26, 8, 30)},
		{"EasterMonday", local(2026, 4, 4, 12, 0), 4 * time.Hour, local(2026, 4, 7, 10, 0)},
		{"PatronDayAndImmacolata", local(2026, 12, 5, 13, 0), 2 * time.Hour, local(2026, 12, 9, 9, 0)},
		{"Liberazione", local(2026, 4, 24, 18, 0), 2 * time.Hour, local(2026, 4, 27, 9, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.AddServiceTime(tc.from, tc.add); !got.Equal(tc.want) {
				t.Fatalf("AddServiceTime(%v, %v) = %v, want %v", tc.from, tc.add, got.In(rome), tc.want)
			}
		})
	}
	// Across the spring change the real time is an hour shorter than the
	// wall-clock difference: the due instant is 08:00 UTC, not 09:00.
	if got := p.AddServiceTime(local(2026, 3, 28, 13, 0), 3*time.Hour).UTC(); got != time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC) {
		t.Fatalf("spring forward due %v UTC", got)
	}
	if got := p.AddServiceTime(local(2026, 10, 24, 13, 30), time.Hour).UTC(); got != time.Date(2026, 10, 26, 7, 30, 0, 0, time.UTC) {
		t.Fatalf("fall back due %v UTC", got)
	}
	if got := (sportello.SLAPolicy{Location: rome}).AddServiceTime(local(2026, 3, 23, 10, 0), time.Hour); !got.IsZero() {
		t.Fatalf("no service hours: due %v, want none", got)
	}
}

func TestSLA_Target(t *testing.T) {
	p := slaPolicy(t)
	for _, tc := range []struct {
		desk, category string
		want           sportello.SLATarget
	}{
		{"desk-tributi", "TARI", sportello.SLATarget{Days: 2, RiskDays: 1}},
		{"desk-anagrafe", "Residenza", sportello.SLATarget{Hours: 16, RiskHours: 4}},
		{"desk-anagrafe", " cie ", sportello.SLATarget{Hours: 8, RiskHours: 2}},
		{"desk-tributi", "CIE", sportello.SLATarget{Days: 2, RiskDays: 1}},
	} {
		if got := p.Target(tc.desk, tc.category); got != tc.want {
			t.Errorf("Target(%q, %q) = %+v, want %+v", tc.desk, tc.category, got, tc.want)
		}
	}
	p.Default = sportello.SLATarget{Hours: 10}
	if got := p.Target("desk-tributi", ""); got != (sportello.SLATarget{Hours: 10, RiskHours: 2}) {
		t.Errorf("default with hours = %+v, want a quarter as risk", got)
	}
}

func TestSLA_State(t *testing.T) {
	p := slaPolicy(t)
	rome := p.Location
	local := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, rome) }
	esc := local(4, 3, 15, 0) // Friday before Easter
	for _, tc := range []struct {
		name, desk, category string
		now                  time.Time
		due                  time.Time
		atRisk, breached     bool
	}{
		// CIE at anagrafe: 8 service hours, at risk 2 before: Fri 15-19 (4),
		// Sat 8-12 (4) -> due Sat 12:00; at risk from Sat 10:00.
		{"CIEEarly", "desk-anagrafe", "CIE", local(4, 3, 16, 0), local(4, 4, 12, 0), false, false},
		{"CIEAtRisk", "desk-anagrafe", "CIE", local(4, 4, 10, 0), local(4, 4, 12, 0), true, false},
		{"CIEBreached", "desk-anagrafe", "CIE", local(4, 4, 12, 0), local(4, 4, 12, 0), false, true},
		// The desk's 16 hours: Fri 4, Sat 6, Easter and Easter Monday
		// closed, Tue 8:00+6 -> Tue 7 April 14:00, at risk from 10:00.
		{"DeskOverEaster", "desk-anagrafe", "Residenza", local(4, 6, 23, 0), local(4, 7, 14, 0), false, false},
		{"DeskAtRisk", "desk-anagrafe", "Residenza", local(4, 7, 10, 0), local(4, 7, 14, 0), true, false},
		// The default: 2 business days after Friday (Easter Monday is not
		// one): Tue 7, Wed 8, due at its close, 19:00; at risk from the
		// close of Tue 7.
		{"DefaultDays", "desk-tributi", "TARI", local(4, 7, 15, 0), local(4, 8, 19, 0), false, false},
		{"DefaultAtRisk", "desk-tributi", "TARI", local(4, 8, 15, 0), local(4, 8, 19, 0), true, false},
		{"DefaultBreached", "desk-tributi", "TARI", local(4, 8, 19, 0), local(4, 8, 19, 0), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, ok := p.State(tc.desk, tc.category, esc, tc.now)
			if !ok || !st.Due.Equal(tc.due) || st.Due.Location() != time.UTC || st.AtRisk != tc.atRisk || st.Breached != tc.breached {
				t.Fatalf("State = %+v (ok %v), want due %v risk %v breached %v", st, ok, tc.due, tc.atRisk, tc.breached)
			}
		})
	}
	if _, ok := p.State("desk-tributi", "", time.Time{}, esc); ok {
		t.Fatal("a case with no escalation time has an SLA")
	}
}

func TestCallbackRetry(t *testing.T) {
	t0 := time.Date(2026, 4, 27, 7, 0, 0, 0, time.UTC)
	cb := &sportello.Callback{State: sportello.CallbackScheduled, From: t0, To: t0.Add(time.Hour)}
	r := sportello.CallbackRetry{Attempts: 2, Spacing: 20 * time.Minute}
	if got := cb.NextAttempt(r); !got.Equal(t0) {
		t.Fatalf("next attempt %v before any, want the window's start", got)
	}
	if err := cb.AttemptUnder(sportello.CallbackAttempt{At: t0.Add(5 * time.Minute), Outcome: sportello.AttemptNoAnswer}, r); err != nil || cb.State != sportello.CallbackScheduled {
		t.Fatalf("first no answer: %v, %s", err, cb.State)
	}
	if got := cb.NextAttempt(r); !got.Equal(t0.Add(25 * time.Minute)) {
		t.Fatalf("next attempt %v, want 20 minutes after the first", got)
	}
	if got := cb.NextAttempt(sportello.CallbackRetry{}); !got.Equal(t0.Add(20 * time.Minute)) {
		t.Fatalf("default spacing: next attempt %v, want 15 minutes after", got)
	}
	if err := cb.AttemptUnder(sportello.CallbackAttempt{At: t0.Add(30 * time.Minute), Outcome: sportello.AttemptBusy}, r); err != nil || cb.State != sportello.CallbackFailed {
		t.Fatalf("second unanswered under a two-attempt policy: %v, %s; want failed", err, cb.State)
	}
	if err := cb.AttemptUnder(sportello.CallbackAttempt{At: t0.Add(40 * time.Minute), Outcome: sportello.AttemptResolved}, r); sportello.ErrorCode(err) != sportello.ECONFLICT {
		t.Fatalf("attempt on a failed callback: %v, want ECONFLICT", err)
	}
}
