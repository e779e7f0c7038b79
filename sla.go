package sportello

import "time"

// BusinessDay reports whether the date of t (in t's location) is a
// working day of the City's back offices: Monday to Friday, not a holiday.
func (c Calendar) BusinessDay(t time.Time) bool {
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, holiday := c.Holiday(t)
	return !holiday
}

// AddBusinessDays returns the moment n business days after t, counted in
// loc: the same wall-clock time n business days later. A t that falls on
// a day that is not a business day counts from the start (00:00) of the
// next business day. A desk's SLA in business days is not counted this
// way (it would fall due at midnight or outside service hours): see
// SLAPolicy.BusinessDaysDue.
func (c Calendar) AddBusinessDays(t time.Time, n int, loc *time.Location) time.Time {
	t = t.In(loc)
	if !c.BusinessDay(t) {
		for t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc); !c.BusinessDay(t); {
			t = t.AddDate(0, 0, 1)
		}
	}
	for i := 0; i < n; {
		t = t.AddDate(0, 0, 1)
		if c.BusinessDay(t) {
			i++
		}
	}
	return t
}
