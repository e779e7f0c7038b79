package storetest

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/wire"
)

// OpID is a wrap-up id the suite sends.
const OpID = "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a21"

// testLookupCaller: a known number gives the citizen, phones and cases and
// writes one audit row; an unknown one is audited too; a refused lookup
// writes nothing.
func testLookupCaller(t *testing.T, e *env) {
	k := e.record(t, &Operator, sportello.WrapUp{CallID: "call-0", CallerNumber: "+390212345678", Outcome: sportello.OutcomeTransferred, Note: "Trasferita all'Anagrafe"})
	t.Run("Known", func(t *testing.T) {
		card, err := e.LookupCaller(e.ctx, "+39 333 1234567", "call-1", &Operator)
		if err != nil {
			t.Fatal(err)
		}
		if card.Citizen == nil || card.Citizen.ID != "c-rossi" || card.Citizen.Name != "Maria Rossi" || card.Citizen.Email != "maria.rossi@example.org" {
			t.Fatalf("citizen %+v, want c-rossi", card.Citizen)
		}
		if card.Number != "+393331234567" {
			t.Fatalf("number %q", card.Number)
		}
		if !slices.Equal(card.Citizen.Phones, []string{"+390212345678", "+393331234567"}) {
			t.Fatalf("phones %v", card.Citizen.Phones)
		}
		// Newest first: the wrap-up's case, then the seeded one.
		if len(card.Cases) != 2 || card.Cases[0].ID != k.ID || len(card.Cases[0].Events) != 3 || card.Cases[1].ID != EscalatedCase {
			t.Fatalf("cases %+v, want the one recorded then the seeded one", card.Cases)
		}
		log, err := e.AccessLog(e.ctx, "c-rossi")
		if err != nil {
			t.Fatal(err)
		}
		want := wire.AccessEntry{At: T0, UserID: Operator.ID, CitizenID: "c-rossi", Number: "+393331234567", Reason: "call-1"}
		if len(log) != 1 || !sameEntry(log[0], want) {
			t.Fatalf("access log %+v, want [%+v]", log, want)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		card, err := e.LookupCaller(e.ctx, "+390299999999", "call-2", &Operator)
		if err != nil {
			t.Fatal(err)
		}
		if card.Citizen != nil || len(card.Cases) != 0 || card.Cases == nil {
			t.Fatalf("card %+v, want no citizen and an empty list of cases", card)
		}
		log, err := e.AccessLog(e.ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 || log[0].Number != "+390299999999" || log[0].Reason != "call-2" || log[0].CitizenID != "" {
			t.Fatalf("access log %+v", log)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		for _, tt := range []struct {
			name, number, reason string
			actor                *sportello.User
			code                 string
		}{
			{"NoReason", "+390212345678", " ", &Operator, sportello.EINVALID},
			{"LongReason", "+390212345678", strings.Repeat("r", check.MaxReasonLen+1), &Operator, sportello.EINVALID},
			{"BadNumber", "not-a-number", "call-3", &Operator, sportello.EINVALID},
			{"ControlInReason", "+390212345678", "call\x00-3", &Operator, sportello.EINVALID},
			{"NotUTF8Reason", "+390212345678", "call-\xff", &Operator, sportello.EINVALID},
			{"NoActor", "+390212345678", "call-3", nil, sportello.EUNAUTHORIZED},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.LookupCaller(e.ctx, tt.number, tt.reason, tt.actor)
				wantCode(t, err, tt.code)
			})
		}
		if log, _ := e.AccessLog(e.ctx, "c-rossi"); len(log) != 1 {
			t.Fatalf("refused lookups wrote audit rows: %+v", log)
		}
	})
}

// sameEntry compares audit rows, times as instants.
func sameEntry(a, b wire.AccessEntry) bool {
	return a.At.Equal(b.At) && a.UserID == b.UserID && a.CitizenID == b.CitizenID && a.Number == b.Number && a.Reason == b.Reason
}

// testAccessLog: a citizen's reads, oldest first, each with who, when and why.
func testAccessLog(t *testing.T, e *env) {
	reads := []struct {
		at     time.Duration
		actor  *sportello.User
		number string
		reason string
	}{
		{0, &Operator, "+390212345678", "call-1"},
		{time.Minute, &Supervisor, "+393331234567", EscalatedCase},
		{2 * time.Minute, &Operator2, "+390287654321", "call-2"}, // another citizen
		{3 * time.Minute, &Operator2, "0039 02 1234 5678", "x'); DELETE FROM audit; --"},
	}
	for _, r := range reads {
		e.clock.Set(T0.Add(r.at))
		if _, err := e.LookupCaller(e.ctx, r.number, r.reason, r.actor); err != nil {
			t.Fatal(err)
		}
	}
	log, err := e.AccessLog(e.ctx, "c-rossi")
	if err != nil {
		t.Fatal(err)
	}
	want := []wire.AccessEntry{
		{At: T0, UserID: Operator.ID, CitizenID: "c-rossi", Number: "+390212345678", Reason: "call-1"},
		{At: T0.Add(time.Minute), UserID: Supervisor.ID, CitizenID: "c-rossi", Number: "+393331234567", Reason: EscalatedCase},
		{At: T0.Add(3 * time.Minute), UserID: Operator2.ID, CitizenID: "c-rossi", Number: "+390212345678", Reason: "x'); DELETE FROM audit; --"},
	}
	if len(log) != len(want) {
		t.Fatalf("access log %+v, want %+v", log, want)
	}
	for i := range want {
		if !sameEntry(log[i], want[i]) || log[i].At.Location() != time.UTC {
			t.Fatalf("entry %d: %+v, want %+v (in UTC)", i, log[i], want[i])
		}
	}
	for _, id := range []string{"c-nessuno", "c-\x00", "c-\xff", "' OR 1=1 --"} {
		if log, err := e.AccessLog(e.ctx, id); err != nil || len(log) != 0 {
			t.Fatalf("access log of %q: %+v, %v", id, log, err)
		}
	}
}

// testRecordWrapUp: a wrap-up opens a case with three events and three
// changes, or appends two to a case; every event goes through the state
// machine.
func testRecordWrapUp(t *testing.T, e *env) {
	t.Run("OpensCase", func(t *testing.T) {
		k := e.record(t, &Operator, sportello.WrapUp{
			CallID: "call-1", CallerNumber: "02 12345678", Category: "Tributi",
			Outcome: sportello.OutcomeResolvedFirstContact, Note: "Spiegata la TARI\nsecondo rigo",
		})
		if k.CitizenID != "c-rossi" || k.Status != sportello.StatusResolved || k.Subject != "Spiegata la TARI" || k.Category != "Tributi" {
			t.Fatalf("case %+v", k)
		}
		kinds := []sportello.EventKind{sportello.EventOpened, sportello.EventCall, sportello.EventWrapUp}
		if len(k.Events) != len(kinds) {
			t.Fatalf("%d events, want %d", len(k.Events), len(kinds))
		}
		for i, ev := range k.Events {
			if ev.Kind != kinds[i] || ev.AuthorID != Operator.ID || ev.Author != Operator.Name || !ev.At.Equal(T0) || len(ev.ID) != 36 || ev.ID[14] != '7' {
				t.Fatalf("event %d: %+v", i, ev)
			}
		}
		if k.Events[1].Number != "+390212345678" || k.Events[1].CallID != "call-1" {
			t.Fatalf("call event %+v", k.Events[1])
		}
		stored, err := e.Case(e.ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Status != k.Status || stored.Subject != k.Subject || len(stored.Events) != 3 {
			t.Fatalf("stored case %+v", stored)
		}
		for i := range k.Events {
			if *stored.Events[i] != *k.Events[i] {
				t.Fatalf("stored event %d: %+v, want %+v", i, stored.Events[i], k.Events[i])
			}
		}
		changes, err := e.ChangesSince(e.ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) != 3 {
			t.Fatalf("%d changes, want 3", len(changes))
		}
		for i, c := range changes {
			if c.Seq != int64(i+1) || c.Kind != sportello.ChangeKindCaseEvent || c.CaseID != k.ID || c.CitizenID != "c-rossi" || !c.At.Equal(T0) ||
				c.Event == nil || *c.Event != *k.Events[i] {
				t.Fatalf("change %d: %+v", i, c)
			}
		}
	})
	t.Run("UnknownCaller", func(t *testing.T) {
		k := e.record(t, &Operator, sportello.WrapUp{CallID: "call-2", CallerNumber: "+390299999999", Outcome: sportello.OutcomeTransferred})
		if k.CitizenID != "" || k.Status != sportello.StatusOpen {
			t.Fatalf("case %+v", k)
		}
		changes, _ := e.ChangesSince(e.ctx, 3, 10)
		if len(changes) != 3 || changes[0].CitizenID != "" {
			t.Fatalf("changes %+v", changes)
		}
	})
	t.Run("AppendsToCase", func(t *testing.T) {
		k := e.record(t, &Operator, sportello.WrapUp{CallID: "call-3", CitizenID: "c-panificio", Outcome: sportello.OutcomeTransferred, Note: "Trasferita"})
		k2 := e.record(t, &Operator, sportello.WrapUp{CallID: "call-4", CaseID: k.ID, CallerNumber: "+390287654321", Outcome: sportello.OutcomeResolvedFirstContact, Note: "Risolta"})
		if k2.ID != k.ID || len(k2.Events) != 5 || k2.Status != sportello.StatusResolved || k2.Subject != "Trasferita" {
			t.Fatalf("case %+v with %d events", k2, len(k2.Events))
		}
		if h := e.head(t); h != 11 {
			t.Fatalf("head %d, want 11", h)
		}
	})
	t.Run("AtDesk", func(t *testing.T) {
		k := e.record(t, &Operator, sportello.WrapUp{CallID: "call-5", CaseID: EscalatedCase, Outcome: sportello.OutcomeTransferred, Note: "Sollecito"})
		if k.Status != sportello.StatusEscalated || k.DeskID != "desk-tributi" || len(k.Events) != 4 {
			t.Fatalf("case %+v", k)
		}
		changes, _ := e.ChangesSince(e.ctx, 11, 10)
		if len(changes) != 2 || changes[0].DeskID != "desk-tributi" || changes[1].CaseID != EscalatedCase {
			t.Fatalf("changes %+v: want the desk of the case", changes)
		}
	})
	t.Run("NewCaseID", func(t *testing.T) {
		id := "01932c07-0000-7000-8000-00000000abcd"
		k := e.record(t, &Operator, sportello.WrapUp{CallID: "call-6", CitizenID: "c-rossi", NewCaseID: id, Outcome: sportello.OutcomeTransferred})
		if k.ID != id {
			t.Fatalf("case id %s, want the desktop's %s", k.ID, id)
		}
		_, err := e.RecordWrapUp(e.ctx, &Operator, sportello.WrapUp{CallID: "call-7", CitizenID: "c-rossi", NewCaseID: id, Outcome: sportello.OutcomeTransferred})
		wantCode(t, err, sportello.ECONFLICT)
		_, err = e.RecordWrapUp(e.ctx, &Operator, sportello.WrapUp{CallID: "call-7", CitizenID: "c-rossi", NewCaseID: "nope", Outcome: sportello.OutcomeTransferred})
		wantCode(t, err, sportello.EINVALID)
	})
	t.Run("MissedCall", func(t *testing.T) {
		// The desktop records a call nobody answered: the citizen is found
		// by number, the case stays open (a callback is due), and its
		// wrap-up event says missed.
		k := e.record(t, &Operator, sportello.WrapUp{CallID: "call-8", CallerNumber: "+390212345678", Category: "Chiamata persa", Outcome: sportello.OutcomeMissed})
		if k.CitizenID != "c-rossi" || k.Status != sportello.StatusOpen || k.Subject != "Chiamata persa" || len(k.Events) != 3 || k.Events[2].Outcome != sportello.OutcomeMissed {
			t.Fatalf("case %+v", k)
		}
		k2 := e.record(t, &Operator, sportello.WrapUp{CallID: "call-9", CaseID: EscalatedCase, Outcome: sportello.OutcomeMissed})
		if k2.Status != sportello.StatusEscalated || k2.DeskID != "desk-tributi" {
			t.Fatalf("a missed call moved an escalated case: %+v", k2)
		}
	})
	for _, id := range []string{"nope", "a\x00b", "\xff"} {
		if _, err := e.Case(e.ctx, id); sportello.ErrorCode(err) != sportello.ENOTFOUND {
			t.Fatalf("Case(%q): %v", id, err)
		}
	}
}

// testRecordWrapUpRefused: illegal transitions and bad wrap-ups are
// refused with their codes, and nothing is written.
func testRecordWrapUpRefused(t *testing.T, e *env) {
	resolved := e.record(t, &Operator, sportello.WrapUp{CallID: "call-1", CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact})
	for _, tt := range []struct {
		name  string
		actor *sportello.User
		w     sportello.WrapUp
		code  string
	}{
		{"ResolvedCase", &Operator, sportello.WrapUp{CallID: "call-2", CaseID: resolved.ID, Outcome: sportello.OutcomeTransferred}, sportello.ECONFLICT},
		{"EscalatedWithoutDesk", &Operator, sportello.WrapUp{CallID: "call-2", CitizenID: "c-rossi", Outcome: sportello.OutcomeEscalated}, sportello.EINVALID},
		{"UnknownCase", &Operator, sportello.WrapUp{CallID: "call-2", CaseID: "nope", Outcome: sportello.OutcomeTransferred}, sportello.ENOTFOUND},
		{"UnknownCitizen", &Operator, sportello.WrapUp{CallID: "call-2", CitizenID: "nope", Outcome: sportello.OutcomeTransferred}, sportello.ENOTFOUND},
		{"OtherCitizensCase", &Operator, sportello.WrapUp{CallID: "call-2", CaseID: resolved.ID, CitizenID: "c-panificio", Outcome: sportello.OutcomeTransferred}, sportello.EINVALID},
		{"NoOutcome", &Operator, sportello.WrapUp{CallID: "call-2", CitizenID: "c-rossi"}, sportello.EINVALID},
		{"BadNumber", &Operator, sportello.WrapUp{CallID: "call-2", CallerNumber: "x", Outcome: sportello.OutcomeTransferred}, sportello.EINVALID},
		{"NoActor", nil, sportello.WrapUp{CallID: "call-2", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}, sportello.EUNAUTHORIZED},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.RecordWrapUp(e.ctx, tt.actor, tt.w)
			wantCode(t, err, tt.code)
		})
	}
	if h := e.head(t); h != 3 {
		t.Fatalf("head %d after refusals, want 3", h)
	}
	stored, err := e.Case(e.ctx, resolved.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Events) != 3 {
		t.Fatalf("resolved case has %d events, want 3", len(stored.Events))
	}
	// The refused illegal transition said why, in words.
	_, err = e.RecordWrapUp(e.ctx, &Operator, sportello.WrapUp{CallID: "call-2", CaseID: resolved.ID, Outcome: sportello.OutcomeTransferred})
	if msg := sportello.ErrorMessage(err); !strings.Contains(msg, "resolved") {
		t.Fatalf("message %q", msg)
	}
}

