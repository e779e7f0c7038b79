package server_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/mail"
	"github.com/sportello/sportello/sync/mail/mailtest"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
)

// sforza is a citizen with an email address and a postal address.
var sforza = sportello.Citizen{ID: "c-sforza", Kind: sportello.CitizenPerson, Name: "Niccolò Sforza",
	Phones: []string{"+393471234567"}, Email: "niccolo.sforza@example.it", Address: "Corso di Porta Romana 3, 20122 Milano MI"}

// newReplyEnv serves the city (plus sforza) with sender as its mail relay.
func newReplyEnv(t *testing.T, sender mail.Sender) *env {
	t.Helper()
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	d := *city
	d.Citizens = append(slices.Clone(city.Citizens), sforza)
	if err := db.Seed(ctx, &d); err != nil {
		t.Fatal(err)
	}
	for username, desk := range map[string]string{"specialista": "Multe", "specialista2": "desk-tributi", "collega": "Multe"} {
		u := &sportello.User{ID: "u-" + username, Username: username, Name: "Specialista " + desk, Role: sportello.RoleSpecialist}
		if err := db.CreateUserInDesks(ctx, u, "password-lunga", []string{desk}); err != nil {
			t.Fatal(err)
		}
	}
	srv := server.New(db, nil)
	srv.FilterChanges = true
	srv.Mail = sender
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &env{db: db, srv: srv, url: srv.URL()}
}

// claimedTARI has operatore escalate Niccolò Sforza's call to Multe and
// specialista claim it.
func claimedTARI(t *testing.T, e *env, op, spec string) *sportello.Case {
	t.Helper()
	k := e.wrapUp(t, op, sportello.WrapUp{CallID: "call-tari", CallerNumber: "+393471234567", CitizenID: "c-sforza",
		Outcome: sportello.OutcomeEscalated, DeskID: "desk-multe", Note: "Rimborso TARI versata due volte"})
	if status, body := e.act(t, spec, k.ID, `{"kind":"claimed"}`); status != http.StatusCreated {
		t.Fatalf("claim: %d %s", status, body)
	}
	return k
}

func (e *env) reply(t *testing.T, token, caseID string, req sportello.ReplyRequest) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(req)
	return e.call(t, "POST", "/v1/cases/"+caseID+"/replies", token, strings.NewReader(string(b)))
}

func decodeReply(t *testing.T, body []byte) *sportello.ReplyResult {
	t.Helper()
	var r sportello.ReplyResult
	if err := json.Unmarshal(body, &r); err != nil || r.Case == nil || r.Event == nil {
		t.Fatalf("%s: %v", body, err)
	}
	return &r
}

