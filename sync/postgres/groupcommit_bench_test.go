package postgres_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/postgres"
)

// writers50 runs op from 50 concurrent writers, each call with the next
// number of a shared count, and reports the calls per second as unit.
func writers50(b *testing.B, unit string, op func(i int) error) {
	var n atomic.Int64
	b.SetParallelism(max(1, 50/runtime.GOMAXPROCS(0))) // 50 writers
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(int(n.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), unit)
}

// BenchmarkDB_RecordWrapUp50 measures wrap-ups opening a case from 50
// concurrent writers, as many desktops wrap up at once (issue 4's group
// commit), as sync/sqlite's benchmark of the same name. It reports
// wrap-ups per second. SPORTELLO_PGTEST_DURABLE=1 measures durable
// commits (fsync on).
func BenchmarkDB_RecordWrapUp50(b *testing.B) {
	db, d := benchStore(b)
	ctx := context.Background()
	actor := &d.Users[0].User
	writers50(b, "wrapups/s", func(i int) error {
		_, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{
			CallID: "bench", CitizenID: d.Citizens[i%len(d.Citizens)].ID, Outcome: sportello.OutcomeResolvedFirstContact, Note: "benchmark",
		})
		return err
	})
}

// benchCases opens n cases with one group of wrap-ups, for benchmarks that
// add events to existing cases.
func benchCases(b *testing.B, db *postgres.DB, actor *sportello.User, citizens []sportello.Citizen, n int) []string {
	b.Helper()
	ops := make([]sportello.WrapUpOp, n)
	for i := range ops {
		ops[i] = sportello.WrapUpOp{Actor: actor, WrapUp: sportello.WrapUp{
			CallID: "bench", CitizenID: citizens[i%len(citizens)].ID, Outcome: sportello.OutcomeTransferred, Note: "benchmark",
		}}
	}
	ids := make([]string, n)
	for i, r := range db.RecordWrapUps(context.Background(), ops) {
		if r.Err != nil {
			b.Fatal(r.Err)
		}
		ids[i] = r.Case.ID
	}
	return ids
}

// BenchmarkDB_RecordCaseEvent50 measures notes added to 500 open cases
// from 50 concurrent writers (specialists and operators working cases at
// once). It reports case events per second.
func BenchmarkDB_RecordCaseEvent50(b *testing.B) {
	db, d := benchStore(b)
	ctx := context.Background()
	actor := &d.Users[0].User
	cases := benchCases(b, db, actor, d.Citizens, 500)
	writers50(b, "events/s", func(i int) error {
		_, _, err := db.RecordCaseEvent(ctx, actor, cases[i%len(cases)], sportello.CaseEvent{Kind: sportello.EventNote, Note: "benchmark"}, nil)
		return err
	})
}

// BenchmarkDB_RecordMix50 measures wrap-ups opening a case and notes on
// 500 open cases, one op in two of each, from 50 concurrent writers: the
// contact center's mix, where case events and wrap-ups share the writers'
// lock. It reports ops per second.
func BenchmarkDB_RecordMix50(b *testing.B) {
	db, d := benchStore(b)
	ctx := context.Background()
	actor := &d.Users[0].User
	cases := benchCases(b, db, actor, d.Citizens, 500)
	writers50(b, "ops/s", func(i int) error {
		if i%2 == 0 {
			_, _, err := db.RecordCaseEvent(ctx, actor, cases[i%len(cases)], sportello.CaseEvent{Kind: sportello.EventNote, Note: "benchmark"}, nil)
			return err
		}
		_, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{
			CallID: "bench", CitizenID: d.Citizens[i%len(d.Citizens)].ID, Outcome: sportello.OutcomeResolvedFirstContact, Note: "benchmark",
		})
		return err
	})
}
