package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/postgres/pgtest"
	"github.com/sportello/sportello/sync/storetest"
)

// TestMultiNode_EditPushed: an import saved straight into the database
// (as "syncd import --db postgres://..." does, no syncd involved) reaches
// the operators signed in to both syncd nodes, with the entry, through
// LISTEN/NOTIFY and the change feed's filter.
func TestMultiNode_EditPushed(t *testing.T) {
	dsn := pgtest.DSN(t)
	seed := open(t, dsn, nil)
	if err := seed.Seed(context.Background(), storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	a, b := node(t, dsn), node(t, dsn)
	_, onA := signIn(t, a, "operatore")
	_, onB := signIn(t, b, "operatore2")

	ctx, cancel := context.WithTimeout(context.Background(), pushWait)
	defer cancel()
	edits := []sportello.Edit{
		{KB: &sportello.KBEntry{ID: "kb-ferragosto", Kind: sportello.EntryAnswer, Title: "Uffici chiusi a Ferragosto", Summary: "Il 14 agosto gli uffici sono chiusi."}, Base: sportello.AnyVersion},
		{Directory: &sportello.DirectoryEntry{ID: "dir-verde", Name: "Numero verde", Number: "+39800123456"}, Base: sportello.AnyVersion},
	}
	if _, err := seed.ApplyEdits(ctx, &storetest.Admin, edits, nil); err != nil {
		t.Fatal(err)
	}
	for who, changes := range map[string]<-chan sportello.Change{"A's operator": onA, "B's operator": onB} {
		var got []sportello.Change
		deadline := time.After(pushWait)
		for len(got) < 2 {
			select {
			case ch := <-changes:
				got = append(got, ch)
			case <-deadline:
				t.Fatalf("%s got %d of 2 edits within %v", who, len(got), pushWait)
			}
		}
		if got[0].Kind != sportello.ChangeKindKB || got[0].KB == nil || got[0].KB.Title != "Uffici chiusi a Ferragosto" ||
			got[1].Kind != sportello.ChangeKindDirectory || got[1].Directory == nil || got[1].Directory.Number != "+39800123456" {
			t.Fatalf("%s got %+v", who, got)
		}
	}
}
