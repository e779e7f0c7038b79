package sqlite_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/sqlite"
)

const opID = "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a21"

func TestDB_RecordWrapUpOnce(t *testing.T) {
	ctx := context.Background()
	first := sportello.WrapUp{ID: opID, CallID: "call-1", CallerNumber: "+390212345678", Outcome: sportello.OutcomeTransferred, Note: "Trasferita"}

	t.Run("RepeatReturnsTheCaseAsLeft", func(t *testing.T) {
		db := mustOpen(t, fixture)
		k, replayed, err := db.RecordWrapUpOnce(ctx, operator, first)
		if err != nil || replayed {
			t.Fatalf("first send: replayed %v, %v", replayed, err)
		}
		// The case moves on after the first send.
		if _, err := db.RecordWrapUp(ctx, operator, sportello.WrapUp{CallID: "call-2", CaseID: k.ID, Outcome: sportello.OutcomeResolvedFirstContact}); err != nil {
			t.Fatal(err)
		}
		// The same wrap-up again, its number written another way and its id
		// in upper case: the same op.
		again := first
		again.ID, again.CallerNumber = strings.ToUpper(opID), "02 1234 5678"
		k2, replayed, err := db.RecordWrapUpOnce(ctx, operator, again)
		if err != nil || !replayed {
			t.Fatalf("repeat: replayed %v, %v", replayed, err)
		}
		if k2.ID != k.ID || len(k2.Events) != 3 || k2.Status != sportello.StatusOpen {
			t.Fatalf("repeat gave %+v with %d events, want the case as the first send left it", k2, len(k2.Events))
		}
		for i := range k.Events {
			if *k2.Events[i] != *k.Events[i] {
				t.Fatalf("event %d: %+v, want %+v", i, k2.Events[i], k.Events[i])
			}
		}
		if head, _ := db.Head(ctx); head != 5 {
			t.Fatalf("head %d, want 5: the repeat wrote changes", head)
		}
	})

	t.Run("OtherPayloadIsConflict", func(t *testing.T) {
		db := mustOpen(t, fixture)
		if _, err := db.RecordWrapUp(ctx, operator, first); err != nil {
			t.Fatal(err)
		}
		other := first
		other.Note = "Altro"
		_, err := db.RecordWrapUp(ctx, operator, other)
		wantCode(t, err, sportello.ECONFLICT)
		if !strings.Contains(sportello.ErrorMessage(err), "already used") {
			t.Fatalf("message %q", sportello.ErrorMessage(err))
		}
		// Another author under the same id is another op too.
		_, err = db.RecordWrapUp(ctx, &sportello.User{ID: "u-altro", Name: "Altro"}, first)
		wantCode(t, err, sportello.ECONFLICT)
		if head, _ := db.Head(ctx); head != 3 {
			t.Fatalf("head %d, want 3", head)
		}
	})

	t.Run("RefusedFirstSendRecordsNothing", func(t *testing.T) {
		db := mustOpen(t, fixture)
		bad := first
		bad.CaseID = "nope"
		_, err := db.RecordWrapUp(ctx, operator, bad)
		wantCode(t, err, sportello.ENOTFOUND)
		// The id is free: the corrected wrap-up goes through.
		if _, replayed, err := db.RecordWrapUpOnce(ctx, operator, first); err != nil || replayed {
			t.Fatalf("after a refusal: replayed %v, %v", replayed, err)
		}
	})

	t.Run("NoIDRecordsEverySend", func(t *testing.T) {
		db := mustOpen(t, fixture)
		w := first
		w.ID = ""
		for range 2 {
			if _, replayed, err := db.RecordWrapUpOnce(ctx, operator, w); err != nil || replayed {
				t.Fatalf("replayed %v, %v", replayed, err)
			}
		}
		if head, _ := db.Head(ctx); head != 6 {
			t.Fatalf("head %d, want 6", head)
		}
	})

	t.Run("BadID", func(t *testing.T) {
		db := mustOpen(t, fixture)
		for _, id := range []string{"x", "{" + opID + "}", "urn:uuid:" + opID, opID + "0", "'; DROP TABLE ops; --"} {
			w := first
			w.ID = id
			_, err := db.RecordWrapUp(ctx, operator, w)
			wantCode(t, err, sportello.EINVALID)
		}
	})

	t.Run("ConcurrentDuplicates", func(t *testing.T) {
		db := mustOpen(t, fixture)
		const senders = 8
		var wg sync.WaitGroup
		cases := make([]*sportello.Case, senders)
		replays := make([]bool, senders)
		errs := make([]error, senders)
		for i := range senders {
			wg.Go(func() { cases[i], replays[i], errs[i] = db.RecordWrapUpOnce(ctx, operator, first) })
		}
		wg.Wait()
		fresh := 0
		for i := range senders {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if !replays[i] {
				fresh++
			}
			if cases[i].ID != cases[0].ID || len(cases[i].Events) != 3 {
				t.Fatalf("sender %d got %+v", i, cases[i])
			}
		}
		if fresh != 1 {
			t.Fatalf("%d sends were recorded, want 1", fresh)
		}
		if head, _ := db.Head(ctx); head != 3 {
			t.Fatalf("head %d, want 3", head)
		}
	})
}

