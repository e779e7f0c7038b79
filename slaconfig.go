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
		st.Due = p.Calendar.AddBusinessDays(escalatedAt, t.Days, loc)
		risk = p.Calendar.AddBusinessDays(escalatedAt, max(0, t.Days-t.RiskDays), loc)
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
