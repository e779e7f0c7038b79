package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/sqlite"
)

// TestReplica_Services: the replica lists every service of the demo
// catalogue (not its offices or answers), by title; a retired service
// leaves the list.
func TestReplica_Services(t *testing.T) {
	city := demo.Generate(1, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	r := sqlite.NewReplica(filepath.Join(t.TempDir(), "replica.db"))
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	if err := r.PutKB(ctx, city.KB); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, e := range city.KB {
		if e.Kind == sportello.EntryService {
			want++
		}
	}
	got, err := r.Services(ctx)
	if err != nil || len(got) != want || want < 10 {
		t.Fatalf("%d services, %v; want the demo's %d", len(got), err, want)
	}
	for i, e := range got {
		if e.Kind != sportello.EntryService {
			t.Fatalf("%q is a %s, not a service", e.Title, e.Kind)
		}
		if i > 0 && strings.ToLower(got[i-1].Title) > strings.ToLower(e.Title) {
			t.Fatalf("%q before %q: not by title", got[i-1].Title, e.Title)
		}
	}
	if err := r.RetireKB(ctx, got[0].ID); err != nil {
		t.Fatal(err)
	}
	after, err := r.Services(ctx)
	if err != nil || len(after) != want-1 || after[0].ID == got[0].ID {
		t.Fatalf("after retiring %q: %d services, %v", got[0].Title, len(after), err)
	}
}

// BenchmarkReplica_Services reads the service catalogue out of a
// 50,000-entry knowledge base, as the category picker does when a
// wrap-up starts and its copy is older than five minutes.
func BenchmarkReplica_Services(b *testing.B) {
	ctx := context.Background()
	r := sqlite.NewReplica(filepath.Join(b.TempDir(), "replica.db"))
	if err := r.Open(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	kb := benchKB(benchKBSize)
	for i := 0; i < len(kb); i += 5000 {
		if err := r.PutKB(ctx, kb[i:min(i+5000, len(kb))]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		got, err := r.Services(ctx)
		if err != nil {
			b.Fatal(err)
		}
		n = len(got)
	}
	b.ReportMetric(float64(n), "services")
}