// testRecordWrapUpText stores SQL metacharacters verbatim and refuses
// oversized or control-character fields, writing nothing.
func testRecordWrapUpText(t *testing.T, e *env) {
	nasty := `Robert'); DROP TABLE cases; -- "quoted" \ % _ ; /* */ $1 $$ ` + "`x` ₍ᐢ•ﻌ•ᐢ₎ 🇮🇹"
	k := e.record(t, &Operator, sportello.WrapUp{CallID: nasty, CitizenID: "c-rossi", Category: nasty[:60], Outcome: sportello.OutcomeTransferred, Note: nasty + "\nseconda riga\t."})
	stored, err := e.Case(e.ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	w := stored.Events[2]
	if w.CallID != nasty || w.Category != nasty[:60] || w.Note != nasty+"\nseconda riga\t." || stored.Subject != nasty {
		t.Fatalf("stored %+v", w)
	}
	head := e.head(t)
	long := func(n int) string { return strings.Repeat("x", n) }
	for _, tt := range []struct {
		name string
		w    sportello.WrapUp
		code string
	}{
		{"LongCallID", sportello.WrapUp{CallID: long(check.MaxCallIDLen + 1)}, sportello.EINVALID},
		{"LongCategory", sportello.WrapUp{Category: long(check.MaxCategoryLen + 1)}, sportello.EINVALID},
		{"LongCitizenID", sportello.WrapUp{CitizenID: long(check.MaxRefLen + 1)}, sportello.EINVALID},
		{"LongCaseID", sportello.WrapUp{CaseID: long(check.MaxRefLen + 1)}, sportello.EINVALID},
		{"LongNote", sportello.WrapUp{Note: long(sportello.MaxNoteLen + 1)}, sportello.EINVALID},
		{"NULInNote", sportello.WrapUp{Note: "a\x00b"}, sportello.EINVALID},
		{"EscapeInCategory", sportello.WrapUp{Category: "\x1b[31m"}, sportello.EINVALID},
		{"NewlineInCallID", sportello.WrapUp{CallID: "a\nb"}, sportello.EINVALID},
		{"QuoteInCaseID", sportello.WrapUp{CaseID: "x' OR '1'='1"}, sportello.ENOTFOUND},
		{"InvalidUTF8InNote", sportello.WrapUp{Note: "a\xffb"}, sportello.EINVALID},
		{"InvalidUTF8InCategory", sportello.WrapUp{Category: "\xc3("}, sportello.EINVALID},
		{"NULInCaseID", sportello.WrapUp{CaseID: "a\x00b"}, sportello.EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.w
			w.Outcome = sportello.OutcomeTransferred
			if w.CitizenID == "" && w.CaseID == "" {
				w.CitizenID = "c-panificio"
			}
			_, err := e.RecordWrapUp(e.ctx, &Operator, w)
			wantCode(t, err, tt.code)
		})
	}
	if h := e.head(t); h != head {
		t.Fatalf("refused wrap-ups wrote %d changes", h-head)
	}
}

