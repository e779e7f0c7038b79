package sqlite_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/wire"
)

func TestReplica(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "replica.db")
	r := sqlite.NewReplica(path)
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	op := func(id string) wire.Op {
		return wire.Op{ID: id, Kind: wire.OpWrapUp, Body: json.RawMessage(`{"id":"` + id + `"}`)}
	}
	for _, id := range []string{"a", "b", "a", "c"} { // "a" twice: kept once
		if err := r.Enqueue(ctx, op(id)); err != nil {
			t.Fatal(err)
		}
	}
	ops, err := r.Outbox(ctx)
	if err != nil || len(ops) != 3 || ops[0].ID != "a" || ops[1].ID != "b" || ops[2].ID != "c" || string(ops[1].Body) != `{"id":"b"}` {
		t.Fatalf("outbox = %+v, %v", ops, err)
	}
	if err := r.Sent(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := r.Reject(ctx, "b", "the case is resolved"); err != nil {
		t.Fatal(err)
	}
	if err := r.Attempted(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	card := &sportello.CallerCard{Number: "+390212345678", Citizen: &sportello.Citizen{ID: "c1", Name: "Maria Rossi"}}
	if err := r.PutCard(ctx, card); err != nil {
		t.Fatal(err)
	}
	if err := r.SetCursor(ctx, 42); err != nil {
		t.Fatal(err)
	}
	r.Close()

	// What was written survives reopening the file.
	r = sqlite.NewReplica(path)
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ops, _ = r.Outbox(ctx)
	if len(ops) != 1 || ops[0].ID != "c" || ops[0].Attempts != 1 {
		t.Fatalf("outbox after reopen = %+v", ops)
	}
	rej, _ := r.Rejected(ctx)
	if len(rej) != 1 || rej[0].ID != "b" || rej[0].Rejected != "the case is resolved" {
		t.Fatalf("rejected = %+v", rej)
	}
	got, err := r.Card(ctx, "+390212345678")
	if err != nil || got.Citizen.Name != "Maria Rossi" {
		t.Fatalf("card = %+v, %v", got, err)
	}
	if _, err := r.Card(ctx, "+390200000000"); sportello.ErrorCode(err) != sportello.ENOTFOUND {
		t.Fatalf("missing card: %v", err)
	}
	if seq, _ := r.Cursor(ctx); seq != 42 {
		t.Fatalf("cursor = %d", seq)
	}
	if err := r.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	ops, _ = r.Outbox(ctx)
	rej, _ = r.Rejected(ctx)
	seq, _ := r.Cursor(ctx)
	if _, err := r.Card(ctx, "+390212345678"); len(ops) != 0 || len(rej) != 0 || seq != 0 || err == nil {
		t.Fatal("wipe left data behind")
	}
}
