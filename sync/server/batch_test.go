package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// pushOps posts a batch of ops and decodes the results.
func (e *env) pushOps(t *testing.T, token string, ops []wire.Op) []wire.OpResult {
	t.Helper()
	b, err := json.Marshal(wire.OpsRequest{Ops: ops})
	if err != nil {
		t.Fatal(err)
	}
	status, body := e.call(t, "POST", "/v1/ops", token, bytes.NewReader(b))
	var resp wire.OpsResponse
	if status != http.StatusOK || json.Unmarshal(body, &resp) != nil {
		t.Fatalf("POST /v1/ops: %d %s", status, body)
	}
	if len(resp.Results) != len(ops) {
		t.Fatalf("%d results for %d ops", len(resp.Results), len(ops))
	}
	for i, r := range resp.Results {
		if r.ID != ops[i].ID {
			t.Fatalf("result %d is of op %s, want %s: order not kept", i, r.ID, ops[i].ID)
		}
	}
	return resp.Results
}

// wrapUpOp is an op carrying w, with w's id.
func wrapUpOp(t *testing.T, w sportello.WrapUp) wire.Op {
	t.Helper()
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	return wire.Op{ID: w.ID, Kind: wire.OpWrapUp, Body: b}
}

func wantRefused(t *testing.T, r wire.OpResult, code, message string) {
	t.Helper()
	if r.Result != wire.OpRefused || r.Error == nil || r.Error.Code != code || !strings.Contains(r.Error.Message, message) {
		t.Fatalf("op %s: %+v (error %+v), want refused %s %q", r.ID, r, r.Error, code, message)
	}
}

