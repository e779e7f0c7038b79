package sqlite

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
)

// seqs returns the seqs of changes, and what each note was (its CaseID).
func seqs(changes []sportello.Change) []string {
	out := make([]string, len(changes))
	for i, ch := range changes {
		out[i] = fmt.Sprint(ch.Seq, ch.CaseID)
	}
	return out
}

// notes returns changes with seqs and a name each, at at.
func notes(at time.Time, seqNames ...any) []sportello.Change {
	var out []sportello.Change
	for i := 0; i < len(seqNames); i += 2 {
		out = append(out, sportello.Change{Seq: int64(seqNames[i].(int)), CaseID: seqNames[i+1].(string), At: at})
	}
	return out
}

// A group commit's notes: an item refused after it appended its changes
// was rolled back, and the next item took its seqs; the last note of a
// seq stands, and a note past the head was rolled back.
func TestTail_Committed(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	var tl changeTail
	tl.committed(notes(now, 1, "a", 2, "a", 3, "b", 2, "c", 3, "c", 4, "c", 5, "d"), 4) // b refused, d refused last
	if got, want := seqs(tl.changes), []string{"1a", "2c", "3c", "4c"}; !reflect.DeepEqual(got, want) || tl.head != 4 {
		t.Fatalf("after the first commit: %v at head %d; want %v at 4", got, tl.head, want)
	}
	tl.committed(nil, 4) // a commit that appended nothing
	tl.committed(notes(now, 5, "e"), 5)
	if got := seqs(tl.changes); len(got) != 5 || tl.head != 5 {
		t.Fatalf("after the next commits: %v at head %d", got, tl.head)
	}
	got, ok := tl.since(2, 5, 10, now)
	if !ok || !reflect.DeepEqual(seqs(got), []string{"3c", "4c", "5e"}) {
		t.Fatalf("since 2: %v, %v", seqs(got), ok)
	}
	got, ok = tl.since(0, 4, 2, now) // the limit, and nothing past upTo
	if !ok || !reflect.DeepEqual(seqs(got), []string{"1a", "2c"}) {
		t.Fatalf("since 0, limit 2: %v, %v", seqs(got), ok)
	}
	if got, ok := tl.since(5, 5, 10, now); !ok || got == nil || len(got) != 0 {
		t.Fatalf("since the head: %v, %v; want none, from the tail", got, ok)
	}
	if _, ok := tl.since(0, 5, 10, now.Add(maxTailAge+time.Second)); ok {
		t.Fatal("served changes older than maxTailAge")
	}
	// A change the writer did not note (another process, a path that
	// does not note): the tail starts over after it.
	tl.committed(nil, 6)
	if _, ok := tl.since(4, 6, 10, now); ok || len(tl.changes) != 0 {
		t.Fatalf("served across a change it did not note: %v", seqs(tl.changes))
	}
	tl.committed(notes(now, 7, "f"), 7)
	if _, ok := tl.since(5, 7, 10, now); ok {
		t.Fatal("served seq 6, which it never had")
	}
	if got, ok := tl.since(6, 7, 10, now); !ok || !reflect.DeepEqual(seqs(got), []string{"7f"}) {
		t.Fatalf("since 6: %v, %v", seqs(got), ok)
	}
	tl.committed(notes(now, 9, "g", 10, "g"), 10) // 8 not noted: the tail starts at 9
	if _, ok := tl.since(6, 10, 10, now); ok {
		t.Fatalf("served across seq 8, not noted: %v", seqs(tl.changes))
	}
	if got, ok := tl.since(8, 10, 10, now); !ok || !reflect.DeepEqual(seqs(got), []string{"9g", "10g"}) {
		t.Fatalf("since 8: %v, %v", seqs(got), ok)
	}
	if _, ok := tl.since(9, 11, 10, now); ok {
		t.Fatal("served up to 11, past its head")
	}
}

// The tail stays bounded: past 2*maxTailChanges it keeps the newest
// maxTailChanges, and a cursor before them goes to the database.
func TestTail_Bounded(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	var tl changeTail
	for seq := 1; seq <= 3*maxTailChanges; seq++ {
		tl.committed(notes(now, seq, "x"), int64(seq))
	}
	if n := len(tl.changes); n > 2*maxTailChanges || n < maxTailChanges {
		t.Fatalf("%d changes kept, want %d to %d", n, maxTailChanges, 2*maxTailChanges)
	}
	if _, ok := tl.since(0, int64(3*maxTailChanges), 10, now); ok {
		t.Fatal("served from seq 1, which the tail dropped")
	}
}

