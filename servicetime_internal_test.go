package sportello

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestServiceClock_SameAsDayByDay: one clock reused over many spans in a
// random order (so its running sums start over and grow both ways) gives
// what walking the spans day by day gives.
func TestServiceClock_SameAsDayByDay(t *testing.T) {
	p := DefaultReportHours("Europe/Rome")
	hours, err := ParseHours(DefaultServiceHours + "; 2026-12-24 8:30-12:00; 2026-12-28 chiuso")
	if err != nil {
		t.Fatal(err)
	}
	p.Service = hours
	dayByDay := func(from, to time.Time) time.Duration {
		var sum time.Duration
		for day := time.Date(from.In(p.Location).Year(), from.In(p.Location).Month(), from.In(p.Location).Day(), 0, 0, 0, 0, p.Location); day.Before(to); day = day.AddDate(0, 0, 1) {
			ranges, _ := p.Service.rangesOn(day, p.Calendar)
			for _, r := range ranges {
				a, b := at(day, r.From, p.Location), at(day, r.To, p.Location)
				if a.Before(from) {
					a = from
				}
				if b.After(to) {
					b = to
				}
				if a.Before(b) {
					sum += b.Sub(a)
				}
			}
		}
		return sum
	}
	rng := rand.New(rand.NewPCG(7, 11))
	c := newServiceClock(p)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 2000; i++ {
		from := base.Add(time.Duration(rng.Int64N(int64(3 * 365 * 24 * time.Hour))))
		to := from.Add(time.Duration(rng.Int64N(int64(120 * 24 * time.Hour))))
		if i%10 == 0 {
			to = from.Add(time.Duration(rng.Int64N(int64(30 * time.Hour))))
		}
		if got, want := c.between(from, to), dayByDay(from, to); got != want {
			t.Fatalf("span %d %v - %v: %v, day by day %v", i, from, to, got, want)
		}
	}
}
