package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/sqlite"
)

// TestReplica_KBIndexRows: an entry copied again replaces its index row
// (found by its new words, not by its old ones), and a replica written
// before index rows shared their entries' rowids, or without the prefix
// indexes, is emptied at Open so that the next sign-in copies it again.
func TestReplica_KBIndexRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "replica.db")
	r := sqlite.NewReplica(path)
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	var entries []sportello.KBEntry
	for i := range 3000 { // over the ranking cap
		entries = append(entries, sportello.KBEntry{ID: fmt.Sprintf("kb-%04d", i), Kind: sportello.EntryAnswer,
			Title: fmt.Sprintf("Carta dei servizi %d", i), Summary: "Carta dei servizi del Comune."})
	}
	entries = append(entries, sportello.KBEntry{ID: "kb-tosap", Kind: sportello.EntryAnswer, Title: "Occupazione suolo pubblico", Summary: "TOSAP."})
	if err := r.PutKB(ctx, entries); err != nil {
		t.Fatal(err)
	}
	if hits, err := r.SearchKB(ctx, "carta", 20); err != nil || len(hits) != 20 {
		t.Fatalf("a prefix matching 3000 entries: %d hits, %v", len(hits), err)
	}
	renamed := entries[len(entries)-1]
	renamed.Title = "Canone unico patrimoniale"
	if err := r.PutKB(ctx, []sportello.KBEntry{renamed}); err != nil {
		t.Fatal(err)
	}
	if hits, _ := r.SearchKB(ctx, "occupazione suolo", 5); len(hits) != 0 {
		t.Fatalf("the old title still finds %+v", hits[0].Entry)
	}
	if hits, _ := r.SearchKB(ctx, "canone unico", 5); len(hits) != 1 || hits[0].Entry.ID != "kb-tosap" {
		t.Fatalf("the new title finds %d hits", len(hits))
	}
	if hits, _ := r.SearchKB(ctx, "carta servizi 2999", 5); len(hits) != 1 || hits[0].Entry.ID != "kb-2999" {
		t.Fatalf("an entry copied first or last is found: %d hits", len(hits))
	}
	r.Close()

	// An older replica: index rows with rowids of their own.
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE kb_fts SET rowid = rowid + 100000 WHERE id = 'kb-0001'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r = sqlite.NewReplica(path)
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	if n, _ := r.KBCount(ctx); n != 0 {
		t.Fatalf("a replica with misplaced index rows kept %d entries", n)
	}
	if err := r.PutKB(ctx, entries[:10]); err != nil {
		t.Fatal(err)
	}
	r.Close()

	// Without the prefix indexes: the index is made again, empty.
	db, _ = sql.Open("sqlite", "file:"+path)
	if _, err := db.Exec(`DROP TABLE kb_fts; CREATE VIRTUAL TABLE kb_fts USING fts5(id UNINDEXED, title, summary, keywords, details, tokenize = 'unicode61 remove_diacritics 2')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r = sqlite.NewReplica(path)
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n, _ := r.KBCount(ctx); n != 0 {
		t.Fatalf("a replica without prefix indexes kept %d entries", n)
	}
	if err := r.PutKB(ctx, entries[:10]); err != nil {
		t.Fatal(err)
	}
	if hits, _ := r.SearchKB(ctx, "ca", 20); len(hits) != 10 {
		t.Fatalf("after the index was made again: %d hits", len(hits))
	}
}
