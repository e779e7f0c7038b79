package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
)

// BenchmarkDB_LookupCaller measures the screen-pop query on the demo city:
// number -> citizen -> cases with their events, plus the audit row it writes.
func BenchmarkDB_LookupCaller(b *testing.B) {
	d := demo.Generate(1, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	db := mustOpen(b, d)
	ctx := context.Background()
	actor := &d.Users[0].User
	numbers := make([]string, 0, len(d.Citizens))
	for _, c := range d.Citizens {
		numbers = append(numbers, c.Phones[0])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		card, err := db.LookupCaller(ctx, numbers[i%len(numbers)], "call bench", actor)
		if err != nil || card.Citizen == nil {
			b.Fatalf("lookup: %v", err)
		}
	}
}

// BenchmarkDB_RecordWrapUp measures a wrap-up that opens a case: three
// events and three changes in one durable transaction.
func BenchmarkDB_RecordWrapUp(b *testing.B) {
	d := demo.Generate(1, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	db := mustOpen(b, d)
	ctx := context.Background()
	actor := &d.Users[0].User
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		c := d.Citizens[i%len(d.Citizens)]
		_, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{
			CallID: "bench", CallerNumber: c.Phones[0], CitizenID: c.ID,
			Outcome: sportello.OutcomeResolvedFirstContact, Note: "benchmark",
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDB_CaseNote measures a note on an escalated case (state, desk
// and escalation unchanged), round the queue of 500 cases: the case read
// back from its events, its row updated, the event and its change written.
func BenchmarkDB_CaseNote(b *testing.B) {
	d := demo.Generate(1, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	db := mustOpen(b, d)
	ctx := context.Background()
	actor := &d.Users[0].User
	ids := make([]string, 500)
	for i := range ids {
		c := d.Citizens[i%len(d.Citizens)]
		k, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{
			CallID: "bench", CitizenID: c.ID, Outcome: sportello.OutcomeEscalated, DeskID: d.Desks[0].ID, Note: "da verificare",
		})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = k.ID
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, _, err := db.RecordCaseEvent(ctx, actor, ids[i%len(ids)], sportello.CaseEvent{Kind: sportello.EventNote, Note: "richiamato"}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
