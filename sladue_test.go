package sportello_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// TestSLA_BusinessDaysDue: a target in business days falls due at the
// close of the service hours on the nth business day after the day of
// escalation, never at midnight: across a weekend, Easter Monday, 7 and
// 8 December in Milan, both DST changes (checked in UTC) and the
// exceptions that shorten or close a day.
func TestSLA_BusinessDaysDue(t *testing.T) {
	p := slaPolicy(t)
	rome := p.Location
	local := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, rome) }
	for _, tc := range []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"Weekday", local(2026, 4, 1, 9, 0), 2, local(2026, 4, 3, 19, 0)},               // Wed -> Thu, Fri
		{"EveningSameAsMorning", local(2026, 4, 1, 22, 0), 2, local(2026, 4, 3, 19, 0)}, // after closing: the day still never counts
		{"BeforeOpening", local(2026, 4, 1, 6, 0), 1, local(2026, 4, 2, 19, 0)},
		{"OverWeekend", local(2026, 3, 20, 10, 0), 1, local(2026, 3, 23, 19, 0)},    // Fri -> Mon
		{"FromSaturday", local(2026, 3, 21, 9, 0), 2, local(2026, 3, 24, 19, 0)},    // Sat -> Mon, Tue (was Wed 00:00)
		{"FromSunday", local(2026, 3, 22, 23, 30), 1, local(2026, 3, 23, 19, 0)},    // Sun -> Mon
		{"OverEasterMonday", local(2026, 4, 3, 15, 0), 1, local(2026, 4, 7, 19, 0)}, // Mon 6 April is not one
		{"TwoOverEasterMonday", local(2026, 4, 3, 15, 0), 2, local(2026, 4, 8, 19, 0)},
		{"OverSantAmbrogioAndImmacolata", local(2026, 12, 4, 11, 0), 1, local(2026, 12, 9, 19, 0)}, // Mon 7, Tue 8 December
		{"Zero", local(2026, 4, 1, 9, 0), 0, local(2026, 4, 1, 9, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := p.BusinessDaysDue(tc.from, tc.n)
			if !got.Equal(tc.want) {
				t.Fatalf("BusinessDaysDue(%v, %d) = %v, want %v", tc.from, tc.n, got.In(rome), tc.want)
			}
			if tc.n > 0 && got.In(rome).Hour() == 0 {
				t.Fatalf("due at midnight: %v", got.In(rome))
			}
		})
	}
	// DST: the close of the service day is 19:00 on the wall clock, so
	// 17:00 UTC after the spring change and 18:00 UTC after the autumn one.
	if got := p.BusinessDaysDue(local(2026, 3, 27, 10, 0), 1).UTC(); got != time.Date(2026, 3, 30, 17, 0, 0, 0, time.UTC) {
		t.Fatalf("over spring forward: due %v UTC, want Mon 30 March 17:00 UTC", got)
	}
	if got := p.BusinessDaysDue(local(2026, 10, 23, 12, 0), 1).UTC(); got != time.Date(2026, 10, 26, 18, 0, 0, 0, time.UTC) {
		t.Fatalf("over fall back: due %v UTC, want Mon 26 October 18:00 UTC", got)
	}

	// Exceptions: Christmas Eve closes at 12:00, Monday 28 December is
	// closed; 25 and 26 December are holidays.
	hours, err := sportello.ParseHours(sportello.DefaultServiceHours + "; 2026-12-24 8:30-12:00; 2026-12-28 chiuso")
	if err != nil {
		t.Fatal(err)
	}
	p.Service = hours
	if got := p.BusinessDaysDue(local(2026, 12, 23, 10, 0), 1); !got.Equal(local(2026, 12, 24, 12, 0)) {
		t.Fatalf("to Christmas Eve: due %v, want 24 December 12:00", got.In(rome))
	}
	if got := p.BusinessDaysDue(local(2026, 12, 23, 10, 0), 2); !got.Equal(local(2026, 12, 29, 19, 0)) {
		t.Fatalf("over Christmas and a closed Monday: due %v, want Tue 29 December 19:00", got.In(rome))
	}

	// With no service hours configured a business day ends at midnight.
	bare := sportello.SLAPolicy{Location: rome, Calendar: p.Calendar}
	if got := bare.BusinessDaysDue(local(2026, 4, 3, 15, 0), 1); !got.Equal(local(2026, 4, 8, 0, 0)) {
		t.Fatalf("no service hours: due %v, want the end of Tue 7 April", got.In(rome))
	}
}

// TestSLA_ServiceTime: how much of a span falls in the service hours of
// business days, the measure of a report's resolution time in business
// hours: over a weekend (Saturday's morning counts), Milan's 7 and 8
// December, Easter Monday, and both DST changes (the 23- and 25-hour
// Sundays add nothing).
func TestSLA_ServiceTime(t *testing.T) {
	p := slaPolicy(t)
	rome := p.Location
	local := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, rome) }
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"SameDay", local(2026, 3, 23, 10, 0), local(2026, 3, 23, 13, 30), 3*time.Hour + 30*time.Minute},
		{"Night", local(2026, 3, 23, 19, 30), local(2026, 3, 24, 7, 59), 0},
		{"OverWeekend", local(2026, 3, 20, 18, 0), local(2026, 3, 23, 9, 0), 8 * time.Hour}, // Fri 1 + Sat 6 + Mon 1
		{"SantAmbrogioImmacolata", local(2026, 12, 4, 18, 0), local(2026, 12, 9, 9, 0), 8 * time.Hour},
		{"EasterMonday", local(2026, 4, 4, 13, 0), local(2026, 4, 7, 9, 0), 2 * time.Hour}, // Sat 1 + Tue 1
		{"SpringForward", local(2026, 3, 28, 13, 0), local(2026, 3, 30, 10, 0), 3 * time.Hour},
		{"FallBack", local(2026, 10, 23, 18, 30), local(2026, 10, 26, 9, 0), 7*time.Hour + 30*time.Minute},
		{"Reversed", local(2026, 3, 23, 13, 0), local(2026, 3, 23, 10, 0), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.ServiceTime(tc.from, tc.to); got != tc.want {
				t.Fatalf("ServiceTime(%v, %v) = %v, want %v", tc.from, tc.to, got, tc.want)
			}
		})
	}
	// A report counts it per resolution: Friday 18:00 to Monday 09:00 is
	// 63 hours on the wall clock and 8 business hours.
	opened, resolved := local(2026, 3, 20, 18, 0), local(2026, 3, 23, 9, 0)
	r := sportello.NewReportOn(p, sportello.ReportDay, "2026-03-23", "Europe/Rome", local(2026, 3, 23, 0, 0), local(2026, 3, 24, 0, 0), resolved,
		[]sportello.ReportFact{{CaseID: "k1", Category: "Tributi", Outcome: sportello.OutcomeResolvedFirstContact, At: resolved, OpenedAt: opened, AuthorID: "u-a", Author: "Giulia Bianchi"}})
	if r.Totals.AvgResolution() != 63*time.Hour || r.Totals.AvgBusinessResolution() != 8*time.Hour || r.Rows[0].AvgBusinessResolution() != 8*time.Hour ||
		len(r.Operators) != 1 || r.Operators[0].Name != "Giulia Bianchi" || r.Operators[0].AvgBusinessResolution() != 8*time.Hour ||
		len(r.Services) != 1 || r.Services[0].Key != "Tributi" {
		t.Fatalf("report %+v", r)
	}
}