// testRecordWrapUpOnce: a wrap-up id is recorded once; a repeat gets the
// case as the first send left it; another payload under the id is ECONFLICT.
func testRecordWrapUpOnce(t *testing.T, e *env) {
	first := sportello.WrapUp{ID: OpID, CallID: "call-1", CallerNumber: "+390212345678", Outcome: sportello.OutcomeTransferred, Note: "Trasferita"}
	k, replayed, err := e.RecordWrapUpOnce(e.ctx, &Operator, first)
	if err != nil || replayed {
		t.Fatalf("first send: replayed %v, %v", replayed, err)
	}
	t.Run("RepeatReturnsTheCaseAsLeft", func(t *testing.T) {
		e.record(t, &Operator, sportello.WrapUp{CallID: "call-2", CaseID: k.ID, Outcome: sportello.OutcomeResolvedFirstContact})
		again := first
		again.ID, again.CallerNumber = strings.ToUpper(OpID), "02 1234 5678"
		k2, replayed, err := e.RecordWrapUpOnce(e.ctx, &Operator, again)
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
		if h := e.head(t); h != 5 {
			t.Fatalf("head %d, want 5: the repeat wrote changes", h)
		}
	})
	t.Run("OtherPayloadIsConflict", func(t *testing.T) {
		other := first
		other.Note = "Altro"
		_, err := e.RecordWrapUp(e.ctx, &Operator, other)
		wantCode(t, err, sportello.ECONFLICT)
		if !strings.Contains(sportello.ErrorMessage(err), "already used") {
			t.Fatalf("message %q", sportello.ErrorMessage(err))
		}
		_, err = e.RecordWrapUp(e.ctx, &Operator2, first) // another author: another op
		wantCode(t, err, sportello.ECONFLICT)
		if h := e.head(t); h != 5 {
			t.Fatalf("head %d, want 5", h)
		}
	})
	t.Run("RefusedFirstSendRecordsNothing", func(t *testing.T) {
		id := "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a22"
		bad := first
		bad.ID, bad.CaseID = id, "nope"
		_, err := e.RecordWrapUp(e.ctx, &Operator, bad)
		wantCode(t, err, sportello.ENOTFOUND)
		good := first
		good.ID = id
		if _, replayed, err := e.RecordWrapUpOnce(e.ctx, &Operator, good); err != nil || replayed {
			t.Fatalf("after a refusal: replayed %v, %v", replayed, err)
		}
	})
	t.Run("NoIDRecordsEverySend", func(t *testing.T) {
		w := first
		w.ID = ""
		h := e.head(t)
		for range 2 {
			if _, replayed, err := e.RecordWrapUpOnce(e.ctx, &Operator, w); err != nil || replayed {
				t.Fatalf("replayed %v, %v", replayed, err)
			}
		}
		if got := e.head(t); got != h+6 {
			t.Fatalf("head %d, want %d", got, h+6)
		}
	})
	t.Run("BadID", func(t *testing.T) {
		for _, id := range []string{"x", "{" + OpID + "}", "urn:uuid:" + OpID, OpID + "0", "'; DROP TABLE ops; --"} {
			w := first
			w.ID = id
			_, err := e.RecordWrapUp(e.ctx, &Operator, w)
			wantCode(t, err, sportello.EINVALID)
		}
	})
}

