package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/wire"
)

// TestServer_AssignCase: a supervisor gives a case waiting at Multe to a
// specialist of Multe. The case shows as theirs in the desk's queue, the
// assigned event is pushed to their WebSocket, and they work it as if they
// had claimed it; the refusals (not a specialist, another desk's
// specialist, a case someone holds, a role that may not) write nothing.
func TestServer_AssignCase(t *testing.T) {
	e := newCityEnv(t)
	ctx := context.Background()
	sup, spec := e.signIn(t, "supervisore"), e.signIn(t, "specialista")
	head, _ := e.db.Head(ctx)
	specWS := e.dialWS(t, spec, head)
	readFrame(t, specWS)
	assign := func(token, caseID, body string) (int, []byte) {
		t.Helper()
		return e.call(t, "POST", "/v1/cases/"+caseID+"/assign", token, strings.NewReader(body))
	}

	// Refusals first: nothing is written.
	status, body := assign(sup, "k-multa", `{"assignee_id":"u-specialista2"}`) // at Tributi
	wantError(t, status, body, http.StatusConflict, sportello.ECONFLICT, "does not work at the case's desk")
	status, body = assign(sup, "k-multa", `{"assignee_id":"u-a"}`) // an operator
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "is not a specialist")
	status, body = assign(sup, "k-multa", `{"assignee_id":"u-nobody"}`)
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "no user has id u-nobody")
	status, body = assign(sup, "k-multa", `{}`)
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "choose the specialist")
	status, body = assign(spec, "k-multa", `{"assignee_id":"u-specialista"}`)
	wantError(t, status, body, http.StatusForbidden, sportello.EFORBIDDEN, "assign a case to a specialist")
	// The generic case endpoint does not let a specialist assign either,
	// nor a supervisor without naming whom.
	status, body = e.act(t, spec, "k-multa", `{"kind":"assigned"}`)
	wantError(t, status, body, http.StatusForbidden, sportello.EFORBIDDEN, "assign a case to a specialist")
	status, body = e.act(t, sup, "k-multa", `{"kind":"assigned"}`)
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "choose the specialist")
	if h, _ := e.db.Head(ctx); h != head {
		t.Fatal("a refused assignment wrote changes")
	}

	const opID = "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a78"
	status, body = assign(sup, "k-multa", `{"id":"`+opID+`","assignee_id":"u-specialista"}`)
	if status != http.StatusCreated {
		t.Fatalf("assign: %d %s", status, body)
	}
	k := decodeCase(t, body)
	last := k.Events[len(k.Events)-1]
	if k.Status != sportello.StatusClaimed || k.ClaimedBy != "Specialista Multe" || k.ClaimedByID != "u-specialista" ||
		last.Kind != sportello.EventAssigned || last.ID != opID || last.AuthorID != "u-sup" || last.AssigneeID != "u-specialista" || last.Assignee != "Specialista Multe" {
		t.Fatalf("assigned case = %+v, last event %+v", k, last)
	}
	// Pushed to the specialist's desktop with whom it names.
	ch := wantChange(t, specWS, head+1)
	if ch.Event == nil || ch.Event.Kind != sportello.EventAssigned || ch.Event.AssigneeID != "u-specialista" || ch.Event.Assignee != "Specialista Multe" || ch.DeskID != "desk-multe" {
		t.Fatalf("specialist was pushed %+v (event %+v)", ch, ch.Event)
	}
	// A repeat of the same op writes nothing.
	status, _ = assign(sup, "k-multa", `{"id":"`+opID+`","assignee_id":"u-specialista"}`)
	if h, _ := e.db.Head(ctx); status != http.StatusOK || h != head+1 {
		t.Fatalf("repeat: %d, head %d, want 200 and %d", status, h, head+1)
	}
	// The desk's queue shows it taken by the specialist.
	status, body = e.call(t, "GET", "/v1/queue", spec, nil)
	var q wire.QueueResponse
	if err := json.Unmarshal(body, &q); err != nil || status != http.StatusOK {
		t.Fatalf("queue: %d %s", status, body)
	}
	found := false
	for _, c := range q.Cases {
		if c.ID == "k-multa" {
			found = c.Status == sportello.StatusClaimed && c.ClaimedByID == "u-specialista"
		}
	}
	if !found {
		t.Fatalf("queue does not show k-multa taken by the specialist: %s", body)
	}
	// Now held: a second assignment is refused with who holds it; the
	// specialist works it as their own.
	status, body = assign(sup, "k-multa", `{"assignee_id":"u-specialista"}`)
	wantError(t, status, body, http.StatusConflict, sportello.ECONFLICT, "already taken by Specialista Multe")
	status, body = e.act(t, spec, "k-multa", `{"kind":"answer_ready","note":"Multa annullata"}`)
	if status != http.StatusCreated || decodeCase(t, body).Status != sportello.StatusAnswerReady {
		t.Fatalf("answer ready by the assignee: %d %s", status, body)
	}

	// An admin may assign too, and the change is recorded with the role.
	status, body = assign(e.signIn(t, "admin"), "k-admin-waiting", `{"assignee_id":"u-specialista"}`)
	if status != http.StatusCreated || decodeCase(t, body).ClaimedByID != "u-specialista" {
		t.Fatalf("admin's assignment: %d %s", status, body)
	}
	if !server.Allowed(sportello.RoleAdmin, server.ActionAssignCase) || server.Allowed(sportello.RoleOperator, server.ActionAssignCase) {
		t.Fatal("policy of assigning")
	}
}
