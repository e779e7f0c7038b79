package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/mail/mailtest"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
	"github.com/sportello/sportello/sync/wire"
)

// dueEnv serves boardCity, with a specialist of the Multe desk, on SQLite
// with the clock at clk and the overdue ticker driven by ticks.
func dueEnv(t *testing.T, clk *storetest.Clock, ticks chan time.Time) *env {
	t.Helper()
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	db.Now = clk.Now
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	city := boardCity()
	city.Users = append(city.Users, demo.User{User: sportello.User{ID: "u-spec", Username: "specialista", Name: "Paola Galli", Role: sportello.RoleSpecialist}, Password: "demo"})
	if err := db.Seed(ctx, city); err != nil {
		t.Fatal(err)
	}
	if err := db.AddDeskMember(ctx, "u-spec", "desk-multe"); err != nil {
		t.Fatal(err)
	}
	srv := server.New(db, nil)
	srv.Now = clk.Now
	srv.Overdue = server.OverdueConfig{Ticks: ticks}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &env{db: db, srv: srv, url: srv.URL()}
}

// look makes the ticker look at the clock, and waits until it has: the
// ticker takes a second tick only once the first look is done.
func look(ticks chan time.Time, clk *storetest.Clock) {
	ticks <- clk.Now()
	ticks <- clk.Now()
}

// wantDue reads the next frame (skipping boards) and wants the callback
// with reason due pushed as due, alone.
func wantDue(t *testing.T, ws *websocket.Conn, reason string) *sportello.Callback {
	t.Helper()
	return wantDueMore(t, ws, reason, 0)
}

// wantDueMore reads the next frame and wants the callback with reason
// pushed as due first, with more others.
func wantDueMore(t *testing.T, ws *websocket.Conn, reason string, more int) *sportello.Callback {
	t.Helper()
	f := readFrame(t, ws)
	if f.Type != wire.FrameCallbackDue || f.Due == nil || f.Due.Reason != reason || f.DueMore != more {
		t.Fatalf("frame %+v (due %+v), want callback_due %q with %d more", f, f.Due, reason, more)
	}
	return f.Due
}

// wantNoDue pings and wants the pong as the next frame: nothing was
// pushed before it.
func wantNoDue(t *testing.T, ws *websocket.Conn) {
	t.Helper()
	if err := ws.WriteJSON(map[string]string{"type": "ping"}); err != nil {
		t.Fatal(err)
	}
	if f := readFrame(t, ws); f.Type != wire.FramePong {
		t.Fatalf("frame %+v, want nothing pushed before the pong", f)
	}
}

// attempt posts an attempt with an op id and returns the callback.
func (e *env) attempt(t *testing.T, token, id, opID string, o sportello.AttemptOutcome) (int, *sportello.Callback) {
	t.Helper()
	b, _ := json.Marshal(wire.CallbackAttemptRequest{ID: opID, Outcome: o})
	status, body := e.call(t, "POST", "/v1/callbacks/"+id+"/attempts", token, bytes.NewReader(b))
	var cb sportello.Callback
	json.Unmarshal(body, &cb)
	return status, &cb
}