// testConcurrentDuplicates sends one wrap-up from 8 goroutines at once:
// exactly one records it, the others get it replayed.
func testConcurrentDuplicates(t *testing.T, e *env) {
	first := sportello.WrapUp{ID: OpID, CallID: "call-1", CallerNumber: "+390212345678", Outcome: sportello.OutcomeTransferred, Note: "Trasferita"}
	const senders = 8
	var wg sync.WaitGroup
	cases := make([]*sportello.Case, senders)
	replays := make([]bool, senders)
	errs := make([]error, senders)
	for i := range senders {
		wg.Go(func() { cases[i], replays[i], errs[i] = e.RecordWrapUpOnce(e.ctx, &Operator, first) })
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
	if h := e.head(t); h != 3 {
		t.Fatalf("head %d, want 3", h)
	}
}

// writeConcurrently records writers*each wrap-ups from writers goroutines,
// alternating two citizens and two outcomes, plus one refused wrap-up in
// the middle that must not burn a seq.
func writeConcurrently(t *testing.T, e *env, writers, each int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, writers*each+1)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				outcome, citizen := sportello.OutcomeTransferred, "c-rossi"
				if (w+i)%2 == 0 {
					outcome, citizen = sportello.OutcomeResolvedFirstContact, "c-panificio"
				}
				actor := &Operator
				if w%2 == 1 {
					actor = &Operator2
				}
				if _, err := e.RecordWrapUp(e.ctx, actor, sportello.WrapUp{CallID: "c", CitizenID: citizen, Outcome: outcome}); err != nil {
					errs <- err
				}
			}
		})
	}
	if _, err := e.RecordWrapUp(e.ctx, &Operator, sportello.WrapUp{CallID: "c", CaseID: "nope", Outcome: sportello.OutcomeTransferred}); err == nil {
		errs <- err
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// testChangesGapFree records wrap-ups from many goroutines and checks that
// the change log numbers them 1..N without gaps and that pages cover it
// exactly.
func testChangesGapFree(t *testing.T, e *env) {
	const writers, each = 6, 5
	writeConcurrently(t, e, writers, each)
	const total = writers * each * 3
	var all []sportello.Change
	cursor := int64(0)
	for pages := 0; ; pages++ {
		page, err := e.ChangesSince(e.ctx, cursor, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 7 || pages > total {
			t.Fatalf("page of %d", len(page))
		}
		all = append(all, page...)
		cursor = page[len(page)-1].Seq
	}
	if len(all) != total {
		t.Fatalf("%d changes, want %d", len(all), total)
	}
	perCase := map[string]int{}
	for i, c := range all {
		if c.Seq != int64(i+1) {
			t.Fatalf("change %d has seq %d: gap", i, c.Seq)
		}
		if c.Event == nil || c.Event.CaseID != c.CaseID {
			t.Fatalf("change %+v", c)
		}
		perCase[c.CaseID]++
	}
	for id, n := range perCase {
		if n != 3 {
			t.Fatalf("case %s has %d changes, want 3", id, n)
		}
	}
	if h := e.head(t); h != total {
		t.Fatalf("head %d, want %d", h, total)
	}
	if page, err := e.ChangesSince(e.ctx, total, 0); err != nil || len(page) != 0 || page == nil {
		t.Fatalf("page after the head: %v, %v; want an empty list", page, err)
	}
	if page, err := e.ChangesSince(e.ctx, 0, wire.MaxChangesLimit+1); err != nil || len(page) != total {
		t.Fatalf("limit above the maximum: %d changes, %v", len(page), err)
	}
	if _, err := e.ChangesSince(e.ctx, -1, 1); sportello.ErrorCode(err) != sportello.EINVALID {
		t.Fatalf("negative cursor: %v", err)
	}
}

// testChangesNeverSkip reads the change log while writers commit: a reader
// must never see a seq before every lower seq is visible, or a desktop
// following its cursor would skip a change for ever.
func testChangesNeverSkip(t *testing.T, e *env) {
	const writers, each = 4, 8
	done := make(chan struct{})
	readErr := make(chan error, 1)
	var cursor int64
	go func() {
		defer close(readErr)
		for {
			select {
			case <-done:
				return
			default:
			}
			page, err := e.ChangesSince(e.ctx, cursor, 5)
			if err != nil {
				readErr <- err
				return
			}
			for _, c := range page {
				if c.Seq != cursor+1 {
					readErr <- sportelloErrorf("read seq %d after %d: a change was skipped", c.Seq, cursor)
					return
				}
				cursor = c.Seq
			}
		}
	}()
	writeConcurrently(t, e, writers, each)
	close(done)
	if err := <-readErr; err != nil {
		t.Fatal(err)
	}
	if h := e.head(t); h != writers*each*3 {
		t.Fatalf("head %d", h)
	}
}

func sportelloErrorf(format string, args ...any) error {
	return sportello.Errorf(sportello.EINTERNAL, format, args...)
}

// testFeedScope: a user's desks, the cases the user wrote on, and the
// citizens looked up since the session of the token began.
func testFeedScope(t *testing.T, e *env) {
	if err := e.CreateSession(e.ctx, "tok-early", Operator.ID, T0.Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(T0.Add(time.Minute))
	if _, err := e.LookupCaller(e.ctx, "+390212345678", "call-1", &Operator); err != nil {
		t.Fatal(err)
	}
	own := e.record(t, &Operator, sportello.WrapUp{CallID: "call-1", CitizenID: "c-panificio", Outcome: sportello.OutcomeTransferred})
	e.record(t, &Operator, sportello.WrapUp{CallID: "call-2", CaseID: EscalatedCase, Outcome: sportello.OutcomeTransferred})
	e.record(t, &Operator2, sportello.WrapUp{CallID: "call-3", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred})

	e.clock.Set(T0.Add(time.Hour))
	if err := e.CreateSession(e.ctx, "tok-late", Operator.ID, T0.Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

	desks, cases, citizens, err := e.FeedScope(e.ctx, "tok-early", Operator.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(desks) != 0 {
		t.Fatalf("operator's desks %v", desks)
	}
	if want := sorted([]string{own.ID, EscalatedCase}); !slices.Equal(sorted(cases), want) {
		t.Fatalf("cases %v, want %v", cases, want)
	}
	if !slices.Equal(citizens, []string{"c-rossi"}) {
		t.Fatalf("citizens of the early session %v, want [c-rossi]", citizens)
	}
	_, _, citizens, err = e.FeedScope(e.ctx, "tok-late", Operator.ID)
	if err != nil || len(citizens) != 0 {
		t.Fatalf("citizens of a session begun after the lookup: %v, %v", citizens, err)
	}
	e.clock.Set(T0.Add(2 * time.Hour))
	if _, err := e.LookupCaller(e.ctx, "+390287654321", "call-4", &Operator); err != nil {
		t.Fatal(err)
	}
	_, _, citizens, _ = e.FeedScope(e.ctx, "tok-late", Operator.ID)
	if !slices.Equal(citizens, []string{"c-panificio"}) {
		t.Fatalf("citizens of the late session %v", citizens)
	}
	_, _, citizens, _ = e.FeedScope(e.ctx, "tok-early", Operator.ID)
	if want := []string{"c-panificio", "c-rossi"}; !slices.Equal(sorted(citizens), want) {
		t.Fatalf("citizens of the early session %v, want %v", citizens, want)
	}
	_, _, citizens, _ = e.FeedScope(e.ctx, "tok-late", Operator2.ID) // someone else's token
	if len(citizens) != 0 {
		t.Fatalf("citizens through another user's token: %v", citizens)
	}
	_, _, citizens, _ = e.FeedScope(e.ctx, "tok-unknown", Operator.ID)
	if len(citizens) != 0 {
		t.Fatalf("citizens of an unknown session: %v", citizens)
	}
	// A case the user last wrote on longer ago than FeedScopeAge is not
	// followed, open or not; one written on since is, unless resolved: a
	// day's resolved calls are most of what an operator writes on, and
	// syncd keeps each followed case in memory for each connection.
	now := T0.Add(2 * time.Hour)
	e.clock.Set(now.Add(-sportello.FeedScopeAge - time.Hour))
	oldOpen := e.record(t, &Operator, sportello.WrapUp{CallID: "call-old", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred})
	e.clock.Set(now.Add(-sportello.FeedScopeAge + time.Hour))
	recentOpen := e.record(t, &Operator, sportello.WrapUp{CallID: "call-recent-open", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred})
	e.clock.Set(now.Add(-time.Hour))
	resolved := e.record(t, &Operator, sportello.WrapUp{CallID: "call-recent", CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact})
	e.clock.Set(now)
	if oldOpen.Status != sportello.StatusOpen || recentOpen.Status != sportello.StatusOpen || resolved.Status != sportello.StatusResolved {
		t.Fatalf("statuses %s, %s, %s; want open, open, resolved", oldOpen.Status, recentOpen.Status, resolved.Status)
	}
	_, cases, _, err = e.FeedScope(e.ctx, "tok-early", Operator.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := sorted([]string{own.ID, EscalatedCase, recentOpen.ID}); !slices.Equal(sorted(cases), want) {
		t.Fatalf("cases: %v, want %v (not %s, open and written on %v ago, nor %s, resolved an hour ago)", cases, want, oldOpen.ID, sportello.FeedScopeAge+time.Hour, resolved.ID)
	}
	desks, cases, _, err = e.FeedScope(e.ctx, "", Specialist.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"desk-anagrafe", "desk-tributi"}; !slices.Equal(sorted(desks), want) || len(cases) != 0 {
		t.Fatalf("specialist's desks %v and cases %v; want %v and none (seeded specialists work every desk)", desks, cases, want)
	}
}
