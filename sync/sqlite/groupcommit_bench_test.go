package sqlite_test

import (
	"context"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/sqlite"
)

// BenchmarkDB_RecordWrapUp50 measures wrap-ups opening a case from 50
// concurrent writers, as many desktops wrap up at once (issue 4's group
// commit): with synchronous NORMAL (syncd's default) and FULL (a WAL sync
// per commit). It reports wrap-ups per second.
func BenchmarkDB_RecordWrapUp50(b *testing.B) {
	for _, mode := range []string{sqlite.SyncNormal, sqlite.SyncFull} {
		b.Run(mode, func(b *testing.B) {
			d := demo.Generate(1, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
			db := sqlite.New(filepath.Join(b.TempDir(), "syncd.db"))
			if err := db.SetSynchronous(mode); err != nil {
				b.Fatal(err)
			}
			if err := db.Open(); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			ctx := context.Background()
			if err := db.Seed(ctx, d); err != nil {
				b.Fatal(err)
			}
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
		})
	}
}
