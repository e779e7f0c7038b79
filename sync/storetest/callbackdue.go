package storetest

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// testCallbackAttemptOpID: an attempt sent twice with one op id is
// recorded once (one attempt, one event, one change); the second answer
// is the callback as it stands; an op id another event holds is refused.
func testCallbackAttemptOpID(t *testing.T, e *env) {
	k := e.record(t, &Operator, sportello.WrapUp{CallID: "call-op", CallerNumber: "+390212345678", Outcome: sportello.OutcomeCallbackScheduled,
		CallbackFrom: T0, CallbackTo: T0.Add(time.Hour)})
	id := k.Events[len(k.Events)-1].ID
	const op = "01950000-0000-7000-8000-0000000a0001"
	head := e.head(t)
	first, err := e.RecordCallbackAttempt(e.ctx, &Operator, id, sportello.CallbackAttempt{ID: op, Outcome: sportello.AttemptNoAnswer}, nil)
	if err != nil || len(first.Attempts) != 1 || first.Attempts[0].ID != op || first.State != sportello.CallbackScheduled {
		t.Fatalf("first send: %+v, %v", first, err)
	}
	if h := e.head(t); h != head+1 {
		t.Fatalf("head %d, want %d", h, head+1)
	}
	e.clock.Set(T0.Add(time.Minute))
	again, err := e.RecordCallbackAttempt(e.ctx, &Operator, id, sportello.CallbackAttempt{ID: op, Outcome: sportello.AttemptNoAnswer}, nil)
	if err != nil || len(again.Attempts) != 1 || !again.Attempts[0].At.Equal(T0) {
		t.Fatalf("resend: %+v, %v; want the one attempt of T0", again, err)
	}
	if h := e.head(t); h != head+1 {
		t.Fatalf("resend moved the head to %d, want %d", h, head+1)
	}
	c, err := e.Case(e.ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range c.Events {
		if ev.Kind == sportello.EventCallbackAttempt {
			n++
			if ev.ID != op {
				t.Errorf("attempt event id %s, want the op id %s", ev.ID, op)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d attempt events on the case, want 1", n)
	}
	// The same op id on another callback: refused, nothing written.
	k2 := e.record(t, &Operator, sportello.WrapUp{CallID: "call-op2", CallerNumber: "+390287654321", Outcome: sportello.OutcomeCallbackScheduled,
		CallbackFrom: T0, CallbackTo: T0.Add(time.Hour)})
	head = e.head(t)
	_, err = e.RecordCallbackAttempt(e.ctx, &Operator, k2.Events[len(k2.Events)-1].ID, sportello.CallbackAttempt{ID: op, Outcome: sportello.AttemptBusy}, nil)
	wantCode(t, err, sportello.ECONFLICT)
	_, err = e.RecordCallbackAttempt(e.ctx, &Operator, id, sportello.CallbackAttempt{ID: "not-a-uuid", Outcome: sportello.AttemptBusy}, nil)
	wantCode(t, err, sportello.EINVALID)
	if h := e.head(t); h != head {
		t.Fatalf("refusals moved the head to %d, want %d", h, head)
	}
	// A second attempt with its own op id is recorded.
	second, err := e.RecordCallbackAttempt(e.ctx, &Operator, id, sportello.CallbackAttempt{ID: "01950000-0000-7000-8000-0000000a0002", Outcome: sportello.AttemptResolved}, nil)
	if err != nil || len(second.Attempts) != 2 || second.State != sportello.CallbackDone {
		t.Fatalf("second attempt: %+v, %v", second, err)
	}
	// And its resend, on a callback now done, is still the callback, not ECONFLICT.
	if cb, err := e.RecordCallbackAttempt(e.ctx, &Operator, id, sportello.CallbackAttempt{ID: "01950000-0000-7000-8000-0000000a0002", Outcome: sportello.AttemptResolved}, nil); err != nil || cb.State != sportello.CallbackDone || len(cb.Attempts) != 2 {
		t.Fatalf("resend on a done callback: %+v, %v", cb, err)
	}
}

// testCitizenLanguage: a citizen's preferred language is stored on create
// and on edit, Italian (empty) by default, and refused when unknown; a
// change of language alone is an edit.
func testCitizenLanguage(t *testing.T, e *env) {
	in := sportello.Citizen{ID: "01950000-0000-7000-8000-00000000c0e1", Kind: sportello.CitizenPerson, Name: "John Smith", Email: "john@example.org"}
	c, _, err := e.CreateCitizen(e.ctx, &Operator, in, "call-en")
	if err != nil || c.Language != "" {
		t.Fatalf("create without a language: %+v, %v", c, err)
	}
	got, err := e.replyCitizen(t, c.ID)
	if err != nil || got.Language != "" {
		t.Fatalf("stored %+v, %v; want no language (Italian)", got, err)
	}
	head := e.head(t)
	in.Language = "EN"
	c, err = e.UpdateCitizen(e.ctx, &Operator, in, "call-en")
	if err != nil || c.Language != sportello.LangEnglish {
		t.Fatalf("edit to English: %+v, %v", c, err)
	}
	if h := e.head(t); h != head+1 {
		t.Fatalf("a change of language alone: head %d, want %d", h, head+1)
	}
	if got, err = e.replyCitizen(t, c.ID); err != nil || got.Language != sportello.LangEnglish {
		t.Fatalf("stored %+v, %v; want en", got, err)
	}
	// The desk queue carries it, for the reply's language.
	k := e.record(t, &Operator, sportello.WrapUp{CallID: "call-en-esc", CitizenID: c.ID, Outcome: sportello.OutcomeEscalated, DeskID: "desk-tributi"})
	queue, err := e.Queue(e.ctx, "", true)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, q := range queue {
		if q.ID == k.ID {
			found = q.CitizenLanguage == sportello.LangEnglish
		} else if q.CitizenLanguage != "" {
			t.Errorf("queue case %s of %s: language %q, want none", q.ID, q.CitizenID, q.CitizenLanguage)
		}
	}
	if !found {
		t.Fatalf("the escalated case of the English citizen is not in the queue with language en: %+v", queue)
	}
	in.Language = "fr"
	_, err = e.UpdateCitizen(e.ctx, &Operator, in, "call-en")
	wantCode(t, err, sportello.EINVALID)
	in.ID, in.Language, in.Email = "01950000-0000-7000-8000-00000000c0e2", sportello.LangEnglish, ""
	in.Name = "Jane Smith"
	if c, _, err = e.CreateCitizen(e.ctx, &Operator, in, "call-en2"); err != nil || c.Language != sportello.LangEnglish {
		t.Fatalf("create in English: %+v, %v", c, err)
	}
	if got, err = e.replyCitizen(t, c.ID); err != nil || got.Language != sportello.LangEnglish {
		t.Fatalf("stored %+v, %v; want en", got, err)
	}
}

// replyCitizen reads a citizen as a reply sees it: through a case of
// theirs, which it opens.
func (e *env) replyCitizen(t *testing.T, citizenID string) (*sportello.Citizen, error) {
	t.Helper()
	k := e.record(t, &Operator, sportello.WrapUp{CallID: "call-lang-" + citizenID, CitizenID: citizenID, Outcome: sportello.OutcomeResolvedFirstContact})
	_, ci, err := e.ReplyCase(e.ctx, k.ID)
	return ci, err
}
