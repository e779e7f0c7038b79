package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
)

// TestDB_SeedWrapUpFacts: the wrap-ups Seed writes count for first-contact
// resolution as recorded and true, their repeats marked; missed calls do
// not count.
func TestDB_SeedWrapUpFacts(t *testing.T) {
	at := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	wrapped := func(id string, day int, o sportello.Outcome) *sportello.Case {
		when := at.Add(time.Duration(day) * 24 * time.Hour)
		return &sportello.Case{ID: id, CitizenID: "c-rossi", Events: []*sportello.CaseEvent{
			{ID: id + "-1", CaseID: id, Kind: sportello.EventOpened, At: when, Category: "Anagrafe", Note: "Residenza"},
			{ID: id + "-2", CaseID: id, Kind: sportello.EventWrapUp, At: when, Outcome: o, AuthorID: "u-a", Author: "Giulia Bianchi"},
		}}
	}
	d := &demo.Data{
		Citizens: []sportello.Citizen{{ID: "c-rossi", Kind: sportello.CitizenPerson, Name: "Maria Rossi", Phones: []string{"+390212345678"}}},
		Cases: []*sportello.Case{
			wrapped("k-1", 0, sportello.OutcomeResolvedFirstContact),  // repeated by k-2: not true
			wrapped("k-2", 2, sportello.OutcomeResolvedFirstContact),  // a repeat
			wrapped("k-3", 3, sportello.OutcomeMissed),                // no contact
			wrapped("k-4", 20, sportello.OutcomeResolvedFirstContact), // a first contact, true
		},
	}
	db := mustOpen(t, d)
	week, _, err := db.FCRCounts(context.Background(), at, at)
	if want := (sportello.FCRCounts{WrapUps: 3, Resolved: 3, FirstContacts: 2, TrueResolved: 1}); err != nil || week != want {
		t.Fatalf("seeded: %+v, %v; want %+v", week, err, want)
	}
}
