package sqlite

import (
	"context"
	"strings"
	"testing"
)

// TestCitizenByNumber_NoSort checks that the caller's citizen is read off
// citizen_phones_number in order (migration 0026): the query runs on every
// screen pop and inside the writer for every wrap-up with a number, and
// on the index of (number) alone SQLite sorted its matches each time.
func TestCitizenByNumber_NoSort(t *testing.T) {
	db, d := openDemo(t)
	rows, err := db.read.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+citizenByNumberQuery, "+390000000000")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(plan, "; ")
	if !strings.Contains(got, "citizen_phones_number") || strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("plan %q: want citizen_phones_number read in order, no temp B-tree", got)
	}
	// The index still finds the citizen first listed with a number.
	c := d.Citizens[0]
	if len(c.Phones) == 0 {
		t.Fatal("the demo's first citizen has no phone")
	}
	id, err := citizenByNumber(context.Background(), db.read, c.Phones[0])
	if err != nil || id == "" {
		t.Fatalf("citizenByNumber(%s) = %q, %v", c.Phones[0], id, err)
	}
}
