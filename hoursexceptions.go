package sportello

import (
	"strings"
	"time"
)

// DateLayout is how a day is written in hours exceptions: 2026-08-14.
const DateLayout = "2006-01-02"

// DayException is a day an office keeps other hours than its week's: a
// closure (no ranges) or special hours. It overrides the calendar's
// holidays too, so an office can open on one.
type DayException struct {
	Date   string      `json:"date"` // DateLayout, in the office's zone
	Ranges []TimeRange `json:"ranges,omitempty"`
}

// ClosedException names a day closed by an exception, as OpenState.Holiday.
const ClosedException = "chiusura straordinaria"

// exceptionOn returns the exception for the date of t (in t's location).
func (h WeeklyHours) exceptionOn(t time.Time) (DayException, bool) {
	d := t.Format(DateLayout)
	for _, x := range h.Exceptions {
		if x.Date == d {
			return x, true
		}
	}
	return DayException{}, false
}

// rangesOn returns the opening ranges of the date of t: the exception's,
// none on a holiday, the weekday's otherwise; closed says why there are
// none when a holiday or an exception closes the day.
func (h WeeklyHours) rangesOn(t time.Time, cal Calendar) (ranges []TimeRange, closed string) {
	if x, ok := h.exceptionOn(t); ok {
		if len(x.Ranges) == 0 {
			return nil, ClosedException
		}
		return x.Ranges, ""
	}
	if name, holiday := cal.Holiday(t); holiday {
		if name == "" {
			name = "festivo"
		}
		return nil, name
	}
	return h.Days[t.Weekday()], ""
}

// parseException reads a clause of exceptions, "2026-08-14 chiuso" or
// "2026-12-24,2026-12-31 8:30-12:00"; ok is false when the clause does
// not start with a date.
func parseException(clause string) (xs []DayException, ok bool, err error) {
	dayPart, rangePart, _ := strings.Cut(clause, " ")
	dates := strings.Split(dayPart, ",")
	if _, perr := time.Parse(DateLayout, dates[0]); perr != nil {
		return nil, false, nil
	}
	var ranges []TimeRange
	rangePart = strings.TrimSpace(rangePart)
	if rangePart != "chiuso" {
		if rangePart == "" {
			return nil, true, Errorf(EINVALID, "hours %q: write the hours of the day or chiuso", clause)
		}
		for _, r := range strings.Split(rangePart, ",") {
			r = strings.TrimSpace(r)
			from, to, found := strings.Cut(r, "-")
			f, err1 := parseClock(from)
			t, err2 := parseClock(to)
			if !found || err1 != nil || err2 != nil || t <= f {
				return nil, true, Errorf(EINVALID, "hours %q: bad time range %q", clause, r)
			}
			ranges = append(ranges, TimeRange{From: f, To: t})
		}
	}
	for _, d := range dates {
		if _, perr := time.Parse(DateLayout, d); perr != nil {
			return nil, true, Errorf(EINVALID, "hours %q: %q is not a date like 2026-08-14", clause, d)
		}
		xs = append(xs, DayException{Date: d, Ranges: ranges})
	}
	return xs, true, nil
}

// formatExceptions writes exceptions the way parseException reads them.
func formatExceptions(xs []DayException) []string {
	var out []string
	for _, x := range xs {
		if len(x.Ranges) == 0 {
			out = append(out, x.Date+" chiuso")
			continue
		}
		out = append(out, x.Date+" "+formatRanges(x.Ranges))
	}
	return out
}
