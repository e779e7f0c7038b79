package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// testReport: the supervisor's daily and monthly report on a scripted
// Sunday, 25 October 2026, when Rome's clocks go back at 03:00 CEST: the
// day runs 25 hours, from 22:00 UTC on the 24th to 23:00 UTC on the 25th.
// Each row below is a wrap-up or a desk's action at a UTC instant; the
// numbers the report must give are worked out by hand after the table.
func testReport(t *testing.T, e *env) {
	const unknown = "+390299999999"
	rfc, transferred, escalated := sportello.OutcomeResolvedFirstContact, sportello.OutcomeTransferred, sportello.OutcomeEscalated
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := map[string]string{"seeded": EscalatedCase}
	wrapUp := func(name, when string, w sportello.WrapUp, caseOf string) {
		t.Helper()
		e.clock.Set(at(when))
		w.CallID = "call-report-" + name
		if caseOf != "" {
			w.CaseID = cases[caseOf]
		}
		cases[name] = e.record(t, &Operator, w).ID
	}
	act := func(when, caseOf string, ev sportello.CaseEvent) {
		t.Helper()
		e.clock.Set(at(when))
		if _, _, err := e.RecordCaseEvent(e.ctx, &Specialist, cases[caseOf], ev, nil); err != nil {
			t.Fatalf("%s on %s: %v", ev.Kind, caseOf, err)
		}
	}
	// 23:59:59 CEST on Saturday: the month's, not the day's.
	wrapUp("p0", "2026-10-24T21:59:59Z", sportello.WrapUp{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: rfc}, "")
	// 00:00 CEST: the day's first instant; a repeat of p0 (true FCR).
	wrapUp("a", "2026-10-24T22:00:00Z", sportello.WrapUp{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: rfc}, "")
	// 02:30 CEST, then 02:30 CET an hour later.
	wrapUp("b", "2026-10-25T00:30:00Z", sportello.WrapUp{CitizenID: "c-panificio", Category: "Tributi", Outcome: escalated, DeskID: "desk-tributi", Note: "Rimborso"}, "")
	wrapUp("c", "2026-10-25T01:30:00Z", sportello.WrapUp{CallerNumber: unknown, Category: "Anagrafe", Outcome: transferred}, "")
	// A missed call on b's case, now at the Tributi desk.
	wrapUp("d", "2026-10-25T08:00:00Z", sportello.WrapUp{CitizenID: "c-panificio", Category: "Tributi", Outcome: sportello.OutcomeMissed}, "b")
	// The desk resolves b: 10 hours after it opened (11:30 CET is 9
	// hours after 02:30 CEST on the clock on the wall).
	act("2026-10-25T09:00:00Z", "b", sportello.CaseEvent{Kind: sportello.EventClaimed})
	act("2026-10-25T10:30:00Z", "b", sportello.CaseEvent{Kind: sportello.EventResolved, Note: "Rimborsato"})
	// Maria Rossi's seeded case (opened 2025-03-12 09:00 UTC, at Tributi)
	// resolved on the phone: 592 days and 5 hours = 51,166,800 s.
	wrapUp("f", "2026-10-25T14:00:00Z", sportello.WrapUp{CitizenID: "c-rossi", Category: "Tributi", Outcome: rfc}, "seeded")
	// 23:59:59 CET: the day's last second.
	wrapUp("g", "2026-10-25T22:59:59Z", sportello.WrapUp{CitizenID: "c-panificio", Category: "Anagrafe", Outcome: transferred}, "")
	// 00:00 CET on Monday: the month's; a repeat of a.
	wrapUp("h", "2026-10-25T23:00:00Z", sportello.WrapUp{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: rfc}, "")
	// 00:00 CET on 1 November: the next month's.
	wrapUp("i", "2026-10-31T23:00:00Z", sportello.WrapUp{CitizenID: "c-panificio", Category: "Commercio", Outcome: transferred}, "")

	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	report := func(period sportello.ReportPeriod, date string) *sportello.Report {
		t.Helper()
		from, to, name, err := sportello.ReportRange(period, date, rome)
		if err != nil {
			t.Fatal(err)
		}
		facts, err := e.ReportFacts(e.ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		return sportello.NewReport(period, name, "Europe/Rome", from, to, e.clock.Now(), facts)
	}
	tributi := func(r sportello.ReportRow) sportello.ReportRow {
		r.Category, r.DeskID, r.DeskName = "Tributi", "desk-tributi", "Tributi"
		return r
	}
	tributiRows := []sportello.ReportRow{
		// 5,000 service hours (Mon-Fri 8-19, Sat 8-14, Italy's holidays, Easter
		// Mondays and 7 December closed) from 12 March 2025 10:00 CET to
		// Sunday 25 October 2026, counted outside Go by a script.
		tributi(sportello.ReportRow{Outcome: rfc, Count: 1, Cases: 1, Resolved: 1, ResolutionSeconds: 51166800, BusinessSeconds: 18000000}),
		tributi(sportello.ReportRow{Outcome: escalated, Count: 1, Cases: 1}),
		tributi(sportello.ReportRow{Outcome: sportello.OutcomeResolvedAtDesk, Count: 1, Cases: 1, Resolved: 1, ResolutionSeconds: 36000}),
		tributi(sportello.ReportRow{Outcome: sportello.OutcomeMissed, Count: 1, Cases: 1}),
	}

	// By hand, the day (a to g): facts a, b, c, d (missed), b's
	// resolution, f, g on cases A, B, C, the seeded one and G: 5 cases.
	// Contacts (wrap-ups but d) a, b, c, f, g = 5; resolved at first
	// contact a, f = 2; first contacts b, c, f, g = 4 (a repeats p0);
	// truly resolved f = 1 (a is a repeat, and h repeats it anyway).
	// Resolutions a (0 s), b at the desk (36,000 s), f (51,166,800 s):
	// 3, 51,202,800 s, 17,067,600 s on average; in business hours only f
	// counts (a took 0 s, b's ten hours fell on a Sunday): 18,000,000 s.
	// First level: a, c, g,
	// 1 resolved, 2 first contacts; Tributi: b, f, 1 resolved, 1 truly.
	// The month adds p0 (a first contact a takes back) and h (a repeat
	// of a), both resolved at first contact on cases of their own.
	t.Run("Day", func(t *testing.T) {
		r := report(sportello.ReportDay, "2026-10-25")
		if r.Date != "2026-10-25" || !r.From.Equal(at("2026-10-24T22:00:00Z")) || !r.To.Equal(at("2026-10-25T23:00:00Z")) {
			t.Fatalf("period %s %s - %s", r.Date, r.From, r.To)
		}
		want := append([]sportello.ReportRow{
			{Category: "Anagrafe", Outcome: rfc, Count: 1, Cases: 1, Resolved: 1},
			{Category: "Anagrafe", Outcome: transferred, Count: 2, Cases: 2},
		}, tributiRows...)
		if !reflect.DeepEqual(r.Rows, want) {
			t.Fatalf("rows\n%+v\nwant\n%+v", r.Rows, want)
		}
		wantCats := []sportello.ReportCategory{{Category: "Anagrafe", Cases: 3, Contacts: 3}, {Category: "Tributi", Cases: 2, Contacts: 2}}
		if !reflect.DeepEqual(r.Categories, wantCats) {
			t.Fatalf("categories %+v, want %+v", r.Categories, wantCats)
		}
		wantDesks := []sportello.ReportDesk{
			{FCRCounts: sportello.FCRCounts{WrapUps: 3, Resolved: 1, FirstContacts: 2, TrueResolved: 0}},
			{DeskID: "desk-tributi", DeskName: "Tributi", FCRCounts: sportello.FCRCounts{WrapUps: 2, Resolved: 1, FirstContacts: 2, TrueResolved: 1}},
		}
		if !reflect.DeepEqual(r.Desks, wantDesks) {
			t.Fatalf("desks %+v, want %+v", r.Desks, wantDesks)
		}
		wantTotals := sportello.ReportTotals{Cases: 5, Contacts: 5, Missed: 1, Resolved: 3, ResolutionSeconds: 51202800, BusinessSeconds: 18000000,
			FCR: sportello.FCRCounts{WrapUps: 5, Resolved: 2, FirstContacts: 4, TrueResolved: 1}}
		if r.Totals != wantTotals {
			t.Fatalf("totals %+v, want %+v", r.Totals, wantTotals)
		}
		// Per operator: the operator recorded a, b, c, d, f and g (the
		// missed call d on their phone), the specialist b's resolution.
		ops := map[string]sportello.ReportBreakdown{}
		for _, b := range r.Operators {
			ops[b.Key] = b
		}
		op, sp := ops[Operator.ID], ops[Specialist.ID]
		if len(ops) != 2 || op.Name != Operator.Name || op.Facts != 6 || op.Contacts != 5 || op.Missed != 1 || op.Resolved != 2 ||
			op.BusinessSeconds != 18000000 || op.FCR != wantTotals.FCR ||
			sp.Name != Specialist.Name || sp.Facts != 1 || sp.Resolved != 1 || sp.ResolutionSeconds != 36000 || sp.BusinessSeconds != 0 {
			t.Fatalf("operators %+v", r.Operators)
		}
		if len(r.Services) != 2 || r.Services[0].Key != "Anagrafe" || r.Services[0].Facts != 3 || r.Services[1].Key != "Tributi" || r.Services[1].Facts != 4 {
			t.Fatalf("services %+v", r.Services)
		}
		if got := r.Totals.AvgResolution(); got != 17067600*time.Second {
			t.Fatalf("average resolution %v", got)
		}
	})
	t.Run("Month", func(t *testing.T) {
		r := report(sportello.ReportMonth, "2026-10-07")
		if r.Date != "2026-10" || !r.From.Equal(at("2026-09-30T22:00:00Z")) || !r.To.Equal(at("2026-10-31T23:00:00Z")) {
			t.Fatalf("period %s %s - %s", r.Date, r.From, r.To)
		}
		want := append([]sportello.ReportRow{
			{Category: "Anagrafe", Outcome: rfc, Count: 3, Cases: 3, Resolved: 3},
			{Category: "Anagrafe", Outcome: transferred, Count: 2, Cases: 2},
		}, tributiRows...)
		if !reflect.DeepEqual(r.Rows, want) {
			t.Fatalf("rows\n%+v\nwant\n%+v", r.Rows, want)
		}
		// p0 is a first contact taken back by a; h repeats a.
		wantTotals := sportello.ReportTotals{Cases: 7, Contacts: 7, Missed: 1, Resolved: 5, ResolutionSeconds: 51202800, BusinessSeconds: 18000000,
			FCR: sportello.FCRCounts{WrapUps: 7, Resolved: 4, FirstContacts: 5, TrueResolved: 1}}
		if r.Totals != wantTotals {
			t.Fatalf("totals %+v, want %+v", r.Totals, wantTotals)
		}
		next := report(sportello.ReportMonth, "2026-11")
		wantNext := []sportello.ReportRow{{Category: "Commercio", Outcome: transferred, Count: 1, Cases: 1}}
		if !reflect.DeepEqual(next.Rows, wantNext) {
			t.Fatalf("November rows %+v, want %+v", next.Rows, wantNext)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		r := report(sportello.ReportDay, "2026-10-27")
		if len(r.Rows) != 0 || r.Rows == nil || r.Totals != (sportello.ReportTotals{}) {
			t.Fatalf("a day without calls: %+v", r)
		}
	})
}