// TestServer_ReplyByEmail: the holder replies by email through a real
// SMTP server (aiosmtpd); the citizen's address gets the template with
// reference, subject, answer and signature; the text sent is on the case
// as a replied event, pushed, and the case can then be resolved. A bad
// address, a colleague, or a repeat send nothing.
func TestServer_ReplyByEmail(t *testing.T) {
	smtp := mailtest.Start(t)
	e := newReplyEnv(t, smtp.SMTP("Comune di Milano <sportello@comune.milano.it>"))
	op, spec, col := e.signIn(t, "operatore"), e.signIn(t, "specialista"), e.signIn(t, "collega")
	k := claimedTARI(t, e, op, spec)
	ctx := context.Background()
	ref := sportello.CaseReference(k.ID)

	head, _ := e.db.Head(ctx)
	status, body := e.reply(t, col, k.ID, sportello.ReplyRequest{Channel: sportello.ReplyEmail, Text: "Rubo la pratica"})
	wantError(t, status, body, http.StatusConflict, sportello.ECONFLICT, "only they can reply")
	status, body = e.reply(t, spec, k.ID, sportello.ReplyRequest{Channel: sportello.ReplyEmail, Text: "x", To: "non-un-indirizzo"})
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "is not an email address")
	status, body = e.reply(t, spec, k.ID, sportello.ReplyRequest{Channel: sportello.ReplyEmail, Text: "x", Language: "fr"})
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "it or en")
	status, body = e.reply(t, spec, k.ID, sportello.ReplyRequest{Channel: sportello.ReplyEmail, Text: "   "})
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "write the reply")
	if n := len(smtp.Messages(t)); n != 0 {
		t.Fatalf("%d messages sent by refused replies", n)
	}
	if h, _ := e.db.Head(ctx); h != head {
		t.Fatal("a refused reply wrote changes")
	}

	ws := e.dialWS(t, op, head)
	readFrame(t, ws)
	const id = "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7aee"
	req := sportello.ReplyRequest{ID: id, Channel: sportello.ReplyEmail, Text: "Il rimborso di 120 € è accolto: arriverà entro trenta giorni."}
	status, body = e.reply(t, spec, k.ID, req)
	if status != http.StatusCreated {
		t.Fatalf("reply: %d %s", status, body)
	}
	res := decodeReply(t, body)
	msgs := smtp.Wait(t, 1, 5*time.Second)
	m := msgs[0]
	if len(m.RcptTo) != 1 || m.RcptTo[0] != "niccolo.sforza@example.it" {
		t.Errorf("sent to %q, want the citizen's address", m.RcptTo)
	}
	if want := "Risposta alla sua richiesta " + ref + ": Rimborso TARI versata due volte"; m.Subject != want || res.Subject != want {
		t.Errorf("subject %q (answered %q), want %q", m.Subject, res.Subject, want)
	}
	for _, want := range []string{"Gentile Niccolò Sforza,", "richiesta " + ref, "Il rimborso di 120 € è accolto", "Specialista Multe\n" + server.DefaultReplyConfig.Signature} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the email lacks %q:\n%s", want, m.Text)
		}
	}
	ev := res.Event
	if ev.Kind != sportello.EventReplied || ev.Outcome != sportello.Outcome(sportello.ReplyEmail) || ev.Number != "niccolo.sforza@example.it" ||
		ev.AuthorID != "u-specialista" || ev.ID != id || strings.TrimSpace(ev.Note) != strings.TrimSpace(m.Text) {
		t.Fatalf("replied event %+v\nwant the text sent:\n%s", ev, m.Text)
	}
	stored, err := e.db.Case(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := stored.Events[len(stored.Events)-1]; last.ID != id || last.Note != ev.Note || stored.Status != sportello.StatusClaimed {
		t.Fatalf("stored case %+v, last event %+v", stored, last)
	}
	// The operator who escalated sees the reply pushed.
	if ch := wantChange(t, ws, head+1); ch.Event == nil || ch.Event.Kind != sportello.EventReplied || ch.Event.Outcome != sportello.Outcome(sportello.ReplyEmail) {
		t.Fatalf("pushed %+v", ch)
	}

	// A resend of the same reply (an outbox retry) sends nothing again.
	status, body = e.reply(t, spec, k.ID, req)
	if status != http.StatusOK || decodeReply(t, body).Event.ID != id {
		t.Fatalf("resend: %d %s", status, body)
	}
	// A typed address, in English.
	status, body = e.reply(t, spec, k.ID, sportello.ReplyRequest{Channel: sportello.ReplyEmail, To: "studio.legale@example.org", Language: sportello.LangEnglish, Text: "The refund is granted."})
	if status != http.StatusCreated {
		t.Fatalf("reply to a typed address: %d %s", status, body)
	}
	msgs = smtp.Wait(t, 2, 5*time.Second)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2: the resend was sent again", len(msgs))
	}
	if m := msgs[1]; m.RcptTo[0] != "studio.legale@example.org" || !strings.HasPrefix(m.Subject, "Reply to your request "+ref) || !strings.Contains(m.Text, "Dear Niccolò Sforza,") {
		t.Fatalf("English reply: %+v", m)
	}

	status, body = e.act(t, spec, k.ID, `{"kind":"resolved"}`)
	if status != http.StatusCreated || decodeCase(t, body).Status != sportello.StatusResolved {
		t.Fatalf("resolve after the reply: %d %s", status, body)
	}
	status, body = e.reply(t, spec, k.ID, sportello.ReplyRequest{Channel: sportello.ReplyEmail, Text: "ancora"})
	wantError(t, status, body, http.StatusConflict, sportello.ECONFLICT, "claim the case")
	if n := len(smtp.Messages(t)); n != 2 {
		t.Fatalf("%d messages: a reply on a resolved case was sent", n)
	}
}

