package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/wire"
)

// TestServer_Citizens registers, edits and merges citizens over HTTP with
// the feed filtered: the author's WebSocket gets the change live, another
// operator's and a supervisor's get a hidden placeholder (a supervisor's
// feed is its own working set, policy.go); a tax
// code already registered is 409 naming the record; a resend is 200 with
// Idempotent-Replayed; a merge makes the duplicate's number find the
// survivor.
func TestServer_Citizens(t *testing.T) {
	e := newCityEnv(t)
	op, op2, sup := e.signIn(t, "operatore"), e.signIn(t, "operatore2"), e.signIn(t, "supervisore")
	wsOp, wsOp2, wsSup := e.dialWS(t, op, 0), e.dialWS(t, op2, 0), e.dialWS(t, sup, 0)
	for _, f := range []wire.ServerFrame{readFrame(t, wsOp), readFrame(t, wsOp2), readFrame(t, wsSup)} {
		if f.Type != wire.FrameHello {
			t.Fatalf("first frame %+v", f)
		}
	}
	head := e.feedHead(t)

	body := `{"id":"01950000-0000-7000-8000-00000000c0de","kind":"person","name":"Giulia Bianchi","tax_code":"BNCGLI90E55F205D","phones":["333 765 4321"]}`
	status, resp := e.call(t, "POST", "/v1/citizens?reason=call-1", op, strings.NewReader(body))
	if status != http.StatusCreated {
		t.Fatalf("register: %d %s", status, resp)
	}
	var c sportello.Citizen
	json.Unmarshal(resp, &c)
	if c.ID != "01950000-0000-7000-8000-00000000c0de" || len(c.Phones) != 1 || c.Phones[0] != "+393337654321" {
		t.Fatalf("registered %+v", c)
	}
	if ch := wantChange(t, wsOp, head+1); ch.Kind != sportello.ChangeKindCitizen || ch.CitizenID != c.ID {
		t.Fatalf("author's change %+v", ch)
	}
	if ch := wantChange(t, wsSup, head+1); ch.Kind != wire.ChangeKindHidden {
		t.Fatalf("a supervisor sees %+v", ch)
	}
	if ch := wantChange(t, wsOp2, head+1); ch.Kind != wire.ChangeKindHidden {
		t.Fatalf("another operator sees %+v", ch)
	}

	// A resend: 200 and the replay header, no change.
	req, _ := http.NewRequest("POST", e.url+"/v1/citizens?reason=call-1", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+op)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusOK || r.Header.Get(server.HeaderReplayed) != "true" || e.feedHead(t) != head+1 {
		t.Fatalf("resend: %d %q head %d", r.StatusCode, r.Header.Get(server.HeaderReplayed), e.feedHead(t))
	}

	// The same tax code for another record: 409 naming the existing one.
	status, resp = e.call(t, "POST", "/v1/citizens", op2, strings.NewReader(`{"kind":"person","name":"G. Bianchi","tax_code":"bncgli90e55f205d"}`))
	wantError(t, status, resp, http.StatusConflict, sportello.ECONFLICT, "already registered for Giulia Bianchi (id "+c.ID+")")
	status, resp = e.call(t, "POST", "/v1/citizens", op2, strings.NewReader(`{"kind":"person","name":"G. Bianchi","tax_code":"BNCGLI90E55F205X"}`))
	wantError(t, status, resp, http.StatusBadRequest, sportello.EINVALID, "tax_code: the check character should be D")

	// An edit by the author: a number added.
	status, resp = e.call(t, "PUT", "/v1/citizens/"+c.ID, op, strings.NewReader(`{"kind":"person","name":"Giulia Bianchi","tax_code":"BNCGLI90E55F205D","phones":["+393337654321","02 8845 0000"]}`))
	if status != http.StatusOK {
		t.Fatalf("edit: %d %s", status, resp)
	}
	wantChange(t, wsOp, head+2)

	// A supervisor merges c-verdi (a duplicate) into the new record.
	status, resp = e.call(t, "POST", "/v1/citizens/"+c.ID+"/merge", sup, strings.NewReader(`{"duplicate_id":"c-verdi","reason":"stessa persona"}`))
	if status != http.StatusOK {
		t.Fatalf("merge: %d %s", status, resp)
	}
	json.Unmarshal(resp, &c)
	if len(c.Phones) != 3 || c.Phones[2] != "+393351112233" {
		t.Fatalf("survivor %+v", c)
	}
	status, resp = e.call(t, "GET", "/v1/callers/+393351112233?reason=call-2", op2, nil)
	var card sportello.CallerCard
	json.Unmarshal(resp, &card)
	if status != http.StatusOK || card.Citizen == nil || card.Citizen.ID != c.ID {
		t.Fatalf("lookup of the duplicate's number: %d %s", status, resp)
	}
	status, resp = e.call(t, "GET", "/v1/citizens?q=bianchi&reason=verifica", sup, nil)
	var found wire.CitizensResponse
	json.Unmarshal(resp, &found)
	if status != http.StatusOK || len(found.Citizens) != 1 || found.Citizens[0].ID != c.ID {
		t.Fatalf("search: %d %s", status, resp)
	}
	status, resp = e.call(t, "GET", "/v1/audit?citizen_id="+c.ID, sup, nil)
	if status != http.StatusOK || !strings.Contains(string(resp), "merged the citizen c-verdi into this record: stessa persona") {
		t.Fatalf("audit: %d %s", status, resp)
	}
}

func (e *env) feedHead(t *testing.T) int64 {
	t.Helper()
	h, err := e.db.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return h
}
