package sportello

import (
	"fmt"
	"strings"
	"time"
)

// Calendar says which days the City's offices are closed: Sundays are not
// holidays by themselves (an office's week says whether it opens then);
// the national public holidays, Easter Monday and the city's patron day
// are, and more can be configured.
type Calendar struct {
	// Fixed holidays as month*100+day, e.g. 1225 for Christmas.
	Fixed []int
	// EasterMonday closes the Monday after Easter (Pasquetta).
	EasterMonday bool
	// Names of the holidays for the UI, by month*100+day; "" is fine.
	Names map[int]string
}

// ItalianCalendar is Italy's public holidays with the patron day given as
// month*100+day (1207 for Milan's Sant'Ambrogio; 0 for none).
func ItalianCalendar(patronDay int, patronName string) Calendar {
	c := Calendar{
		Fixed:        []int{101, 106, 425, 501, 602, 815, 1101, 1208, 1225, 1226},
		EasterMonday: true,
		Names: map[int]string{
			101: "Capodanno", 106: "Epifania", 425: "Festa della Liberazione", 501: "Festa del Lavoro",
			602: "Festa della Repubblica", 815: "Ferragosto", 1101: "Ognissanti", 1208: "Immacolata",
			1225: "Natale", 1226: "Santo Stefano",
		},
	}
	if patronDay != 0 {
		c.Fixed = append(c.Fixed, patronDay)
		c.Names[patronDay] = patronName
	}
	return c
}

// Holiday reports whether the date of t (in t's location) is a holiday,
// and its name.
func (c Calendar) Holiday(t time.Time) (string, bool) {
	md := int(t.Month())*100 + t.Day()
	for _, d := range c.Fixed {
		if d == md {
			return c.Names[md], true
		}
	}
	if c.EasterMonday {
		e := Easter(t.Year()).AddDate(0, 0, 1)
		if t.Month() == e.Month() && t.Day() == e.Day() {
			return "Lunedì dell'Angelo", true
		}
	}
	return "", false
}

// Easter returns Easter Sunday of year (the anonymous Gregorian algorithm).
func Easter(year int) time.Time {
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

// TimeRange is a span of wall-clock time in a day, in minutes from midnight.
type TimeRange struct {
	From int `json:"from"` // minutes, e.g. 8*60+30
	To   int `json:"to"`
}

// WeeklyHours is an office's opening hours: ranges for each weekday
// (index time.Weekday, Sunday = 0), closed on the calendar's holidays.
type WeeklyHours struct {
	Days [7][]TimeRange `json:"days"`
	// Exceptions are days with other hours, or closed (hoursexceptions.go).
	Exceptions []DayException `json:"exceptions,omitempty"`
}

// ParseHours reads hours written the way the portal writes them, one
// clause per group of days separated by ";": "lun-ven 8:30-12:30,
// 14:00-16:00; sab 9:00-12:00". Days: lun mar mer gio ven sab dom.
// A clause starting with dates is an exception: "2026-08-14 chiuso;
// 2026-12-24,2026-12-31 8:30-12:00".
func ParseHours(s string) (WeeklyHours, error) {
	var h WeeklyHours
	days := map[string]time.Weekday{"lun": time.Monday, "mar": time.Tuesday, "mer": time.Wednesday,
		"gio": time.Thursday, "ven": time.Friday, "sab": time.Saturday, "dom": time.Sunday}
	for _, clause := range strings.Split(s, ";") {
		clause = strings.TrimSpace(clause)
		if clause == "" {
			continue
		}
		if xs, isException, err := parseException(clause); err != nil {
			return h, err
		} else if isException {
			h.Exceptions = append(h.Exceptions, xs...)
			continue
		}
		dayPart, rangePart, ok := strings.Cut(clause, " ")
		if !ok {
			return h, Errorf(EINVALID, "hours %q: expected days then times", clause)
		}
		var which []time.Weekday
		for _, d := range strings.Split(dayPart, ",") {
			from, to, isSpan := strings.Cut(d, "-")
			a, ok := days[from]
			if !ok {
				return h, Errorf(EINVALID, "hours %q: unknown day %q", clause, from)
			}
			b := a
			if isSpan {
				if b, ok = days[to]; !ok {
					return h, Errorf(EINVALID, "hours %q: unknown day %q", clause, to)
				}
			}
			for w := a; ; w = (w + 1) % 7 {
				which = append(which, w)
				if w == b {
					break
				}
			}
		}
		for _, r := range strings.Split(rangePart, ",") {
			r = strings.TrimSpace(r)
			from, to, ok := strings.Cut(r, "-")
			if !ok {
				return h, Errorf(EINVALID, "hours %q: expected a range like 8:30-12:30", r)
			}
			f, err1 := parseClock(from)
			t, err2 := parseClock(to)
			if err1 != nil || err2 != nil || t <= f {
				return h, Errorf(EINVALID, "hours %q: bad time range %q", clause, r)
			}
			for _, w := range which {
				h.Days[w] = append(h.Days[w], TimeRange{From: f, To: t})
			}
		}
	}
	return h, nil
}

func parseClock(s string) (int, error) {
	var hh, mm int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &hh, &mm); err != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return hh*60 + mm, nil
}

// OpenState is an office's state at a moment, as the operator tells it.
type OpenState struct {
	Open    bool
	Until   time.Time // when open: closing time
	Next    time.Time // when closed: next opening (zero if none within a week)
	Holiday string    // when closed today for a holiday: its name
}

// StateAt says whether the office is open at t (in loc) and until when,
// or when it opens next.
func (h WeeklyHours) StateAt(t time.Time, loc *time.Location, cal Calendar) OpenState {
	t = t.In(loc)
	var st OpenState
	today, closed := h.rangesOn(t, cal) // the week, holidays and exceptions (hoursexceptions.go)
	st.Holiday = closed
	mins := t.Hour()*60 + t.Minute()
	if closed == "" {
		for _, r := range today {
			if mins >= r.From && mins < r.To {
				st.Open = true
				st.Until = at(t, r.To, loc)
				return st
			}
			if mins < r.From && st.Next.IsZero() {
				st.Next = at(t, r.From, loc)
			}
		}
		if !st.Next.IsZero() {
			return st
		}
	}
	for i := 1; i <= 14; i++ {
		d := t.AddDate(0, 0, i)
		ranges, _ := h.rangesOn(d, cal)
		if len(ranges) == 0 {
			continue
		}
		st.Next = at(d, ranges[0].From, loc)
		return st
	}
	return st
}

// at is the instant of minute-of-day m on the date of day, in loc.
func at(day time.Time, m int, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), m/60, m%60, 0, 0, loc)
}
