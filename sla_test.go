package sportello_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
)

func TestCalendar_AddBusinessDays(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	cal := sportello.ItalianCalendar(1207, "Sant'Ambrogio")
	at := func(d, h, m int) time.Time { return time.Date(2025, 4, d, h, m, 0, 0, rome) }
	for _, tc := range []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"Weekday", at(22, 10, 0), 2, at(24, 10, 0)},
		{"OverLiberationDay", at(24, 9, 0), 2, at(29, 9, 0)}, // Fri 25 April, Sat, Sun skipped
		{"OneOverLiberationDay", at(24, 9, 0), 1, at(28, 9, 0)},
		{"FromSaturday", at(26, 11, 0), 2, at(30, 0, 0)}, // counts from Monday 00:00
		{"OverEasterMonday", at(18, 16, 30), 1, at(22, 16, 30)},
		{"Zero", at(23, 8, 0), 0, at(23, 8, 0)},
		{"OverDaylightSaving", time.Date(2025, 3, 28, 9, 0, 0, 0, rome), 1, time.Date(2025, 3, 31, 9, 0, 0, 0, rome)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cal.AddBusinessDays(tc.from, tc.n, rome); !got.Equal(tc.want) {
				t.Fatalf("%s + %d business days = %s, want %s", tc.from, tc.n, got, tc.want)
			}
		})
	}
}