// TestServer_CallbackDuePush: under an injected clock, the overdue ticker
// pushes a callback_due frame to the owner's WebSockets when a callback's
// window opens (the user's own to them alone, the pool's to every
// operator, a desk's to its members) and again when its next attempt
// comes after an unanswered one; never before, never twice; several due
// at one look are one frame per user, the first in the calling order
// with the count of the others.
func TestServer_CallbackDuePush(t *testing.T) {
	clk := &storetest.Clock{}
	start := time.Date(2026, 4, 27, 9, 0, 0, 0, rome)
	clk.Set(start)
	ticks := make(chan time.Time)
	e := dueEnv(t, clk, ticks)
	giulia, marco, spec, sup := e.signIn(t, "operatore"), e.signIn(t, "operatore2"), e.signIn(t, "specialista"), e.signIn(t, "supervisore")
	schedule := func(token, note, owner string, from time.Duration) string {
		k := e.wrapUp(t, token, sportello.WrapUp{CallID: "call-" + note, CallerNumber: "+393351112233", Outcome: sportello.OutcomeCallbackScheduled,
			Note: note, CallbackFrom: start.Add(from), CallbackTo: start.Add(from + time.Hour), CallbackOwner: owner})
		return k.Events[len(k.Events)-1].ID
	}
	mine := schedule(giulia, "mine", sportello.OwnerSelf, 10*time.Minute)
	schedule(marco, "pool", sportello.OwnerPool, 20*time.Minute)
	deskCB := schedule(marco, "desk", sportello.OwnerSelf, 30*time.Minute)
	b, _ := json.Marshal(wire.ReassignCallbackRequest{Owner: "desk:desk-multe"})
	if status, body := e.call(t, "POST", "/v1/callbacks/"+deskCB+"/owner", sup, bytes.NewReader(b)); status != http.StatusOK {
		t.Fatalf("reassign to the desk: %d %s", status, body)
	}
	head, _ := e.db.Head(context.Background())
	wsG, wsM, wsS := e.dialWS(t, giulia, head), e.dialWS(t, marco, head), e.dialWS(t, spec, head)
	for _, ws := range []*websocket.Conn{wsG, wsM, wsS} {
		if f := readFrame(t, ws); f.Type != wire.FrameHello {
			t.Fatalf("first frame %+v", f)
		}
	}

	// 9:05: nothing is due yet.
	clk.Set(start.Add(5 * time.Minute))
	look(ticks, clk)
	for _, ws := range []*websocket.Conn{wsG, wsM, wsS} {
		wantNoDue(t, ws)
	}
	// 9:11: Giulia's own window opened: pushed to her alone.
	clk.Set(start.Add(11 * time.Minute))
	look(ticks, clk)
	if cb := wantDue(t, wsG, "mine"); cb.ID != mine || cb.Owner != "u-a" || cb.CitizenName != "Luca Verdi" {
		t.Fatalf("pushed %+v", cb)
	}
	wantNoDue(t, wsG)
	wantNoDue(t, wsM)
	wantNoDue(t, wsS)

	// 9:12: no answer. The next attempt is due 15 minutes later (the
	// default spacing): the lists order it by then, behind the pool's.
	clk.Set(start.Add(12 * time.Minute))
	if status, cb := e.attempt(t, giulia, mine, "01950000-0000-7000-8000-0000000d0001", sportello.AttemptNoAnswer); status != http.StatusCreated || len(cb.Attempts) != 1 {
		t.Fatalf("attempt: %d %+v", status, cb)
	}
	for _, ws := range []*websocket.Conn{wsG, wsM, wsS} {
		if f := readFrame(t, ws); f.Type != wire.FrameChange || f.Change.Event.Kind != sportello.EventCallbackAttempt {
			t.Fatalf("frame %+v, want the attempt's change (every change to every desktop here)", f)
		}
	}
	cbs := e.callbacks(t, giulia)
	if got := callbackIDs(cbs); got != "pool,mine" {
		t.Fatalf("Giulia's list %q, want pool,mine (hers waits for its next attempt)", got)
	}
	if next := cbs[1].NextAt; !next.Equal(start.Add(27 * time.Minute)) {
		t.Fatalf("next attempt %v, want 9:27", next.In(rome))
	}
	if cbs[1].Due(start.Add(25*time.Minute)) || !cbs[1].Due(start.Add(27*time.Minute)) {
		t.Fatalf("due at 9:25 %v, at 9:27 %v: want not before the next attempt", cbs[1].Due(start.Add(25*time.Minute)), cbs[1].Due(start.Add(27*time.Minute)))
	}

	// 9:21: the pool's window: every operator, not the specialist.
	clk.Set(start.Add(21 * time.Minute))
	look(ticks, clk)
	wantDue(t, wsG, "pool")
	wantDue(t, wsM, "pool")
	wantNoDue(t, wsS)
	wantNoDue(t, wsG)

	// 9:31: the desk's window to its member; Giulia's next attempt to her.
	clk.Set(start.Add(31 * time.Minute))
	look(ticks, clk)
	wantDue(t, wsS, "desk")
	if cb := wantDue(t, wsG, "mine"); !cb.NextAt.Equal(start.Add(27 * time.Minute)) {
		t.Fatalf("pushed again with next attempt %v, want 9:27", cb.NextAt)
	}
	wantNoDue(t, wsM)
	wantNoDue(t, wsG)
	wantNoDue(t, wsS)

	// Later looks push nothing again.
	clk.Set(start.Add(40 * time.Minute))
	look(ticks, clk)
	for _, ws := range []*websocket.Conn{wsG, wsM, wsS} {
		wantNoDue(t, ws)
	}

	// 9:51: the pool's and two of Marco's open together (same window, so
	// in the order they were made): Marco gets one frame, the pool's first
	// and two more; Giulia the pool's alone; the specialist nothing.
	schedule(marco, "pool2", sportello.OwnerPool, 50*time.Minute)
	schedule(marco, "marco1", sportello.OwnerSelf, 50*time.Minute)
	schedule(marco, "marco2", sportello.OwnerSelf, 50*time.Minute)
	for _, ws := range []*websocket.Conn{wsG, wsM, wsS} { // the wrap-ups' changes, up to a pong
		if err := ws.WriteJSON(map[string]string{"type": "ping"}); err != nil {
			t.Fatal(err)
		}
		for f := readFrame(t, ws); f.Type != wire.FramePong; f = readFrame(t, ws) {
			if f.Type != wire.FrameChange {
				t.Fatalf("frame %+v, want the wrap-ups' changes", f)
			}
		}
	}
	clk.Set(start.Add(51 * time.Minute))
	look(ticks, clk)
	wantDueMore(t, wsM, "pool2", 2)
	wantDue(t, wsG, "pool2")
	for _, ws := range []*websocket.Conn{wsG, wsM, wsS} {
		wantNoDue(t, ws)
	}
}

