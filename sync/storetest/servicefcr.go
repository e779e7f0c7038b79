package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// testServiceFCR: first-contact resolution per service since a moment,
// as the board shows it: one row per service, by service, counted as
// recorded and true (a repeat contact of the same citizen and service
// takes back the first one's resolution; an unknown caller is never a
// repeat; a missed call counts nowhere; wrap-ups before the moment are
// left out, though they still make later ones repeats).
func testServiceFCR(t *testing.T, e *env) {
	const unknown = "+390299999999"
	resolved := sportello.OutcomeResolvedFirstContact
	before := T0.Add(time.Hour)
	e.clock.Set(before)
	e.record(t, &Operator, sportello.WrapUp{CitizenID: "c-panificio", Category: "Tributi", Outcome: resolved})
	since := before.Add(time.Hour)
	for i, w := range []sportello.WrapUp{
		{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: resolved},
		{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: sportello.OutcomeTransferred}, // repeats the first
		{CitizenID: "c-rossi", Category: "Tributi", Outcome: resolved},                      // another service: a first contact
		{CitizenID: "c-panificio", Category: "Tributi", Outcome: resolved},                  // repeats the one before since
		{CallerNumber: unknown, Category: "Tributi", Outcome: resolved},
		{CallerNumber: unknown, Category: "Tributi", Outcome: sportello.OutcomeEscalated, DeskID: "desk-tributi"},
		{CitizenID: "c-panificio", Category: "Tributi", Outcome: sportello.OutcomeMissed},
	} {
		e.clock.Set(since.Add(time.Duration(i) * time.Minute))
		e.record(t, &Operator, w)
	}
	got, err := e.ServiceFCR(e.ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	want := []sportello.ServiceFCR{
		{Service: "Anagrafe", FCRCounts: sportello.FCRCounts{WrapUps: 2, Resolved: 1, FirstContacts: 1, TrueResolved: 0}},
		{Service: "Tributi", FCRCounts: sportello.FCRCounts{WrapUps: 4, Resolved: 3, FirstContacts: 3, TrueResolved: 2}},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ServiceFCR = %+v, want %+v", got, want)
	}
	later, err := e.ServiceFCR(e.ctx, since.Add(time.Hour))
	if err != nil || len(later) != 0 || later == nil {
		t.Fatalf("ServiceFCR with no wrap-ups since = %#v, %v; want an empty list", later, err)
	}
}
