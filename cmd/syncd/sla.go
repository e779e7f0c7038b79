package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
)

// SLASettings is the "sla" section of the config file: the service hours
// and holidays the SLA counts, and the SLA by default, per desk and per
// desk and category (each in service hours, or in business days).
type SLASettings struct {
	// TimeZone is where the hours are read (Europe/Rome).
	TimeZone string `json:"time_zone,omitempty"`
	// ServiceHours are written as offices' hours: "lun-ven 8:00-19:00;
	// sab 8:00-14:00" (the default); dated clauses are exceptions
	// ("2026-12-24 8:00-13:00", "2026-08-14 chiuso").
	ServiceHours string `json:"service_hours,omitempty"`
	// PatronDay is the city's patron day as "MM-DD" (12-07, Sant'Ambrogio,
	// by default); Holidays are more closed days, "MM-DD" every year.
	PatronDay  string   `json:"patron_day,omitempty"`
	PatronName string   `json:"patron_name,omitempty"`
	Holidays   []string `json:"holidays,omitempty"`
	// Default is the SLA of every desk (else the board's sla_days);
	// Desks by desk id; Categories by desk id, then category.
	Default    sportello.SLATarget                       `json:"default,omitzero"`
	Desks      map[string]sportello.SLATarget            `json:"desks,omitempty"`
	Categories map[string]map[string]sportello.SLATarget `json:"categories,omitempty"`
}

// policy turns the section into the server's SLA policy; what it leaves
// zero takes server.BoardConfig's defaults.
func (c *SLASettings) policy() (sportello.SLAPolicy, error) {
	var p sportello.SLAPolicy
	if c == nil {
		return p, nil
	}
	if c.TimeZone != "" {
		loc, err := time.LoadLocation(c.TimeZone)
		if err != nil {
			return p, fmt.Errorf("sla: time_zone: %w", err)
		}
		p.Location = loc
	}
	if c.ServiceHours != "" {
		h, err := sportello.ParseHours(c.ServiceHours)
		if err != nil {
			return p, fmt.Errorf("sla: service_hours: %w", err)
		}
		p.Service = h
	}
	if c.PatronDay != "" || len(c.Holidays) > 0 {
		patron, name := 1207, "Sant'Ambrogio"
		if c.PatronDay != "" {
			var err error
			if patron, err = monthDay(c.PatronDay); err != nil {
				return p, fmt.Errorf("sla: patron_day: %w", err)
			}
			name = c.PatronName
		}
		p.Calendar = sportello.ItalianCalendar(patron, name)
		for _, s := range c.Holidays {
			md, err := monthDay(s)
			if err != nil {
				return p, fmt.Errorf("sla: holidays: %w", err)
			}
			p.Calendar.Fixed = append(p.Calendar.Fixed, md)
		}
	}
	for _, t := range []sportello.SLATarget{c.Default} {
		if err := checkTarget("default", t); err != nil {
			return p, err
		}
	}
	p.Default = c.Default
	if len(c.Desks) > 0 {
		p.Desks = map[string]sportello.SLATarget{}
		for id, t := range c.Desks {
			if err := checkTarget("desks."+id, t); err != nil {
				return p, err
			}
			p.Desks[id] = t
		}
	}
	if len(c.Categories) > 0 {
		p.Categories = map[string]sportello.SLATarget{}
		for desk, cats := range c.Categories {
			for cat, t := range cats {
				if err := checkTarget("categories."+desk+"."+cat, t); err != nil {
					return p, err
				}
				p.Categories[sportello.SLAKey(desk, cat)] = t
			}
		}
	}
	return p, nil
}

// checkTarget refuses negative numbers and a target in both units.
func checkTarget(where string, t sportello.SLATarget) error {
	if t.Hours < 0 || t.RiskHours < 0 || t.Days < 0 || t.RiskDays < 0 {
		return fmt.Errorf("sla: %s: negative", where)
	}
	if t.Hours > 0 && t.Days > 0 {
		return fmt.Errorf("sla: %s: hours or days, not both", where)
	}
	return nil
}

// monthDay reads "MM-DD" as month*100+day.
func monthDay(s string) (int, error) {
	d, err := time.Parse("01-02", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not MM-DD", s)
	}
	return int(d.Month())*100 + d.Day(), nil
}

// CallbackSettings is the "callbacks" section of the config file.
type CallbackSettings struct {
	// PoolDelayMinutes: a callback of a user or a desk still not made
	// this long after its window ended goes to the pool (30; -1: never).
	PoolDelayMinutes int `json:"pool_delay_minutes,omitempty"`
	// RetryAttempts is how many attempts a callback nobody answers gets
	// before it fails (3); RetrySpacingMinutes the least time between
	// two of them (15).
	RetryAttempts       int `json:"retry_attempts,omitempty"`
	RetrySpacingMinutes int `json:"retry_spacing_minutes,omitempty"`
}

// overdue is the server's OverdueConfig for the section.
func (c CallbackSettings) overdue() server.OverdueConfig {
	o := server.OverdueConfig{Retry: sportello.CallbackRetry{Attempts: c.RetryAttempts,
		Spacing: time.Duration(c.RetrySpacingMinutes) * time.Minute}}
	switch {
	case c.PoolDelayMinutes < 0:
		o.PoolDelay = -1
	case c.PoolDelayMinutes > 0:
		o.PoolDelay = time.Duration(c.PoolDelayMinutes) * time.Minute
	}
	return o
}
