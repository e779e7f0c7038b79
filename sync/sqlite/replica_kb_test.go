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

func TestReplica_SearchKB(t *testing.T) {
	ctx := context.Background()
	r := sqlite.NewReplica(filepath.Join(t.TempDir(), "replica.db"))
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d := demo.Generate(1, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	if err := r.PutKB(ctx, d.KB); err != nil {
		t.Fatal(err)
	}
	if err := r.PutKB(ctx, d.KB[:3]); err != nil { // again: replaced, not doubled
		t.Fatal(err)
	}
	if n, _ := r.KBCount(ctx); n != len(d.KB) {
		t.Fatalf("kb has %d entries, want %d", n, len(d.KB))
	}
	for _, tc := range []struct {
		typed, first string
	}{
		{"carta d'identità", "Carta d'identità elettronica (CIE)"},
		{"CARTA IDENTITA", "Carta d'identità elettronica (CIE)"}, // case and accents folded
		{"cie", "Carta d'identità elettronica (CIE)"},
		{"identi", "Carta d'identità elettronica (CIE)"}, // a prefix, as typed so far
		{"multa ricorso", "Ricorso contro una multa"},
		{"spazzatura riduzione", "TARI - riduzioni e rimborsi"}, // synonyms: spazzatura -> tari
		{"oggetti smarriti", "Oggetti smarriti"},
		{"negozi agosto", "Negozi aperti in agosto"},
	} {
		hits, err := r.SearchKB(ctx, tc.typed, 5)
		if err != nil {
			t.Fatalf("%q: %v", tc.typed, err)
		}
		if len(hits) == 0 || hits[0].Entry.Title != tc.first {
			var got []string
			for _, h := range hits {
				got = append(got, h.Entry.Title)
			}
			t.Errorf("%q: first hit %q, want %q", tc.typed, got, tc.first)
		}
	}
	hits, _ := r.SearchKB(ctx, "identità", 1)
	if len(hits) != 1 || !strings.Contains(hits[0].Title, sportello.Mark+"identità"+sportello.MarkEnd) {
		t.Fatalf("highlight: %+v", hits)
	}
	// Input that is FTS5 syntax or nothing at all is harmless.
	for _, typed := range []string{"", "a", `"`, "NEAR(", "* OR -", "'; DROP TABLE kb; --", "title:carta"} {
		if _, err := r.SearchKB(ctx, typed, 5); err != nil {
			t.Errorf("SearchKB(%q): %v", typed, err)
		}
	}
	if n, _ := r.KBCount(ctx); n != len(d.KB) {
		t.Fatal("a search changed the knowledge base")
	}
	if hits, _ := r.SearchKB(ctx, "zzzqqq", 5); len(hits) != 0 {
		t.Fatalf("nonsense matched %d entries", len(hits))
	}
}

func TestDB_KBPage(t *testing.T) {
	ctx := context.Background()
	d := demo.Generate(1, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	db := mustOpen(t, nil)
	if err := db.PutKB(ctx, d.KB); err != nil {
		t.Fatal(err)
	}
	if err := db.PutKB(ctx, []sportello.KBEntry{{ID: "x"}}); sportello.ErrorCode(err) != sportello.EINVALID {
		t.Fatalf("entry without title: %v", err)
	}
	seen := map[string]bool{}
	after := ""
	for {
		page, err := db.KBPage(ctx, after, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if seen[e.ID] {
				t.Fatalf("entry %s twice", e.ID)
			}
			seen[e.ID] = true
		}
		after = page[len(page)-1].ID
	}
	if n, _ := db.KBTotal(ctx); len(seen) != len(d.KB) || n != len(d.KB) {
		t.Fatalf("paged %d entries, total %d, want %d", len(seen), n, len(d.KB))
	}
}

func TestDB_SeedKB(t *testing.T) {
	d := demo.Generate(1, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	db := mustOpen(t, d)
	if n, err := db.KBTotal(context.Background()); err != nil || n != len(d.KB) || n < 25 {
		t.Fatalf("seeded %d knowledge-base entries (%v), want %d", n, err, len(d.KB))
	}
}
