package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// TestClient_CallbackService: a callback scheduled at wrap-up through the
// client is listed to its owner and not to another operator, and attempts
// are recorded on syncd.
func TestClient_CallbackService(t *testing.T) {
	db := openStoreWith(t, deskCity())
	srv := openServer(t, db, "127.0.0.1:0")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	op, luca := signIn(t, srv.URL(), "operatore"), signIn(t, srv.URL(), "specialista")
	var _ sportello.CallbackService = op

	from := time.Now().UTC().Truncate(time.Second)
	k, err := op.RecordWrapUp(ctx, sportello.WrapUp{
		CallID: "call-cb", CallerNumber: "+390212345678", Outcome: sportello.OutcomeCallbackScheduled, Note: "Richiamare per la TARI",
		CallbackFrom: from, CallbackTo: from.Add(2 * time.Hour), CallbackOwner: sportello.OwnerSelf,
	})
	if err != nil {
		t.Fatal(err)
	}
	cbs, err := op.Callbacks(ctx)
	if err != nil || len(cbs) != 1 || cbs[0].CaseID != k.ID || !cbs[0].From.Equal(from) || cbs[0].Reason != "Richiamare per la TARI" {
		t.Fatalf("callbacks = %+v, %v", cbs, err)
	}
	if others, err := luca.Callbacks(ctx); err != nil || len(others) != 0 {
		t.Fatalf("another user's callbacks = %+v, %v; want none", others, err)
	}
	if _, err := luca.RecordAttempt(ctx, cbs[0].ID, sportello.CallbackAttempt{Outcome: sportello.AttemptBusy}); sportello.ErrorCode(err) != sportello.EFORBIDDEN {
		t.Fatalf("someone else's attempt: %v, want EFORBIDDEN", err)
	}
	cb, err := op.RecordAttempt(ctx, cbs[0].ID, sportello.CallbackAttempt{Outcome: sportello.AttemptNoAnswer, CallID: "out-1"})
	if err != nil || cb.State != sportello.CallbackScheduled || len(cb.Attempts) != 1 || cb.Attempts[0].CallID != "out-1" {
		t.Fatalf("no answer: %+v, %v", cb, err)
	}
	cb, err = op.RecordAttempt(ctx, cbs[0].ID, sportello.CallbackAttempt{Outcome: sportello.AttemptResolved})
	if err != nil || cb.State != sportello.CallbackDone {
		t.Fatalf("answered: %+v, %v", cb, err)
	}
}
