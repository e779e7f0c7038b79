package sportello

import (
	"strings"
	"time"
)

// SLATarget is how long a desk has to answer a case from its escalation:
// Hours of service time (the service hours on the business calendar) or,
// when Hours is 0, Days business days. The case is at risk RiskHours of
// service time (RiskDays business days) before it is due.
type SLATarget struct {
	Hours     int `json:"hours,omitempty"`
	RiskHours int `json:"risk_hours,omitempty"` // 0: a quarter of Hours, at least 1
	Days      int `json:"days,omitempty"`
	RiskDays  int `json:"risk_days,omitempty"` // 0: 1
}

// DefaultSLATarget is the SLA of a desk with none configured: two
// business days, at risk one business day before.
var DefaultSLATarget = SLATarget{Days: 2, RiskDays: 1}

// DefaultServiceHours are the contact center's service hours: Mon-Fri
// 08:00-19:00 and Sat 08:00-14:00 (in the policy's location).
const DefaultServiceHours = "lun-ven 8:00-19:00; sab 8:00-14:00"

// set reports whether the target says anything.
func (t SLATarget) set() bool { return t.Hours > 0 || t.Days > 0 }

// SLAPolicy is the SLA of every desk and category on the business
// calendar: syncd computes each queued case's due time and flags with
// State, for the specialists' queues and the supervisor's board alike.
type SLAPolicy struct {
	// Location is where service hours and business days are counted
	// (Europe/Rome); nil means UTC.
	Location *time.Location
	// Calendar gives the holidays (ItalianCalendar with the patron day).
	Calendar Calendar
	// Service is the service hours that Hours targets count; closed on
	// the calendar's holidays and the exceptions it lists.
	Service WeeklyHours
	// Default is the target of every desk and category not listed
	// (DefaultSLATarget when unset); Desks overrides it per desk id and
	// Categories per desk and category (key SLAKey).
	Default    SLATarget
	Desks      map[string]SLATarget
	Categories map[string]SLATarget
}

// SLAState is a case's SLA as syncd computed it at one moment.
type SLAState struct {
	Due      time.Time `json:"due"`
	AtRisk   bool      `json:"at_risk,omitempty"`
	Breached bool      `json:"breached,omitempty"`
}

// SLAKey is the key of SLAPolicy.Categories for a desk and a category.
func SLAKey(deskID, category string) string {
	return deskID + "/" + strings.ToLower(strings.TrimSpace(category))
}

// Target returns the SLA of a case of category at desk: the desk and
// category's, else the desk's, else the default.
func (p SLAPolicy) Target(deskID, category string) SLATarget {
	t := DefaultSLATarget
	if p.Default.set() {
		t = p.Default
	}
	if d, ok := p.Desks[deskID]; ok && d.set() {
		t = d
	}
	if category != "" {
		if d, ok := p.Categories[SLAKey(deskID, category)]; ok && d.set() {
			t = d
		}
	}
	if t.Hours > 0 {
		if t.RiskHours <= 0 {
			t.RiskHours = max(1, t.Hours/4)
		}
		t.RiskHours = min(t.RiskHours, t.Hours)
	} else if t.RiskDays <= 0 {
		t.RiskDays = 1
	}
	return t
}

// State computes the SLA of a case of category that reached deskID at
// escalatedAt, as it stands at now. ok is false for a case with no
// escalation time (no SLA is known).
func (p SLAPolicy) State(deskID, category string, escalatedAt, now time.Time) (st SLAState, ok bool) {
	if escalatedAt.IsZero() {
		return st, false
	}
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	t := p.Target(deskID, category)
	var risk time.Time
	if t.Hours > 0 {
		st.Due = p.AddServiceTime(escalatedAt, time.Duration(t.Hours)*time.Hour)
		risk = p.AddServiceTime(escalatedAt, time.Duration(t.Hours-t.RiskHours)*time.Hour)
	} else {
		st.Due = p.BusinessDaysDue(escalatedAt, t.Days)
		risk = p.BusinessDaysDue(escalatedAt, max(0, t.Days-t.RiskDays))
	}
	st.Due = st.Due.UTC()
	switch {
	case !now.Before(st.Due):
		st.Breached = true
	case !now.Before(risk):
		st.AtRisk = true
	}
	return st, true
}

// AddServiceTime returns the moment d of service time after t: only the
// service hours of business days count (a case escalated on Saturday at
// 13:30 with 1 hour left is due on Monday at 08:30). Wall-clock times are
// taken in the policy's location, so a DST change moves nothing. With no
// service hours within ten years it returns the zero time.
func (p SLAPolicy) AddServiceTime(t time.Time, d time.Duration) time.Time {
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	for i := 0; i < 3660; i++ {
		ranges, _ := p.Service.rangesOn(day, p.Calendar)
		for _, r := range ranges {
			from, to := at(day, r.From, loc), at(day, r.To, loc)
			if from.Before(t) {
				from = t
			}
			if !from.Before(to) {
				continue
			}
			if avail := to.Sub(from); d <= avail {
				return from.Add(d)
			} else {
				d -= avail
			}
		}
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
	}
	return time.Time{}
}

