package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

func (e *env) callbacks(t *testing.T, token string) []*sportello.Callback {
	t.Helper()
	status, body := e.call(t, "GET", "/v1/callbacks", token, nil)
	var resp wire.CallbacksResponse
	if status != http.StatusOK || json.Unmarshal(body, &resp) != nil {
		t.Fatalf("callbacks: %d %s", status, body)
	}
	return resp.Callbacks
}

func callbackIDs(cbs []*sportello.Callback) string {
	var ids []string
	for _, cb := range cbs {
		ids = append(ids, cb.Reason)
	}
	return strings.Join(ids, ",")
}

// TestServer_Callbacks: a callback scheduled at wrap-up is listed to its
// owner (and the pool's to every operator, all of them to supervisors)
// first due first served; attempts follow the callback's state machine,
// go on the case's history and are pushed; someone else's callback is
// refused.
func TestServer_Callbacks(t *testing.T) {
	e := newCityEnv(t)
	op, op2, sup := e.signIn(t, "operatore"), e.signIn(t, "operatore2"), e.signIn(t, "supervisore")
	schedule := func(token, note, owner string, from time.Duration) *sportello.Case {
		return e.wrapUp(t, token, sportello.WrapUp{
			CallID: "call-" + note, CallerNumber: "+393351112233", Outcome: sportello.OutcomeCallbackScheduled, Note: note,
			CallbackFrom: t0.Add(from), CallbackTo: t0.Add(from + 2*time.Hour), CallbackOwner: owner,
		})
	}
	mine := schedule(op, "mine", sportello.OwnerSelf, 3*time.Hour)
	schedule(op2, "pool", sportello.OwnerPool, time.Hour)
	schedule(op2, "theirs", "", 2*time.Hour)

	if last := mine.Events[len(mine.Events)-1]; last.Kind != sportello.EventCallbackScheduled || last.Number != "+393351112233" {
		t.Fatalf("the case's history ends with %+v, want the callback scheduled", last)
	}
	if got := callbackIDs(e.callbacks(t, op)); got != "pool,mine" {
		t.Fatalf("operatore's callbacks: %s, want pool,mine", got)
	}
	if got := callbackIDs(e.callbacks(t, op2)); got != "pool,theirs" {
		t.Fatalf("operatore2's callbacks: %s, want pool,theirs", got)
	}
	all := e.callbacks(t, sup)
	if got := callbackIDs(all); got != "pool,theirs,mine" {
		t.Fatalf("the supervisor's callbacks: %s, want pool,theirs,mine", got)
	}
	theirs, own := all[1], all[2]
	if own.Owner != "u-a" || own.State != sportello.CallbackScheduled || own.CaseID != mine.ID || own.CitizenName != "Luca Verdi" {
		t.Fatalf("operatore's callback: %+v", own)
	}

	attempt := func(token, id, body string) (int, []byte) {
		return e.call(t, "POST", "/v1/callbacks/"+id+"/attempts", token, strings.NewReader(body))
	}
	head, _ := e.db.Head(context.Background())
	status, body := attempt(op, theirs.ID, `{"outcome":"no_answer"}`)
	wantError(t, status, body, http.StatusForbidden, sportello.EFORBIDDEN, "someone else's")
	status, body = attempt(op, own.ID, `{"outcome":"maybe"}`)
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "unknown attempt outcome")
	if h, _ := e.db.Head(context.Background()); h != head {
		t.Fatal("a refused attempt wrote changes")
	}

	ws := e.dialWS(t, op, head)
	if f := readFrame(t, ws); f.Type != wire.FrameHello {
		t.Fatalf("%+v", f)
	}
	status, body = attempt(op, own.ID, `{"outcome":"no_answer","call_id":"out-1"}`)
	var cb sportello.Callback
	json.Unmarshal(body, &cb)
	if status != http.StatusCreated || cb.State != sportello.CallbackScheduled || len(cb.Attempts) != 1 || cb.Attempts[0].AuthorID != "u-a" {
		t.Fatalf("no answer: %d %s, want still scheduled with one attempt", status, body)
	}
	ch := wantChange(t, ws, head+1)
	if ch.Event == nil || ch.Event.Kind != sportello.EventCallbackAttempt || ch.Event.CallID != own.ID || ch.Event.Outcome != "no_answer" || ch.CaseID != mine.ID {
		t.Fatalf("pushed %+v, want the attempt on the case", ch)
	}
	status, body = attempt(op, own.ID, `{"outcome":"answered_resolved"}`)
	json.Unmarshal(body, &cb)
	if status != http.StatusCreated || cb.State != sportello.CallbackDone || len(cb.Attempts) != 2 {
		t.Fatalf("answered: %d %s, want done", status, body)
	}
	wantChange(t, ws, head+2)
	status, body = attempt(op, own.ID, `{"outcome":"busy"}`)
	wantError(t, status, body, http.StatusConflict, sportello.ECONFLICT, "done already")
	if got := callbackIDs(e.callbacks(t, op)); got != "pool" {
		t.Fatalf("after the callback is done: %s, want pool", got)
	}

	// A callback needs its window.
	b := `{"call_id":"x","caller_number":"+393351112233","outcome":"callback_scheduled"}`
	status, body = e.call(t, "POST", "/v1/wrapups", op, strings.NewReader(b))
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "time window")
}
