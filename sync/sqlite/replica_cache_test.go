package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sportello/sportello"
)

// TestReplica_CardKeptWithoutFlush: a caller card is kept with
// synchronous NORMAL for its commit alone: during it the connection does
// not sync, after it the connection the outbox writes on is FULL again,
// and the card reads back.
func TestReplica_CardKeptWithoutFlush(t *testing.T) {
	r := NewReplica(filepath.Join(t.TempDir(), "replica.db"))
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	sync := func() int {
		t.Helper()
		var n int
		if err := r.db.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := sync(); n != 2 {
		t.Fatalf("replica opens with synchronous %d, want 2 (FULL)", n)
	}
	var during int
	card := &sportello.CallerCard{Number: "+390212345678", Citizen: &sportello.Citizen{ID: "c-1", Name: "Maria Rossi"}}
	// What execCache sets for its write, seen from inside it.
	if err := r.execCache(ctx, `CREATE TEMP TABLE IF NOT EXISTS seen AS SELECT synchronous FROM pragma_synchronous`); err != nil {
		t.Fatal(err)
	}
	if err := r.db.QueryRowContext(ctx, `SELECT synchronous FROM temp.seen`).Scan(&during); err != nil {
		t.Fatal(err)
	}
	if during != 1 {
		t.Errorf("a cache write runs with synchronous %d, want 1 (NORMAL)", during)
	}
	if err := r.PutCard(ctx, card); err != nil {
		t.Fatal(err)
	}
	if n := sync(); n != 2 {
		t.Fatalf("after keeping a card the connection is at synchronous %d, want 2 (FULL)", n)
	}
	got, err := r.Card(ctx, card.Number)
	if err != nil || got.Citizen == nil || got.Citizen.Name != "Maria Rossi" {
		t.Fatalf("card %+v, %v", got, err)
	}
}