// BusinessDaysDue returns when a target of n business days from t falls
// due: the end of the service hours on the nth business day after the day
// of t, in the policy's location. The day of t never counts, whatever its
// hour, as an office counts "within two working days" (and as Italian law
// counts terms: dies a quo non computatur); so a case escalated on
// Wednesday at 09:00 or at 18:30, or on Saturday, is due at the close of
// the second working day after it, never at midnight or at an hour the
// desk is shut. A business day is a weekday that is not a holiday
// (Calendar.BusinessDay) with service hours: a day an exception closes
// does not count, one it shortens ends at its shortened close. With no
// service hours in the week a business day ends at midnight. n <= 0
// returns t.
func (p SLAPolicy) BusinessDaysDue(t time.Time, n int) time.Time {
	if n <= 0 {
		return t
	}
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	anyHours := false
	for _, d := range p.Service.Days {
		anyHours = anyHours || len(d) > 0
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	for i := 0; i < 3660; i++ {
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
		if !p.Calendar.BusinessDay(day) {
			continue
		}
		end := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
		if anyHours {
			ranges, _ := p.Service.rangesOn(day, p.Calendar)
			if len(ranges) == 0 {
				continue
			}
			last := 0
			for _, r := range ranges {
				last = max(last, r.To)
			}
			end = at(day, last, loc)
		}
		if n--; n == 0 {
			return end
		}
	}
	return time.Time{}
}

// ServiceTime returns how much of [from, to) falls inside the service
// hours of business days (the clock AddServiceTime counts on): a report's
// resolution time in business hours. Wall-clock ranges are taken in the
// policy's location, so a DST change neither adds nor removes an hour of
// service. It counts at most ten years of days.
func (p SLAPolicy) ServiceTime(from, to time.Time) time.Duration {
	return newServiceClock(p).between(from, to)
}

// serviceClock is ServiceTime for many spans: each day's service ranges
// are worked out once, and the service time of whole days comes from
// running sums, so a month's report measures thousands of resolutions,
// some of them months long, without walking their days one by one.
type serviceClock struct {
	p    SLAPolicy
	loc  *time.Location
	days map[int64]serviceDay // by day number (days since 1970-01-01 on the calendar)
	base int64                // the day number of cum[0]
	cum  []time.Duration      // cum[i]: service time of days base .. base+i-1
}

// serviceDay is one date's service ranges as instants, and their total.
type serviceDay struct {
	ranges [][2]time.Time
	total  time.Duration
}

func newServiceClock(p SLAPolicy) *serviceClock {
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	return &serviceClock{p: p, loc: loc, days: map[int64]serviceDay{}}
}

// dayNumber is the calendar date of t in the clock's location as a count
// of days since 1970-01-01.
func (c *serviceClock) dayNumber(t time.Time) int64 {
	t = t.In(c.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func (c *serviceClock) day(n int64) serviceDay {
	if d, ok := c.days[n]; ok {
		return d
	}
	u := time.Unix(n*86400, 0).UTC()
	start := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, c.loc)
	var d serviceDay
	ranges, _ := c.p.Service.rangesOn(start, c.p.Calendar)
	for _, r := range ranges {
		a, b := at(start, r.From, c.loc), at(start, r.To, c.loc)
		d.ranges = append(d.ranges, [2]time.Time{a, b})
		d.total += b.Sub(a)
	}
	c.days[n] = d
	return d
}

// whole returns the service time of the days lo .. hi-1.
func (c *serviceClock) whole(lo, hi int64) time.Duration {
	if lo >= hi {
		return 0
	}
	if len(c.cum) == 0 || lo < c.base {
		// Start the sums at lo (again, when an earlier day is asked for).
		end := hi
		if len(c.cum) > 0 {
			end = max(end, c.base+int64(len(c.cum))-1)
		}
		c.base, c.cum = lo, []time.Duration{0}
		for n := lo; n < end; n++ {
			c.cum = append(c.cum, c.cum[len(c.cum)-1]+c.day(n).total)
		}
	}
	for n := c.base + int64(len(c.cum)) - 1; n < hi; n++ {
		c.cum = append(c.cum, c.cum[len(c.cum)-1]+c.day(n).total)
	}
	return c.cum[hi-c.base] - c.cum[lo-c.base]
}

// clip returns the service time of day n inside [from, to).
func (c *serviceClock) clip(n int64, from, to time.Time) time.Duration {
	var sum time.Duration
	for _, r := range c.day(n).ranges {
		a, b := r[0], r[1]
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
	return sum
}

func (c *serviceClock) between(from, to time.Time) time.Duration {
	if !from.Before(to) {
		return 0
	}
	first, last := c.dayNumber(from), c.dayNumber(to)
	if last-first > 3660 {
		last = first + 3660
		to = time.Unix(last*86400, 0) // ten years at most: the end of the range counted
	}
	if first == last {
		return c.clip(first, from, to)
	}
	return c.clip(first, from, to) + c.whole(first+1, last) + c.clip(last, from, to)
}
