package sqlite

import (
	"context"
	"fmt"
	"testing"
)

// TestReadStmts_PreparedOnce: the screen pop's reads are prepared on the
// read pool the first time and reused; past maxReadStmts a query still
// runs, as text.
func TestReadStmts_PreparedOnce(t *testing.T) {
	db, d := openDemo(t)
	ctx := context.Background()
	actor := &d.Users[0].User
	number := d.Citizens[0].Phones[0]
	card, err := db.LookupCaller(ctx, number, "call call-1", actor)
	if err != nil || card.Citizen == nil {
		t.Fatalf("lookup: %+v, %v", card, err)
	}
	db.reads.mu.Lock()
	n := len(db.reads.stmts)
	first := map[string]any{}
	for q, s := range db.reads.stmts {
		first[q] = s
	}
	db.reads.mu.Unlock()
	if n < 4 { // number, citizen, phones, cases, each case's events
		t.Fatalf("%d statements prepared by a screen pop, want its reads", n)
	}
	if again, err := db.LookupCaller(ctx, number, "call call-2", actor); err != nil || again.Citizen.ID != card.Citizen.ID {
		t.Fatalf("second lookup: %+v, %v", again, err)
	}
	db.reads.mu.Lock()
	for q, s := range db.reads.stmts {
		if first[q] == nil {
			t.Errorf("the second lookup prepared %q anew", q)
		} else if first[q] != any(s) {
			t.Errorf("%q was prepared again", q)
		}
	}
	db.reads.mu.Unlock()
	for i := range maxReadStmts + 5 {
		var v int
		if err := db.reads.QueryRowContext(ctx, fmt.Sprintf("SELECT %d", i)).Scan(&v); err != nil || v != i {
			t.Fatalf("query %d past the cache: %d, %v", i, v, err)
		}
	}
	db.reads.mu.Lock()
	defer db.reads.mu.Unlock()
	if len(db.reads.stmts) != maxReadStmts {
		t.Fatalf("%d statements kept, want at most %d", len(db.reads.stmts), maxReadStmts)
	}
}