// TestServer_ReplyRelayDown: a relay that does not answer, or none
// configured, is a clear error and nothing is stored as sent.
func TestServer_ReplyRelayDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	for _, tc := range []struct {
		name   string
		sender mail.Sender
		msg    string
	}{
		{"Down", &mail.SMTP{Host: "127.0.0.1", Port: port, TLS: mail.TLSNone, From: "sportello@comune.milano.it", Timeout: 2 * time.Second}, "did not accept"},
		{"None", nil, "no mail relay configured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newReplyEnv(t, tc.sender)
			op, spec := e.signIn(t, "operatore"), e.signIn(t, "specialista")
			k := claimedTARI(t, e, op, spec)
			head, _ := e.db.Head(context.Background())
			status, body := e.reply(t, spec, k.ID, sportello.ReplyRequest{Channel: sportello.ReplyEmail, Text: "Il rimborso è accolto."})
			wantError(t, status, body, http.StatusServiceUnavailable, sportello.EUNAVAILABLE, tc.msg)
			if h, _ := e.db.Head(context.Background()); h != head {
				t.Fatal("a reply the relay did not take wrote changes")
			}
			stored, _ := e.db.Case(context.Background(), k.ID)
			for _, ev := range stored.Events {
				if ev.Kind == sportello.EventReplied {
					t.Fatalf("a reply not sent is on the case: %+v", ev)
				}
			}
		})
	}
}

// TestServer_ReplyLetter: a letter reply is recorded, and its PDF shows,
// through pdftotext, the citizen's name and address, the reference, the
// date in Europe/Rome and the accented text.
func TestServer_ReplyLetter(t *testing.T) {
	e := newReplyEnv(t, nil)
	op, spec, sup := e.signIn(t, "operatore"), e.signIn(t, "specialista"), e.signIn(t, "supervisore")
	k := claimedTARI(t, e, op, spec)
	status, body := e.reply(t, spec, k.ID, sportello.ReplyRequest{Channel: sportello.ReplyLetter, Text: "La sua richiesta è stata accolta: il rimborso di 120 € arriverà presto.\n\nPerché? L'importo era già stato versato."})
	if status != http.StatusCreated {
		t.Fatalf("letter: %d %s", status, body)
	}
	ev := decodeReply(t, body).Event
	if ev.Outcome != sportello.Outcome(sportello.ReplyLetter) || ev.Number != sforza.Address || ev.Category != sportello.LangItalian {
		t.Fatalf("letter event %+v", ev)
	}
	for _, token := range []string{spec, sup} {
		req, _ := http.NewRequest("GET", e.url+"/v1/cases/"+k.ID+"/letter.pdf?reply="+ev.ID, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		pdf := make([]byte, 0, 1<<16)
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			pdf = append(pdf, buf[:n]...)
			if err != nil {
				break
			}
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("letter.pdf: %d %s", resp.StatusCode, pdf)
		}
		text := pdfText(t, pdf)
		rome, _ := time.LoadLocation("Europe/Rome")
		day := ev.At.In(rome)
		months := []string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"}
		date := strings.Join([]string{itoa(int64(day.Day())), months[day.Month()-1], itoa(int64(day.Year()))}, " ")
		for _, want := range []string{"Niccolò Sforza", "Corso di Porta Romana 3", "20122 Milano MI", sportello.CaseReference(k.ID),
			"Rimborso TARI versata due volte", "è stata accolta", "120 €", "Perché", "L'importo", date, "Specialista Multe", "Comune di Milano"} {
			if !strings.Contains(text, want) {
				t.Errorf("the letter lacks %q:\n%s", want, text)
			}
		}
	}
	status, body = e.call(t, "GET", "/v1/cases/"+k.ID+"/letter.pdf?reply=01932c07-a6b4-7c3e-9f2a-5b1d0e4c7aee", spec, nil)
	wantError(t, status, body, http.StatusNotFound, sportello.ENOTFOUND, "no letter reply")
	status, body = e.call(t, "GET", "/v1/cases/"+k.ID+"/letter.pdf", e.signIn(t, "specialista2"), nil)
	wantError(t, status, body, http.StatusForbidden, sportello.EFORBIDDEN, "not at one of your desks")
}

