package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/sqlite"
)

// TestReplica_SearchDirectory copies the demo directory into a replica and
// searches it as the operator types: by name, group, keyword and note,
// accents and case folded, words by prefix; a second copy replaces the
// first (entries syncd dropped go away).
func TestReplica_SearchDirectory(t *testing.T) {
	ctx := context.Background()
	r := sqlite.NewReplica(filepath.Join(t.TempDir(), "replica.db"))
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d := demo.Generate(1, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	if err := r.ReplaceDirectory(ctx, d.Directory); err != nil {
		t.Fatal(err)
	}
	if n, _ := r.DirectoryCount(ctx); n != len(d.Directory) {
		t.Fatalf("directory has %d entries, want %d", n, len(d.Directory))
	}
	for _, tc := range []struct {
		typed, first string
	}{
		{"municipio 3", "Municipio 3 - Città Studi"},
		{"citta studi", "Municipio 3 - Città Studi"},             // accents folded
		{"CITTÀ STU", "Municipio 3 - Città Studi"},               // case folded, a prefix
		{"ingombr", "Esempio Ambiente - raccolta rifiuti"},       // a keyword, as typed so far
		{"sportello tributi", "Sportello Tributi"},               // a desk
		{"matrimoni", "Stato civile"},                            // keyword prefix
		{"pronto intervento", "Esempio Acqua - servizio idrico"}, // the note
	} {
		hits, err := r.SearchDirectory(ctx, tc.typed, 10)
		if err != nil {
			t.Fatalf("%q: %v", tc.typed, err)
		}
		if len(hits) == 0 || hits[0].Name != tc.first {
			names := []string{}
			for _, h := range hits {
				names = append(names, h.Name)
			}
			t.Errorf("%q: got %v, want %q first", tc.typed, names, tc.first)
			continue
		}
		if hits[0].Number == "" || hits[0].ID == "" {
			t.Errorf("%q: hit without number or id: %+v", tc.typed, hits[0])
		}
	}
	municipi, err := r.SearchDirectory(ctx, "municipio", 50)
	if err != nil || len(municipi) != 9 {
		t.Fatalf("municipio: %d hits, %v; want the 9 Municipi", len(municipi), err)
	}
	all, err := r.SearchDirectory(ctx, "", 500)
	if err != nil || len(all) != len(d.Directory) {
		t.Fatalf("empty query: %d entries, %v; want all %d", len(all), err, len(d.Directory))
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].Group > all[i].Group {
			t.Fatalf("empty query not in group order: %q before %q", all[i-1].Group, all[i].Group)
		}
	}
	if hits, err := r.SearchDirectory(ctx, "x ' \" *", 10); err != nil || len(hits) != 0 {
		t.Fatalf("punctuation: %v, %v", hits, err)
	}
	if hits, _ := r.SearchDirectory(ctx, "zzzznothing", 10); len(hits) != 0 {
		t.Fatalf("no match gave %d hits", len(hits))
	}
	// Syncd dropped all but two: the replica keeps just those.
	if err := r.ReplaceDirectory(ctx, d.Directory[:2]); err != nil {
		t.Fatal(err)
	}
	if n, _ := r.DirectoryCount(ctx); n != 2 {
		t.Fatalf("after replace: %d entries, want 2", n)
	}
	if hits, _ := r.SearchDirectory(ctx, "municipio", 50); len(hits) != 0 {
		t.Fatalf("after replace municipio gave %d hits", len(hits))
	}
}