// What ChangesSince serves from the tail is what the database holds: for a
// mix of writes (a group of wrap-ups with refused ops, notes rolled back to
// their savepoint after their change, a knowledge-base edit, a citizen's
// edit), from every cursor.
func TestTail_MatchesStore(t *testing.T) {
	db, d := openFull(t) // walsync_test.go
	ctx := context.Background()
	start, err := db.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	operator, admin := &d.Users[0].User, adminOf(t, d)
	var ops []sportello.WrapUpOp
	for i := range 12 {
		w := sportello.WrapUp{ID: fmt.Sprintf("0193a3b2-0000-7000-8000-%012d", i), CallID: fmt.Sprint("call-", i),
			CitizenID: d.Citizens[i].ID, Outcome: sportello.OutcomeResolvedFirstContact, Note: fmt.Sprint("nota ", i)}
		if i%4 == 1 {
			w.DeskID = "no-such-desk" // refused after the case is read: rolled back to its savepoint
		}
		ops = append(ops, sportello.WrapUpOp{Actor: operator, WrapUp: w})
	}
	res := db.RecordWrapUps(ctx, ops)
	for i, r := range res {
		if (r.Err != nil) != (i%4 == 1) {
			t.Fatalf("op %d: %+v", i, r)
		}
	}
	entry := sportello.KBEntry{ID: "kb-tail", Kind: sportello.EntryAnswer, Title: "Coda", Summary: "Una voce per il test."}
	if _, err := db.ApplyEdits(ctx, admin, []sportello.Edit{{KB: &entry}}, nil); err != nil {
		t.Fatal(err)
	}
	c := d.Citizens[20]
	c.Email = "coda@example.org"
	if _, err := db.UpdateCitizen(ctx, operator, c, "test"); err != nil {
		t.Fatal(err)
	}
	// An item refused after it appended its change, rolled back to its
	// savepoint, and another after it; then one refused last.
	k := d.Cases[0]
	event := func(note string) *sportello.CaseEvent {
		return &sportello.CaseEvent{ID: newID(), CaseID: k.ID, Kind: sportello.EventNote, At: db.Now(), AuthorID: operator.ID, Author: operator.Name, AuthorRole: operator.Role, Note: note}
	}
	position := len(k.Events) + 100
	write := func(tx execer, e *sportello.CaseEvent) error {
		position++
		if err := insertEvent(ctx, tx, e, position); err != nil {
			return err
		}
		return db.appendChange(ctx, tx, db.Now(), k, e)
	}
	n, err := db.commitCached(ctx, func(tx execer) error {
		for _, step := range []struct {
			note     string
			rollback bool
		}{{"rifiutata", true}, {"tenuta", false}, {"rifiutata in fondo", true}} {
			if _, err := tx.ExecContext(ctx, `SAVEPOINT item`); err != nil {
				return err
			}
			if err := write(tx, event(step.note)); err != nil {
				return err
			}
			if step.rollback {
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO item`); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `RELEASE item`); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = db.wal.wait(ctx, n) // synced: the head is readable
	}
	if err != nil {
		t.Fatal(err)
	}
	head, err := db.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if last := db.tail.changes[len(db.tail.changes)-1]; last.Seq != head || last.Event == nil || last.Event.Note != "tenuta" {
		t.Fatalf("the tail ends with %+v at head %d; want the note kept", last, head)
	}
	if head-start < 20 {
		t.Fatalf("the writes appended %d changes, want at least 20", head-start)
	}
	for cursor := start; cursor <= head; cursor++ {
		fromTail, ok := db.tail.since(cursor, head, 100, db.Now())
		if !ok {
			t.Fatalf("cursor %d: not served from the tail (it holds %d to %d)", cursor, db.tail.changes[0].Seq, db.tail.head)
		}
		stored, err := db.storedChanges(ctx, cursor, head, 100)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fromTail, stored) {
			for i := range min(len(fromTail), len(stored)) {
				if !reflect.DeepEqual(fromTail[i], stored[i]) {
					t.Fatalf("cursor %d, change %d:\n tail   %+v %+v\n stored %+v %+v", cursor, i, fromTail[i], fromTail[i].Event, stored[i], stored[i].Event)
				}
			}
			t.Fatalf("cursor %d: %d changes from the tail, %d stored", cursor, len(fromTail), len(stored))
		}
	}
}

// adminOf returns the demo city's first admin.
func adminOf(t *testing.T, d *demo.Data) *sportello.User {
	for i := range d.Users {
		if d.Users[i].Role == sportello.RoleAdmin {
			return &d.Users[i].User
		}
	}
	t.Fatal("the demo city has no admin")
	return nil
}
