package demo

import "time"

// The service's calendar (DOMAIN.md): Monday to Friday 08:00-19:00,
// Saturday 08:00-14:00, Europe/Rome, closed on national holidays and on
// Sant'Ambrogio. Rome's offset is computed from the EU summer-time rule
// rather than loaded, so the package works without a tz database.

// romeOffset is Rome's offset from UTC at t: summer time runs from 01:00
// UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October.
func romeOffset(t time.Time) time.Duration {
	y := t.Year()
	start := lastSunday(y, time.March).Add(time.Hour)
	end := lastSunday(y, time.October).Add(time.Hour)
	if !t.Before(start) && t.Before(end) {
		return 2 * time.Hour
	}
	return time.Hour
}

func lastSunday(year int, m time.Month) time.Time {
	last := time.Date(year, m+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	return last.AddDate(0, 0, -int(last.Weekday()))
}

// romeTime is the UTC instant of the wall-clock time h:m:s in Rome on day
// (whose date alone counts). Opening hours never fall in a DST change.
func romeTime(day time.Time, h, m, s int) time.Time {
	wall := time.Date(day.Year(), day.Month(), day.Day(), h, m, s, 0, time.UTC)
	return wall.Add(-romeOffset(wall.Add(-time.Hour)))
}

// workingDay reports whether the service is open on day's date.
func workingDay(day time.Time) bool {
	if day.Weekday() == time.Sunday {
		return false
	}
	switch int(day.Month())*100 + day.Day() {
	case 101, 106, 425, 501, 602, 815, 1101, 1207, 1208, 1225, 1226:
		return false
	}
	e := easter(day.Year()).AddDate(0, 0, 1) // Pasquetta
	return !(day.Month() == e.Month() && day.Day() == e.Day())
}

// easter is Easter Sunday of year (anonymous Gregorian algorithm).
func easter(year int) time.Time {
	a, b, c := year%19, year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// intoHours returns t if the service is open then, or else a moment in the
// first hour of the next opening.
func (g *caseGen) intoHours(t time.Time) time.Time {
	local := t.Add(romeOffset(t))
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	closing := 19
	if day.Weekday() == time.Saturday {
		closing = 14
	}
	if workingDay(day) && local.Hour() >= 8 && local.Hour() < closing {
		return t
	}
	if local.Hour() >= 8 || !workingDay(day) {
		day = day.AddDate(0, 0, 1)
		for !workingDay(day) {
			day = day.AddDate(0, 0, 1)
		}
	}
	return romeTime(day, 8, g.r.IntN(60), g.r.IntN(60))
}
