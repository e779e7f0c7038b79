package postgres_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// BenchmarkDB_RecordWrapUp50 measures wrap-ups opening a case from 50
// concurrent writers, as many desktops wrap up at once (issue 4's group
// commit), as sync/sqlite's benchmark of the same name. It reports
// wrap-ups per second. SPORTELLO_PGTEST_DURABLE=1 measures durable
// commits (fsync on).
func BenchmarkDB_RecordWrapUp50(b *testing.B) {
	db, d := benchStore(b)
	ctx := context.Background()
	actor := &d.Users[0].User
	var n atomic.Int64
	b.SetParallelism(max(1, 50/runtime.GOMAXPROCS(0))) // 50 writers
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c := d.Citizens[int(n.Add(1))%len(d.Citizens)]
			if _, err := db.RecordWrapUp(ctx, actor, sportello.WrapUp{
				CallID: "bench", CitizenID: c.ID, Outcome: sportello.OutcomeResolvedFirstContact, Note: "benchmark",
			}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "wrapups/s")
}
