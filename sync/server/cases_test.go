package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/wire"
)

// act posts one action on a case and returns the status and body.
func (e *env) act(t *testing.T, token, caseID, body string) (int, []byte) {
	t.Helper()
	return e.call(t, "POST", "/v1/cases/"+caseID+"/events", token, strings.NewReader(body))
}

func decodeCase(t *testing.T, body []byte) *sportello.Case {
	t.Helper()
	var k sportello.Case
	if err := json.Unmarshal(body, &k); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return &k
}

func TestServer_Desks(t *testing.T) {
	e := newCityEnv(t)
	status, body := e.call(t, "GET", "/v1/desks", e.signIn(t, "specialista"), nil)
	var resp wire.DesksResponse
	if err := json.Unmarshal(body, &resp); err != nil || status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	if len(resp.Desks) != 2 || resp.Desks[0].ID != "desk-multe" || !resp.Desks[0].Member || resp.Desks[1].Member {
		t.Fatalf("desks = %+v, want Multe (member) and Tributi", resp.Desks)
	}
}

// TestServer_EscalationLoop: an operator escalates a call to a desk at
// wrap-up with a hand-off note; the desk's specialist has it pushed and
// in the queue, claims it (a colleague's second claim is told who has
// it), marks the answer ready; the operator who escalated sees it all.
func TestServer_EscalationLoop(t *testing.T) {
	e := newCityEnv(t)
	op, spec, sup := e.signIn(t, "operatore"), e.signIn(t, "specialista"), e.signIn(t, "supervisore")
	ctx := context.Background()
	colleague := &sportello.User{ID: "u-collega", Username: "collega", Name: "Sara Conti", Role: sportello.RoleSpecialist}
	if err := e.db.CreateUserInDesks(ctx, colleague, "password-lunga", []string{"desk-multe"}); err != nil {
		t.Fatal(err)
	}
	col := e.signIn(t, "collega")
	head, _ := e.db.Head(ctx)
	specWS, opWS := e.dialWS(t, spec, head), e.dialWS(t, op, head)
	readFrame(t, specWS)
	readFrame(t, opWS)

	// Without a desk, nothing is written.
	b := `{"call_id":"call-7","caller_number":"+390212345678","outcome":"escalated","note":"Ricorso"}`
	status, body := e.call(t, "POST", "/v1/wrapups", op, strings.NewReader(b))
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "choose the desk")
	b = `{"call_id":"call-7","caller_number":"+390212345678","outcome":"escalated","desk_id":"desk-nowhere","note":"Ricorso"}`
	status, body = e.call(t, "POST", "/v1/wrapups", op, strings.NewReader(b))
	wantError(t, status, body, http.StatusNotFound, sportello.ENOTFOUND, "no desk")
	if h, _ := e.db.Head(ctx); h != head {
		t.Fatal("a refused escalation wrote changes")
	}

	k := e.wrapUp(t, op, sportello.WrapUp{CallID: "call-7", CallerNumber: "+390212345678", Outcome: sportello.OutcomeEscalated,
		DeskID: "desk-multe", Note: "Ricorso contro la multa del 3 marzo: il cittadino ha la ricevuta"})
	if k.Status != sportello.StatusEscalated || k.DeskID != "desk-multe" || k.EscalatedAt.IsZero() {
		t.Fatalf("escalated case = %+v", k)
	}
	// The specialist's feed pushes the three events (opened, call, wrap-up).
	for i := range 3 {
		ch := wantChange(t, specWS, head+int64(i)+1)
		if ch.Kind == wire.ChangeKindHidden || ch.DeskID != "desk-multe" {
			t.Fatalf("specialist got %+v", ch)
		}
		wantChange(t, opWS, head+int64(i)+1)
	}
	status, body = e.call(t, "GET", "/v1/queue", spec, nil)
	var q wire.QueueResponse
	json.Unmarshal(body, &q)
	if status != http.StatusOK || len(q.Cases) == 0 || q.Cases[len(q.Cases)-1].ID != k.ID {
		t.Fatalf("queue: %d %s", status, body)
	}
	if got := q.Cases[len(q.Cases)-1]; got.CitizenName != "Maria Rossi" || got.Events[len(got.Events)-1].Note != "Ricorso contro la multa del 3 marzo: il cittadino ha la ricevuta" {
		t.Fatalf("queue entry = %+v", got)
	}

	// Claim: the server sets author and time; a client cannot.
	status, body = e.act(t, spec, k.ID, `{"kind":"claimed","author":"Qualcun altro"}`)
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "unknown field")
	status, body = e.act(t, spec, k.ID, `{"kind":"claimed"}`)
	if status != http.StatusCreated {
		t.Fatalf("claim: %d %s", status, body)
	}
	claimed := decodeCase(t, body)
	last := claimed.Events[len(claimed.Events)-1]
	if claimed.Status != sportello.StatusClaimed || claimed.ClaimedBy != "Specialista Multe" || last.AuthorID != "u-specialista" || last.At.IsZero() {
		t.Fatalf("claimed = %+v, last event %+v", claimed, last)
	}
	if ch := wantChange(t, opWS, head+4); ch.Event.Kind != sportello.EventClaimed {
		t.Fatalf("the operator was not told of the claim: %+v", ch)
	}
	wantChange(t, specWS, head+4)

	status, body = e.act(t, col, k.ID, `{"kind":"claimed"}`)
	wantError(t, status, body, http.StatusConflict, sportello.ECONFLICT, "the case is already taken by Specialista Multe")
	status, body = e.act(t, col, k.ID, `{"kind":"released"}`)
	wantError(t, status, body, http.StatusConflict, sportello.ECONFLICT, "only they or a supervisor")
	status, body = e.act(t, op, k.ID, `{"kind":"note","note":"Il cittadino ha richiamato"}`)
	if status != http.StatusCreated {
		t.Fatalf("operator's note: %d %s", status, body)
	}
	status, body = e.act(t, spec, k.ID, `{"kind":"answer_ready","note":"Ricorso accolto"}`)
	if status != http.StatusCreated || decodeCase(t, body).Status != sportello.StatusAnswerReady {
		t.Fatalf("answer ready: %d %s", status, body)
	}
	wantChange(t, opWS, head+5)
	if ch := wantChange(t, opWS, head+6); ch.Event.Kind != sportello.EventAnswerReady || ch.Event.Note != "Ricorso accolto" {
		t.Fatalf("answer ready pushed as %+v", ch.Event)
	}

	// The supervisor reassigns another waiting case to Tributi: it leaves
	// Multe's queue for Tributi's.
	status, body = e.act(t, sup, "k-multa", `{"kind":"escalated","desk_id":"desk-tributi","note":"È un tributo"}`)
	if status != http.StatusCreated {
		t.Fatalf("reassign: %d %s", status, body)
	}
	status, body = e.call(t, "GET", "/v1/queue", e.signIn(t, "specialista2"), nil)
	if !strings.Contains(string(body), `"id":"k-multa"`) {
		t.Fatalf("Tributi's queue: %d %s", status, body)
	}
}