// TestPushOps: a desktop's outbox in one request; each op gets its own
// result in order, a refused op refuses no other, an op id twice in the
// batch or in a later batch is stored once, and the changes reach the
// author's WebSocket.
func TestPushOps(t *testing.T) {
	e := newCityEnv(t)
	ctx := context.Background()
	token := e.signIn(t, "operatore")
	caseID := "01950000-0000-7000-8000-0000000c0001"
	opened := sportello.WrapUp{ID: "01950000-0000-7000-8000-0000000d0001", CallID: "call-1", CitizenID: "c-verdi", NewCaseID: caseID, Outcome: sportello.OutcomeTransferred, Note: "Aperta offline"}
	later := sportello.WrapUp{ID: "01950000-0000-7000-8000-0000000d0002", CallID: "call-2", CaseID: caseID, Outcome: sportello.OutcomeResolvedFirstContact}
	read := wire.OfflineRead{ID: "01950000-0000-7000-8000-0000000d0003", At: time.Now().UTC().Add(-time.Minute), CitizenID: "c-rossi", Number: "+390212345678", Reason: "call-1"}
	readBody, _ := json.Marshal(read)
	ops := []wire.Op{
		wrapUpOp(t, opened),
		wrapUpOp(t, sportello.WrapUp{ID: "01950000-0000-7000-8000-0000000d0004", CallID: "call-x", CaseID: "nope", Outcome: sportello.OutcomeTransferred}),
		wrapUpOp(t, opened), // the same op twice
		{ID: read.ID, Kind: wire.OpOfflineRead, Body: readBody},
		wrapUpOp(t, later), // on the case the first op opened
		{ID: "01950000-0000-7000-8000-0000000d0005", Kind: "teleport", Body: json.RawMessage(`{}`)},
		{ID: "01950000-0000-7000-8000-0000000d0006", Kind: wire.OpWrapUp, Body: json.RawMessage(`{"id":"01950000-0000-7000-8000-0000000d0007","call_id":"c","outcome":"transferred"}`)},
		{ID: "01950000-0000-7000-8000-0000000d0008", Kind: wire.OpWrapUp, Body: json.RawMessage(`{"call_id":"c","outcome":"transferred","bogus":1}`)},
	}
	head, _ := e.db.Head(ctx)
	res := e.pushOps(t, token, ops)
	if r := res[0]; r.Result != wire.OpCreated || r.Case == nil || r.Case.ID != caseID || len(r.Case.Events) != 3 {
		t.Fatalf("op 0: %+v", r)
	}
	wantRefused(t, res[1], sportello.ENOTFOUND, "nope")
	if r := res[2]; r.Result != wire.OpReplayed || r.Case == nil || r.Case.ID != caseID || len(r.Case.Events) != 3 {
		t.Fatalf("op 2, a repeat of op 0: %+v", r)
	}
	if r := res[3]; r.Result != wire.OpCreated {
		t.Fatalf("offline read: %+v", r)
	}
	if r := res[4]; r.Result != wire.OpCreated || r.Case == nil || len(r.Case.Events) != 5 || r.Case.Status != sportello.StatusResolved {
		t.Fatalf("op 4: %+v", r)
	}
	wantRefused(t, res[5], sportello.EINVALID, "unknown op kind")
	wantRefused(t, res[6], sportello.EINVALID, "another id")
	wantRefused(t, res[7], sportello.EINVALID, "bogus")
	if h, _ := e.db.Head(ctx); h != head+5 {
		t.Fatalf("head %d, want %d", h, head+5)
	}
	entries, err := e.db.AccessLog(ctx, "c-rossi")
	if err != nil {
		t.Fatal(err)
	}
	offline := 0
	for _, a := range entries {
		if a.UserID == "u-a" && strings.Contains(a.Reason, "offline") {
			offline++
		}
	}
	if offline != 1 {
		t.Fatalf("%d offline reads audited, want 1: %+v", offline, entries)
	}

	t.Run("Resent", func(t *testing.T) {
		again := e.pushOps(t, token, ops)
		for _, i := range []int{0, 2, 3, 4} {
			if again[i].Result != wire.OpReplayed {
				t.Fatalf("op %d resent: %+v", i, again[i])
			}
		}
		if n := len(again[0].Case.Events); n != 3 {
			t.Fatalf("op 0 resent: %d events, want the case as it left it", n)
		}
		wantRefused(t, again[1], sportello.ENOTFOUND, "nope")
		if h, _ := e.db.Head(ctx); h != head+5 {
			t.Fatalf("head %d, want %d: the resend wrote changes", h, head+5)
		}
	})

	t.Run("ForbiddenOp", func(t *testing.T) {
		sup := e.signIn(t, "supervisore")
		read2 := read
		read2.ID = "01950000-0000-7000-8000-0000000d0009"
		body, _ := json.Marshal(read2)
		res := e.pushOps(t, sup, []wire.Op{
			wrapUpOp(t, sportello.WrapUp{ID: "01950000-0000-7000-8000-0000000d000a", CallID: "c", CitizenID: "c-verdi", Outcome: sportello.OutcomeTransferred}),
			{ID: read2.ID, Kind: wire.OpOfflineRead, Body: body},
		})
		wantRefused(t, res[0], sportello.EFORBIDDEN, "may not record a wrap-up")
		if res[1].Result != wire.OpCreated {
			t.Fatalf("the supervisor's offline read: %+v", res[1])
		}
		if h, _ := e.db.Head(ctx); h != head+5 {
			t.Fatal("a forbidden op wrote changes")
		}
	})

	t.Run("Bounds", func(t *testing.T) {
		many := make([]wire.Op, wire.MaxOpsPerBatch+1)
		for i := range many {
			many[i] = wrapUpOp(t, sportello.WrapUp{ID: fmt.Sprintf("01950000-0000-7000-8000-0000000e%04d", i), CallID: "c", CitizenID: "c-verdi", Outcome: sportello.OutcomeTransferred})
		}
		b, _ := json.Marshal(wire.OpsRequest{Ops: many})
		status, body := e.call(t, "POST", "/v1/ops", token, bytes.NewReader(b))
		wantError(t, status, body, http.StatusRequestEntityTooLarge, sportello.EINVALID, fmt.Sprintf("at most %d", wire.MaxOpsPerBatch))
		huge := `{"ops":[{"id":"01950000-0000-7000-8000-0000000f0001","kind":"wrap_up","body":{"call_id":"c","outcome":"transferred","note":"` + strings.Repeat("x", wire.MaxBatchBytes) + `"}}]}`
		status, body = e.call(t, "POST", "/v1/ops", token, strings.NewReader(huge))
		wantError(t, status, body, http.StatusRequestEntityTooLarge, sportello.EINVALID, "larger than")
		status, body = e.call(t, "POST", "/v1/ops", token, strings.NewReader(`{"ops":[]}`))
		wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "no ops")
		status, body = e.call(t, "POST", "/v1/ops", token, strings.NewReader(`{"ops":[{"id":`))
		wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "")
		if h, _ := e.db.Head(ctx); h != head+5 {
			t.Fatal("a refused batch wrote changes")
		}
	})
}