// TestDB_RecordWrapUp_Text stores SQL metacharacters verbatim and refuses
// oversized or control-character fields with EINVALID, writing nothing.
func TestDB_RecordWrapUp_Text(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, fixture)
	// nasty[:61] ends on a rune boundary: text that is not UTF-8 is refused.
	nasty := `Robert'); DROP TABLE cases; -- "quoted" \ % _ ; /* */ ` + "`x` ₍ᐢ•ﻌ•ᐢ₎ 🇮🇹"
	k, err := db.RecordWrapUp(ctx, operator, sportello.WrapUp{
		CallID: nasty, CitizenID: "c-rossi", Category: nasty[:61], Outcome: sportello.OutcomeTransferred, Note: nasty + "\nseconda riga\t.",
	})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := db.Case(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	w := stored.Events[2]
	if w.CallID != nasty || w.Category != nasty[:61] || w.Note != nasty+"\nseconda riga\t." || stored.Subject != nasty {
		t.Fatalf("stored %+v", w)
	}
	head, _ := db.Head(ctx)

	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name string
		w    sportello.WrapUp
	}{
		{"LongCallID", sportello.WrapUp{CallID: long(sqlite.MaxCallIDLen + 1)}},
		{"LongCategory", sportello.WrapUp{Category: long(sqlite.MaxCategoryLen + 1)}},
		{"LongCitizenID", sportello.WrapUp{CitizenID: long(sqlite.MaxRefLen + 1)}},
		{"LongCaseID", sportello.WrapUp{CaseID: long(sqlite.MaxRefLen + 1)}},
		{"LongNote", sportello.WrapUp{Note: long(sportello.MaxNoteLen + 1)}},
		{"LongNumber", sportello.WrapUp{CallerNumber: long(sqlite.MaxCallIDLen + 1)}},
		{"NULInNote", sportello.WrapUp{Note: "a\x00b"}},
		{"EscapeInCategory", sportello.WrapUp{Category: "\x1b[31m"}},
		{"NewlineInCallID", sportello.WrapUp{CallID: "a\nb"}},
		{"QuoteInCaseID", sportello.WrapUp{CaseID: "x' OR '1'='1"}}, // fine as text, unknown as a case
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.w
			w.Outcome = sportello.OutcomeTransferred
			if w.CitizenID == "" && w.CaseID == "" {
				w.CitizenID = "c-rossi"
			}
			_, err := db.RecordWrapUp(ctx, operator, w)
			if tt.name == "QuoteInCaseID" {
				wantCode(t, err, sportello.ENOTFOUND)
				return
			}
			wantCode(t, err, sportello.EINVALID)
		})
	}
	if h, _ := db.Head(ctx); h != head {
		t.Fatalf("refused wrap-ups wrote %d changes", h-head)
	}
	if card, err := db.LookupCaller(ctx, "+390212345678", nasty[:50], operator); err != nil || len(card.Cases) != 1 {
		t.Fatalf("card %+v, %v", card, err)
	}
}