// pdfText runs pdftotext on a PDF; without it the test is skipped, or
// fails under SPORTELLO_REQUIRE_REAL=1.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("SPORTELLO_REQUIRE_REAL") == "1" {
			t.Fatalf("pdftotext is not installed (poppler-utils): %v", err)
		}
		t.Skipf("pdftotext is not installed: %v", err)
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestServer_AnswerReadyCallback: "answer ready" creates a callback to
// give the citizen the answer by phone: for the operator who took the
// call when they are on shift, for the pool when they are offline.
func TestServer_AnswerReadyCallback(t *testing.T) {
	for _, tc := range []struct {
		name     string
		presence string // operatore's reported state, "" for none
		owner    string
	}{
		{"OperatorOnShift", `{"state":"available"}`, "u-a"},
		{"OperatorOnBreak", `{"state":"break","reason":"pausa"}`, "u-a"},
		{"OperatorSignedOut", "", sportello.OwnerPool},
		{"OperatorOffline", `{"state":"offline"}`, sportello.OwnerPool},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newReplyEnv(t, nil)
			op, op2, spec := e.signIn(t, "operatore"), e.signIn(t, "operatore2"), e.signIn(t, "specialista")
			k := claimedTARI(t, e, op, spec)
			if tc.presence != "" {
				e.presence(t, op, tc.presence)
			}
			status, body := e.act(t, spec, k.ID, `{"kind":"answer_ready","note":"Rimborso accolto"}`)
			if status != http.StatusCreated {
				t.Fatalf("answer ready: %d %s", status, body)
			}
			got := decodeCase(t, body)
			last := got.Events[len(got.Events)-1]
			if got.Status != sportello.StatusAnswerReady || last.Kind != sportello.EventCallbackScheduled || last.Number != "+393471234567" {
				t.Fatalf("case after answer ready: %s, last event %+v", got.Status, last)
			}
			var found *sportello.Callback
			for _, cb := range e.callbacks(t, e.signIn(t, "supervisore")) {
				if cb.CaseID == k.ID {
					found = cb
				}
			}
			if found == nil || found.Owner != tc.owner || found.Number != "+393471234567" || found.ID != last.ID ||
				found.Reason != "Rimborso TARI versata due volte" || found.To.Sub(found.From) != server.DefaultAnswerCallbackWindow {
				t.Fatalf("callback %+v, want one for %s", found, tc.owner)
			}
			// Who sees it: the owner, and (for the pool) every operator.
			seen := func(token string) bool {
				return slices.ContainsFunc(e.callbacks(t, token), func(cb *sportello.Callback) bool { return cb.ID == found.ID })
			}
			if !seen(op) || seen(op2) != (tc.owner == sportello.OwnerPool) {
				t.Fatalf("operatore sees it %v, operatore2 %v; owner %s", seen(op), seen(op2), tc.owner)
			}
		})
	}
}
