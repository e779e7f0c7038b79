package storetest

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// testReplies: a reply to the citizen is a replied event that keeps its
// channel, recipient, language and text, with its change, once however
// often it is sent; only the holder replies; the callback an answer
// ready creates goes in with its callback_scheduled event.
func testReplies(t *testing.T, e *env) {
	c, citizen, err := e.ReplyCase(e.ctx, EscalatedCase)
	if err != nil || citizen == nil || citizen.Email != "maria.rossi@example.org" || c.Subject != "Rimborso TARI" || c.CitizenName != "Maria Rossi" {
		t.Fatalf("ReplyCase: %+v, %+v, %v", c, citizen, err)
	}
	_, _, err = e.ReplyCase(e.ctx, "01950000-0000-7000-8000-00000000dead")
	wantCode(t, err, sportello.ENOTFOUND)

	reply := sportello.CaseEvent{ID: "01950000-0000-7000-8000-0000000000f1", Kind: sportello.EventReplied,
		Outcome: sportello.Outcome(sportello.ReplyEmail), Number: "maria.rossi@example.org", Category: sportello.LangItalian,
		Note: "Gentile Maria Rossi,\n\nil rimborso è accolto.\n"}
	// Not claimed yet: refused, nothing written.
	head := e.head(t)
	_, _, _, err = e.RecordReply(e.ctx, &Specialist, EscalatedCase, reply, nil, nil)
	wantCode(t, err, sportello.ECONFLICT)
	if _, _, err := e.RecordCaseEvent(e.ctx, &Specialist, EscalatedCase, sportello.CaseEvent{Kind: sportello.EventClaimed}, nil); err != nil {
		t.Fatal(err)
	}
	head++
	// Someone other than the holder, or refused by allow: nothing written.
	_, _, _, err = e.RecordReply(e.ctx, &Operator2, EscalatedCase, reply, nil, nil)
	wantCode(t, err, sportello.ECONFLICT)
	_, _, _, err = e.RecordReply(e.ctx, &Specialist, EscalatedCase, reply, nil, func(*sportello.Case) error {
		return sportello.Errorf(sportello.EFORBIDDEN, "not at your desk")
	})
	wantCode(t, err, sportello.EFORBIDDEN)
	if h := e.head(t); h != head {
		t.Fatalf("head %d after refused replies, want %d", h, head)
	}

	e.clock.Set(T0.Add(time.Hour))
	k, ev, replayed, err := e.RecordReply(e.ctx, &Specialist, EscalatedCase, reply, nil, nil)
	if err != nil || replayed {
		t.Fatalf("reply: %v, replayed %v", err, replayed)
	}
	want := reply
	want.ID, want.CaseID, want.At = reply.ID, EscalatedCase, T0.Add(time.Hour)
	want.AuthorID, want.Author, want.AuthorRole = Specialist.ID, Specialist.Name, Specialist.Role
	want.Note = "Gentile Maria Rossi,\n\nil rimborso è accolto." // trimmed
	if *ev != want || k.Status != sportello.StatusClaimed || k.CitizenName != "Maria Rossi" {
		t.Fatalf("replied event %+v\nwant %+v (case %s)", ev, want, k.Status)
	}
	stored, err := e.Case(e.ctx, EscalatedCase)
	if err != nil {
		t.Fatal(err)
	}
	if got := stored.Events[len(stored.Events)-1]; *got != want {
		t.Fatalf("stored %+v\nwant %+v", got, want)
	}
	changes, err := e.ChangesSince(e.ctx, head, 10)
	if err != nil || len(changes) != 1 || changes[0].Event == nil || *changes[0].Event != want || changes[0].DeskID != "desk-tributi" {
		t.Fatalf("changes after the reply: %+v, %v", changes, err)
	}
	head++

	// A repeat is recorded once; the same id by someone else, or for
	// another kind of event, is a conflict.
	_, again, replayed, err := e.RecordReply(e.ctx, &Specialist, EscalatedCase, reply, nil, nil)
	if err != nil || !replayed || again.ID != reply.ID {
		t.Fatalf("repeat: %+v, replayed %v, %v", again, replayed, err)
	}
	_, _, _, err = e.RecordReply(e.ctx, &Operator, EscalatedCase, reply, nil, nil)
	wantCode(t, err, sportello.ECONFLICT)
	if h := e.head(t); h != head {
		t.Fatalf("head %d after a repeat, want %d", h, head)
	}

	// Bad replies.
	for _, bad := range []sportello.CaseEvent{
		{Kind: sportello.EventReplied, Outcome: "fax", Note: "x"},
		{Kind: sportello.EventReplied, Outcome: sportello.Outcome(sportello.ReplyLetter)},
		{Kind: sportello.EventNote, Note: "x"},
		{Kind: sportello.EventReplied, Outcome: sportello.Outcome(sportello.ReplyEmail), Note: "x", ID: "not-a-uuid"},
	} {
		_, _, _, err = e.RecordReply(e.ctx, &Specialist, EscalatedCase, bad, nil, nil)
		wantCode(t, err, sportello.EINVALID)
	}

	// The callback of an answer ready, for the operator.
	if _, _, err := e.RecordCaseEvent(e.ctx, &Specialist, EscalatedCase, sportello.CaseEvent{Kind: sportello.EventAnswerReady}, nil); err != nil {
		t.Fatal(err)
	}
	head++
	from := T0.Add(time.Hour)
	cb := &sportello.Callback{Number: "+390212345678", Reason: "Rimborso TARI", From: from, To: from.Add(4 * time.Hour), Owner: Operator.ID}
	k, ev, _, err = e.RecordReply(e.ctx, &Specialist, EscalatedCase,
		sportello.CaseEvent{Kind: sportello.EventCallbackScheduled, Number: "+390212345678", Note: "risposta pronta"}, cb, nil)
	if err != nil || ev.Kind != sportello.EventCallbackScheduled || k.Status != sportello.StatusAnswerReady {
		t.Fatalf("answer callback: %+v, %v", ev, err)
	}
	cbs, err := e.Callbacks(e.ctx, Operator.ID, nil, false)
	if err != nil || len(cbs) != 1 {
		t.Fatalf("operator's callbacks %+v, %v", cbs, err)
	}
	if got := cbs[0]; got.ID != ev.ID || got.CaseID != EscalatedCase || got.CitizenID != "c-rossi" || got.Owner != Operator.ID ||
		!got.From.Equal(from) || !got.To.Equal(from.Add(4*time.Hour)) || got.State != sportello.CallbackScheduled || got.Number != "+390212345678" {
		t.Fatalf("callback %+v", got)
	}
	if h := e.head(t); h != head+1 {
		t.Fatalf("head %d, want %d", h, head+1)
	}
	// A callback_scheduled event without its callback is refused.
	_, _, _, err = e.RecordReply(e.ctx, &Specialist, EscalatedCase, sportello.CaseEvent{Kind: sportello.EventCallbackScheduled, Note: "x"}, nil, nil)
	wantCode(t, err, sportello.EINVALID)
}