func TestServer_CaseEvent_Idempotent(t *testing.T) {
	e := newCityEnv(t)
	spec := e.signIn(t, "specialista")
	const body = `{"id":"01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a77","kind":"claimed"}`
	status, first := e.act(t, spec, "k-multa", body)
	if status != http.StatusCreated {
		t.Fatalf("%d %s", status, first)
	}
	head, _ := e.db.Head(context.Background())
	req, _ := http.NewRequest("POST", e.url+"/v1/cases/k-multa/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+spec)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get(server.HeaderReplayed) != "true" {
		t.Fatalf("repeat: %d, replayed %q", resp.StatusCode, resp.Header.Get(server.HeaderReplayed))
	}
	if h, _ := e.db.Head(context.Background()); h != head {
		t.Fatal("a repeat wrote a change")
	}
	status, b := e.act(t, spec, "k-multa", `{"id":"01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a77","kind":"note","note":"altro"}`)
	wantError(t, status, b, http.StatusConflict, sportello.ECONFLICT, "already used")
}

// TestServer_CaseEvent_ConcurrentClaims: specialists of one desk claim one
// case over HTTP at the same moment: exactly one 201, the others 409
// naming the winner.
func TestServer_CaseEvent_ConcurrentClaims(t *testing.T) {
	e := newCityEnv(t)
	ctx := context.Background()
	names := map[string]string{"specialista": "Specialista Multe"}
	for _, u := range []string{"multe1", "multe2", "multe3", "multe4", "multe5"} {
		names[u] = "Specialista " + u
		if err := e.db.CreateUserInDesks(ctx, &sportello.User{Username: u, Name: names[u], Role: sportello.RoleSpecialist}, "password-lunga", []string{"desk-multe"}); err != nil {
			t.Fatal(err)
		}
	}
	tokens := map[string]string{}
	for u := range names {
		tokens[u] = e.signIn(t, u)
	}
	type result struct {
		user   string
		status int
		body   []byte
	}
	results := make(chan result, len(tokens))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for u, token := range tokens {
		wg.Go(func() {
			<-start
			status, body := e.act(t, token, "k-multa", `{"kind":"claimed"}`)
			results <- result{u, status, body}
		})
	}
	close(start)
	wg.Wait()
	close(results)
	winner := ""
	var losers []result
	for r := range results {
		switch r.status {
		case http.StatusCreated:
			if winner != "" {
				t.Fatalf("%s and %s both claimed the case", winner, r.user)
			}
			winner = r.user
		default:
			losers = append(losers, r)
		}
	}
	if winner == "" {
		t.Fatal("nobody claimed the case")
	}
	for _, r := range losers {
		wantError(t, r.status, r.body, http.StatusConflict, sportello.ECONFLICT, "the case is already taken by "+names[winner])
	}
}
