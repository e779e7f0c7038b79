package sportello

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// ReportBreakdown is one operator's or one service's share of a report's
// period: Key is the operator's user id or the service (category), Name
// the operator's name or the service again. Facts counts everything
// recorded (wrap-ups, missed calls, desk resolutions) on Cases distinct
// cases; Contacts the wrap-ups (missed calls apart), Missed the missed
// calls; Resolved the facts that closed their case, with their resolution
// time summed on the wall clock and in business hours; FCR first-contact
// resolution of the wrap-ups, as recorded and true.
type ReportBreakdown struct {
	Key               string    `json:"key"`
	Name              string    `json:"name"`
	Facts             int       `json:"facts"`
	Cases             int       `json:"cases"`
	Contacts          int       `json:"contacts"`
	Missed            int       `json:"missed"`
	Resolved          int       `json:"resolved"`
	ResolutionSeconds int64     `json:"resolution_seconds"`
	BusinessSeconds   int64     `json:"business_seconds"`
	FCR               FCRCounts `json:"fcr"`
}

// AvgResolution returns the average wall-clock resolution time, 0
// without resolutions.
func (b ReportBreakdown) AvgResolution() time.Duration {
	return avgSeconds(b.ResolutionSeconds, b.Resolved)
}

// AvgBusinessResolution returns the average resolution time in business
// hours, 0 without resolutions.
func (b ReportBreakdown) AvgBusinessResolution() time.Duration {
	return avgSeconds(b.BusinessSeconds, b.Resolved)
}

// DefaultReportHours is the clock of a report's business hours when syncd
// has no SLA policy to give: the contact center's DefaultServiceHours on
// Italy's calendar with Milan's patron day, in zone (UTC if unknown).
func DefaultReportHours(zone string) SLAPolicy {
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" {
		loc = time.UTC
	}
	hours, _ := ParseHours(DefaultServiceHours) // a constant that parses
	return SLAPolicy{Location: loc, Calendar: ItalianCalendar(1207, "Sant'Ambrogio"), Service: hours}
}

// breakdowns adds the facts up per operator (by name, then id; facts with
// no author under "") and per service (by name); business[i] is fact i's
// resolution time in business seconds.
func breakdowns(facts []ReportFact, business []int64) (operators, services []ReportBreakdown) {
	type acc struct {
		b     ReportBreakdown
		cases map[string]bool
	}
	add := func(m map[string]*acc, key, name string, f ReportFact, biz int64) {
		a := m[key]
		if a == nil {
			a = &acc{b: ReportBreakdown{Key: key, Name: name}, cases: map[string]bool{}}
			m[key] = a
		}
		if a.b.Name == "" {
			a.b.Name = name
		}
		a.b.Facts++
		a.cases[f.CaseID] = true
		if f.Resolves() {
			a.b.Resolved++
			a.b.ResolutionSeconds += int64(max(0, f.At.Sub(f.OpenedAt)) / time.Second)
			a.b.BusinessSeconds += biz
		}
		switch f.Outcome {
		case OutcomeMissed:
			a.b.Missed++
			return
		case OutcomeResolvedAtDesk:
			return
		}
		a.b.Contacts++
		fc := FCRCounts{WrapUps: 1}
		if f.Outcome == OutcomeResolvedFirstContact {
			fc.Resolved = 1
		}
		if f.FirstContact {
			fc.FirstContacts = 1
		}
		if f.TrueResolved {
			fc.TrueResolved = 1
		}
		a.b.FCR = sumFCR(a.b.FCR, fc)
	}
	ops, svcs := map[string]*acc{}, map[string]*acc{}
	for i, f := range facts {
		add(ops, f.AuthorID, f.Author, f, business[i])
		add(svcs, f.Category, f.Category, f, business[i])
	}
	list := func(m map[string]*acc) []ReportBreakdown {
		out := make([]ReportBreakdown, 0, len(m))
		for _, a := range m {
			a.b.Cases = len(a.cases)
			out = append(out, a.b)
		}
		slices.SortFunc(out, func(x, y ReportBreakdown) int {
			return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.Key, y.Key))
		})
		return out
	}
	return list(ops), list(svcs)
}
