package client_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/sqlite"
)

var _ client.DirectoryReplica = (*sqlite.Replica)(nil)

// TestClient_SyncDirectory copies a directory of more than one page
// (wire.DirectoryPageLimit) from syncd into the replica and searches it
// there; a second sync after syncd dropped entries drops them too, and the
// search keeps answering with syncd gone.
func TestClient_SyncDirectory(t *testing.T) {
	db := openStore(t)
	var entries []sportello.DirectoryEntry
	for i := range 620 {
		entries = append(entries, sportello.DirectoryEntry{ID: fmt.Sprintf("dir-%04d", i), Name: fmt.Sprintf("Ufficio numero %d", i),
			Number: fmt.Sprintf("+3902884%05d", i), Group: "Comune", Keywords: []string{fmt.Sprintf("chiave%d", i)}})
	}
	entries = append(entries, sportello.DirectoryEntry{ID: "dir-municipio", Name: "Municipio 3 - Città Studi", Number: "+390288463000",
		Group: "Municipi", Note: "Servizi di zona.", DeskID: ""})
	if err := db.PutDirectory(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	srv := openServer(t, db, "127.0.0.1:0")
	c := signIn(t, srv.URL(), "operatore")
	c.Replica = openReplica(t, filepath.Join(t.TempDir(), "replica.db"))
	if err := c.SyncDirectory(ctx(t)); err != nil {
		t.Fatal(err)
	}
	all, err := c.SearchDirectory(ctx(t), "", 1000)
	if err != nil || len(all) != len(entries) {
		t.Fatalf("replica holds %d entries, %v; want %d", len(all), err, len(entries))
	}
	hits, err := c.SearchDirectory(ctx(t), "citta stu", 10)
	if err != nil || len(hits) != 1 || hits[0].Number != "+390288463000" || hits[0].Note != "Servizi di zona." {
		t.Fatalf("search citta stu: %+v, %v", hits, err)
	}
	if hits, _ := c.SearchDirectory(ctx(t), "chiave619", 10); len(hits) != 1 || hits[0].ID != "dir-0619" {
		t.Fatalf("an entry of the second page not found: %+v", hits)
	}

	// Syncd has a smaller directory now: the next sync drops the rest.
	db2 := openStore(t)
	if err := db2.PutDirectory(context.Background(), entries[:3]); err != nil {
		t.Fatal(err)
	}
	srv2 := openServer(t, db2, "127.0.0.1:0")
	c2 := signIn(t, srv2.URL(), "operatore")
	c2.Replica = c.Replica
	if err := c2.SyncDirectory(ctx(t)); err != nil {
		t.Fatal(err)
	}
	srv2.Close()
	if all, err := c2.SearchDirectory(ctx(t), "", 1000); err != nil || len(all) != 3 {
		t.Fatalf("after the second sync the replica holds %d entries, %v; want 3", len(all), err)
	}
}