// TestServer_CallbackAttemptOpID: the same attempt sent twice (one op id)
// is recorded once: one attempt on the callback, one event and one change
// on the case; a bad op id is 400.
func TestServer_CallbackAttemptOpID(t *testing.T) {
	clk := &storetest.Clock{}
	start := time.Date(2026, 4, 27, 9, 0, 0, 0, rome)
	clk.Set(start)
	e := dueEnv(t, clk, make(chan time.Time))
	giulia := e.signIn(t, "operatore")
	k := e.wrapUp(t, giulia, sportello.WrapUp{CallID: "call-op", CallerNumber: "+393351112233", Outcome: sportello.OutcomeCallbackScheduled,
		CallbackFrom: start, CallbackTo: start.Add(time.Hour)})
	id := k.Events[len(k.Events)-1].ID
	const op = "01950000-0000-7000-8000-0000000d00a1"
	ctx := context.Background()
	head, _ := e.db.Head(ctx)
	for i := range 2 {
		status, cb := e.attempt(t, giulia, id, op, sportello.AttemptBusy)
		if status != http.StatusCreated || len(cb.Attempts) != 1 || cb.Attempts[0].ID != op || cb.State != sportello.CallbackScheduled {
			t.Fatalf("send %d: %d %+v", i+1, status, cb)
		}
	}
	if h, _ := e.db.Head(ctx); h != head+1 {
		t.Fatalf("head %d after two sends, want %d", h, head+1)
	}
	c, err := e.db.Case(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range c.Events {
		if ev.Kind == sportello.EventCallbackAttempt {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d attempt events, want 1", n)
	}
	if status, _ := e.attempt(t, giulia, id, "op-1", sportello.AttemptBusy); status != http.StatusBadRequest {
		t.Fatalf("a bad op id: %d, want 400", status)
	}
}

// TestServer_ReplyInCitizenLanguage: a citizen whose record says English
// (edited through PUT /v1/citizens/{id}) gets the English template from a
// real SMTP server (aiosmtpd) when the reply names no language; a reply
// that names Italian still goes in Italian.
func TestServer_ReplyInCitizenLanguage(t *testing.T) {
	smtp := mailtest.Start(t)
	e := newReplyEnv(t, smtp.SMTP("Comune di Milano <sportello@comune.milano.it>"))
	op, spec := e.signIn(t, "operatore"), e.signIn(t, "specialista")
	edited := sforza
	edited.Language = sportello.LangEnglish
	b, _ := json.Marshal(edited)
	status, body := e.call(t, "PUT", "/v1/citizens/c-sforza?reason=call-lang", op, bytes.NewReader(b))
	var saved sportello.Citizen
	if status != http.StatusOK || json.Unmarshal(body, &saved) != nil || saved.Language != sportello.LangEnglish {
		t.Fatalf("edit to English: %d %s", status, body)
	}
	k := claimedTARI(t, e, op, spec)
	ref := sportello.CaseReference(k.ID)

	status, body = e.reply(t, spec, k.ID, sportello.ReplyRequest{Channel: sportello.ReplyEmail, Text: "Your refund of 120 € is granted."})
	if status != http.StatusCreated {
		t.Fatalf("reply: %d %s", status, body)
	}
	res := decodeReply(t, body)
	m := smtp.Wait(t, 1, 5*time.Second)[0]
	if want := "Reply to your request " + ref + ": Rimborso TARI versata due volte"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	if !strings.Contains(m.Text, "Dear Niccolò Sforza,") || strings.Contains(m.Text, "Gentile") {
		t.Errorf("want the English template:\n%s", m.Text)
	}
	if res.Event.Category != sportello.LangEnglish {
		t.Errorf("the event's language %q, want en", res.Event.Category)
	}

	status, body = e.reply(t, spec, k.ID, sportello.ReplyRequest{Channel: sportello.ReplyEmail, Language: sportello.LangItalian, Text: "Il rimborso è accolto."})
	if status != http.StatusCreated {
		t.Fatalf("reply in Italian: %d %s", status, body)
	}
	italian := 0
	for _, m := range smtp.Wait(t, 2, 5*time.Second) {
		if strings.HasPrefix(m.Subject, "Risposta alla sua richiesta "+ref) && strings.Contains(m.Text, "Gentile Niccolò Sforza,") {
			italian++
		}
	}
	if italian != 1 {
		t.Errorf("%d Italian emails, want the one reply that names Italian", italian)
	}
}
