package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/postgres"
	"github.com/sportello/sportello/sync/postgres/pgtest"
)

// benchStore opens a store on a new database seeded with the demo city.
func benchStore(b *testing.B) (*postgres.DB, *demo.Data) {
	d := demo.Generate(1, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	db := open(b, pgtest.DSN(b), nil)
	if err := db.Seed(context.Background(), d); err != nil {
		b.Fatal(err)
	}
	return db, d
}

// BenchmarkDB_LookupCaller measures the screen-pop query on the demo city,
// as sync/sqlite's benchmark of the same name: number -> citizen -> cases
// with their events, plus the audit row it writes.
func BenchmarkDB_LookupCaller(b *testing.B) {
	db, d := benchStore(b)
	ctx := context.Background()
	actor := &d.Users[0].User
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		c := d.Citizens[i%len(d.Citizens)]
		card, err := db.LookupCaller(ctx, c.Phones[0], "call bench", actor)
		if err != nil || card.Citizen == nil {
			b.Fatalf("lookup: %v", err)
		}
	}
}

// BenchmarkDB_RecordWrapUp measures a wrap-up that opens a case: three
// events and three changes in one transaction under the writers' lock.
func BenchmarkDB_RecordWrapUp(b *testing.B) {
	db, d := benchStore(b)
	ctx := context.Background()
	actor := &d.Users[0].User
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		c := d.Citizens[i%len(d.Citizens)]
		if _, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{
			CallID: "bench", CallerNumber: c.Phones[0], CitizenID: c.ID,
			Outcome: sportello.OutcomeResolvedFirstContact, Note: "benchmark",
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDB_RecordWrapUpParallel is BenchmarkDB_RecordWrapUp from
// GOMAXPROCS goroutines: writers queue on change_head.
func BenchmarkDB_RecordWrapUpParallel(b *testing.B) {
	db, d := benchStore(b)
	ctx := context.Background()
	actor := &d.Users[0].User
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			c := d.Citizens[i%len(d.Citizens)]
			i++
			if _, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{
				CallID: "bench", CitizenID: c.ID, Outcome: sportello.OutcomeResolvedFirstContact, Note: "benchmark",
			}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
