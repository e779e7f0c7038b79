package sportello_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// TestWeeklyHours_Exceptions: closures and special hours by date, over
// the week and over the calendar's holidays, across DST, with an injected
// clock (Europe/Rome).
func TestWeeklyHours_Exceptions(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	h, err := sportello.ParseHours("lun-ven 8:30-12:30; 2026-08-14 chiuso; 2026-12-24,2026-12-31 8:30-11:00; 2026-12-08 9:00-12:00; 2026-03-29 10:00-12:00")
	if err != nil {
		t.Fatal(err)
	}
	cal := sportello.ItalianCalendar(1207, "Sant'Ambrogio")
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, rome) }
	for _, tc := range []struct {
		name    string
		now     time.Time
		open    bool
		until   time.Time
		next    time.Time
		holiday string
	}{
		{"ClosedByException", at(2026, 8, 14, 10, 0), false, time.Time{}, at(2026, 8, 17, 8, 30), sportello.ClosedException},
		{"SpecialHoursOpen", at(2026, 12, 24, 10, 0), true, at(2026, 12, 24, 11, 0), time.Time{}, ""},
		{"SpecialHoursAfter", at(2026, 12, 24, 11, 30), false, time.Time{}, at(2026, 12, 28, 8, 30), ""},
		{"SpecialHoursBefore", at(2026, 12, 31, 7, 0), false, time.Time{}, at(2026, 12, 31, 8, 30), ""},
		{"OpenOnAHoliday", at(2026, 12, 8, 10, 0), true, at(2026, 12, 8, 12, 0), time.Time{}, ""},
		{"PatronDayThenException", at(2026, 12, 7, 10, 0), false, time.Time{}, at(2026, 12, 8, 9, 0), "Sant'Ambrogio"},
		{"ExceptionAfterDSTStarts", at(2026, 3, 28, 20, 0), false, time.Time{}, time.Date(2026, 3, 29, 8, 0, 0, 0, time.UTC), ""},
		{"OrdinaryDay", at(2026, 8, 13, 9, 0), true, at(2026, 8, 13, 12, 30), time.Time{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := h.StateAt(tc.now.UTC(), rome, cal)
			if st.Open != tc.open || !st.Until.Equal(tc.until) || !st.Next.Equal(tc.next) || st.Holiday != tc.holiday {
				t.Fatalf("StateAt(%s) = %+v; want open %v until %s next %s holiday %q", tc.now, st, tc.open, tc.until, tc.next, tc.holiday)
			}
		})
	}

	// Written back the same.
	back, err := sportello.ParseHours(sportello.FormatHours(h))
	if err != nil || !reflect.DeepEqual(back, h) {
		t.Fatalf("FormatHours %q read back %+v, %v", sportello.FormatHours(h), back, err)
	}
	for text, want := range map[string]string{
		"2026-08-14":              "write the hours of the day or chiuso",
		"2026-08-14 9-12":         "bad time range",
		"2026-08-14,14/08 chiuso": `"14/08" is not a date`,
		"2026-02-30 chiuso":       "unknown day",
	} {
		_, err := sportello.ParseHours(text)
		if sportello.ErrorCode(err) != sportello.EINVALID || !strings.Contains(sportello.ErrorMessage(err), want) {
			t.Errorf("ParseHours(%q) = %v, want %q", text, err, want)
		}
	}
}
