package server

import (
	"sort"

	"github.com/sportello/sportello"
)

// slaPolicy fills what c.SLA leaves unset from the rest of the board's
// config (Location and Calendar set by withDefaults): the default target
// is SLADays business days, at risk RiskDays before, each DeskSLADays
// entry a desk's target, and the service hours sportello.DefaultServiceHours.
func (c BoardConfig) slaPolicy() sportello.SLAPolicy {
	p := c.SLA
	if p.Location == nil {
		p.Location = c.Location
	}
	if p.Calendar.Fixed == nil && !p.Calendar.EasterMonday {
		p.Calendar = c.Calendar
	}
	if !hasHours(p.Service) {
		p.Service, _ = sportello.ParseHours(sportello.DefaultServiceHours)
	}
	if p.Default == (sportello.SLATarget{}) {
		p.Default = sportello.SLATarget{Days: c.SLADays, RiskDays: c.RiskDays}
	}
	if len(c.DeskSLADays) > 0 {
		desks := make(map[string]sportello.SLATarget, len(p.Desks)+len(c.DeskSLADays))
		for id, n := range c.DeskSLADays {
			if n > 0 {
				desks[id] = sportello.SLATarget{Days: n, RiskDays: c.RiskDays}
			}
		}
		for id, t := range p.Desks {
			desks[id] = t
		}
		p.Desks = desks
	}
	return p
}

// hasHours reports whether a week has any service hours.
func hasHours(h sportello.WeeklyHours) bool {
	for _, d := range h.Days {
		if len(d) > 0 {
			return true
		}
	}
	return false
}

// queueSLA sets each queued case's SLA (due time, at risk, breached) at
// the server's clock and orders the queue first due first; cases with no
// escalation time go last, oldest opened first.
func (s *Server) queueSLA(cases []*sportello.Case) {
	policy := s.boardOf().cfg().SLA
	now := s.Now()
	for _, k := range cases {
		if st, ok := policy.State(k.DeskID, k.Category, k.EscalatedAt, now); ok {
			k.SLA = &st
		}
	}
	sort.SliceStable(cases, func(i, j int) bool {
		a, b := cases[i].SLA, cases[j].SLA
		switch {
		case a == nil || b == nil:
			return a != nil
		case !a.Due.Equal(b.Due):
			return a.Due.Before(b.Due)
		}
		return cases[i].EscalatedAt.Before(cases[j].EscalatedAt)
	})
}
