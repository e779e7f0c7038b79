package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/wire"
)

// fixture is a small city: two operators and two citizens.
var fixture = &demo.Data{
	Users: []demo.User{
		{User: sportello.User{ID: "u-a", Username: "operatore", Name: "Giulia Bianchi", Role: sportello.RoleOperator}, Password: "demo"},
		{User: sportello.User{ID: "u-b", Username: "operatore2", Name: "Marco Ferri", Role: sportello.RoleOperator}, Password: "demo"},
	},
	Citizens: []sportello.Citizen{
		{ID: "c-rossi", Kind: sportello.CitizenPerson, Name: "Maria Rossi", TaxCode: "RSSMRA80A41F205X", Phones: []string{"+390212345678"}},
		{ID: "c-verdi", Kind: sportello.CitizenPerson, Name: "Luca Verdi", TaxCode: "VRDLCU75C10F205Y", Phones: []string{"+393351112233"}},
	},
}

// timeout bounds every wait in these tests.
const timeout = 5 * time.Second

type env struct {
	db  *sqlite.DB
	srv *server.Server
	url string
}

// newEnv opens a store seeded with the fixture and a server on a free
// port of 127.0.0.1.
func newEnv(t *testing.T, opts ...func(*server.Server, *sqlite.DB)) *env {
	t.Helper()
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Seed(context.Background(), fixture); err != nil {
		t.Fatal(err)
	}
	srv := server.New(db, nil)
	srv.Addr = "127.0.0.1:0"
	for _, o := range opts {
		o(srv, db)
	}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &env{db: db, srv: srv, url: srv.URL()}
}

// call sends a request with an optional token and returns the status and body.
func (e *env) call(t *testing.T, method, path, token string, body io.Reader) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, e.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

func (e *env) login(t *testing.T, username string) string {
	t.Helper()
	status, body := e.call(t, "POST", "/v1/login", "", strings.NewReader(`{"username":"`+username+`","password":"demo"}`))
	if status != http.StatusOK {
		t.Fatalf("login %s: %d %s", username, status, body)
	}
	var resp wire.LoginResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	return resp.Token
}

func (e *env) wrapUp(t *testing.T, token string, w sportello.WrapUp) *sportello.Case {
	t.Helper()
	b, _ := json.Marshal(w)
	status, body := e.call(t, "POST", "/v1/wrapups", token, bytes.NewReader(b))
	if status != http.StatusCreated {
		t.Fatalf("wrap-up: %d %s", status, body)
	}
	var k sportello.Case
	if err := json.Unmarshal(body, &k); err != nil {
		t.Fatal(err)
	}
	return &k
}

func wantError(t *testing.T, status int, body []byte, wantStatus int, wantCode, wantMessage string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d (%s)", status, wantStatus, body)
	}
	var e wire.ErrorResponse
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("body %q is not an ErrorResponse: %v", body, err)
	}
	if e.Code != wantCode || !strings.Contains(e.Message, wantMessage) {
		t.Fatalf("error %+v, want code %q and a message containing %q", e, wantCode, wantMessage)
	}
}

func TestStatusOf(t *testing.T) {
	tests := map[string]int{
		sportello.EINVALID: 400, sportello.EUNAUTHORIZED: 401, sportello.EFORBIDDEN: 403,
		sportello.ENOTFOUND: 404, sportello.ECONFLICT: 409, sportello.EINTERNAL: 500,
		sportello.EUNAVAILABLE: 503, "made_up": 500,
	}
	for code, want := range tests {
		if got := server.StatusOf(code); got != want {
			t.Errorf("StatusOf(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestServer_Health(t *testing.T) {
	e := newEnv(t)
	status, body := e.call(t, "GET", "/healthz", "", nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"ok"`) {
		t.Fatalf("healthz: %d %s", status, body)
	}
}

func TestServer_Login(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name    string
		body    string
		status  int
		code    string
		message string
	}{
		{"WrongPassword", `{"username":"operatore","password":"sbagliata"}`, 401, sportello.EUNAUTHORIZED, "wrong username or password"},
		{"UnknownUser", `{"username":"nessuno","password":"demo"}`, 401, sportello.EUNAUTHORIZED, "wrong username or password"},
		{"Empty", `{"username":"","password":""}`, 400, sportello.EINVALID, "enter a username and a password"},
		{"OversizedPassword", `{"username":"operatore","password":"` + strings.Repeat("p", wire.MaxPasswordLen+1) + `"}`, 400, sportello.EINVALID, "longer than"},
		{"Malformed", `{"username":"operatore",`, 400, sportello.EINVALID, "malformed JSON"},
		{"UnknownField", `{"user":"operatore","password":"demo"}`, 400, sportello.EINVALID, `unknown field "user"`},
		{"Huge", `{"username":"` + strings.Repeat("u", wire.MaxBodyBytes) + `"}`, 400, sportello.EINVALID, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.call(t, "POST", "/v1/login", "", strings.NewReader(tt.body))
			wantError(t, status, body, tt.status, tt.code, tt.message)
		})
	}
	t.Run("OK", func(t *testing.T) {
		token := e.login(t, "operatore")
		if len(token) < 40 {
			t.Fatalf("token %q is short", token)
		}
		status, body := e.call(t, "GET", "/v1/me", token, nil)
		var u sportello.User
		json.Unmarshal(body, &u)
		if status != 200 || u.Username != "operatore" || u.Role != sportello.RoleOperator {
			t.Fatalf("me: %d %s", status, body)
		}
	})
}

func TestServer_RequiresToken(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, method, path, token string
	}{
		{"Me", "GET", "/v1/me", ""},
		{"MeBadToken", "GET", "/v1/me", "not-a-token"},
		{"Callers", "GET", "/v1/callers/+390212345678?reason=call-1", ""},
		{"WrapUps", "POST", "/v1/wrapups", ""},
		{"Changes", "GET", "/v1/changes", ""},
		{"ChangesTokenInQuery", "GET", "/v1/changes?token=x", ""},
		{"WebSocket", "GET", "/v1/ws", "forged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.call(t, tt.method, tt.path, tt.token, nil)
			wantError(t, status, body, 401, sportello.EUNAUTHORIZED, "sign in")
		})
	}
}

func TestServer_LookupCaller(t *testing.T) {
	e := newEnv(t)
	token := e.login(t, "operatore")
	t.Run("Known", func(t *testing.T) {
		status, body := e.call(t, "GET", "/v1/callers/"+url.PathEscape("+390212345678")+"?reason=call-7", token, nil)
		var card sportello.CallerCard
		json.Unmarshal(body, &card)
		if status != 200 || card.Citizen == nil || card.Citizen.ID != "c-rossi" {
			t.Fatalf("lookup: %d %s", status, body)
		}
		log, err := e.db.AccessLog(context.Background(), "c-rossi")
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 || log[0].UserID != "u-a" || log[0].Reason != "call-7" {
			t.Fatalf("access log %+v", log)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		status, body := e.call(t, "GET", "/v1/callers/+390200000000?reason=call-8", token, nil)
		if status != 200 || strings.Contains(string(body), `"citizen"`) {
			t.Fatalf("lookup: %d %s", status, body)
		}
	})
	t.Run("NoReason", func(t *testing.T) {
		status, body := e.call(t, "GET", "/v1/callers/+390212345678", token, nil)
		wantError(t, status, body, 400, sportello.EINVALID, "reason")
	})
}

func TestServer_RecordWrapUp(t *testing.T) {
	e := newEnv(t)
	token := e.login(t, "operatore")
	ctx := context.Background()

	t.Run("Malformed", func(t *testing.T) {
		tests := []struct {
			name, body, message string
		}{
			{"Syntax", `{"call_id": "c1", "outcome": }`, "malformed JSON at byte"},
			{"Truncated", `{"call_id":"c1","outcome":"transferred"`, "ends too early"},
			{"Empty", ``, "the body is empty"},
			{"UnknownField", `{"call_id":"c1","caller_number":"+390212345678","outcome":"transferred","priority":1}`, `unknown field "priority"`},
			{"WrongType", `{"call_id":"c1","caller_number":390212345678,"outcome":"transferred"}`, `field "caller_number" must be a string`},
			{"Trailing", `{"call_id":"c1","caller_number":"+390212345678","outcome":"transferred"}{}`, "unexpected data"},
			{"BadTime", `{"call_id":"c1","caller_number":"+390212345678","outcome":"transferred","answered_at":"ieri"}`, "RFC 3339"},
			{"TooLarge", `{"call_id":"c1","outcome":"transferred","note":"` + strings.Repeat("x", wire.MaxBodyBytes) + `"}`, "larger than"},
			{"NoOutcome", `{"call_id":"c1","caller_number":"+390212345678"}`, "choose an outcome"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, body := e.call(t, "POST", "/v1/wrapups", token, strings.NewReader(tt.body))
				wantError(t, status, body, 400, sportello.EINVALID, tt.message)
			})
		}
		if head, _ := e.db.Head(ctx); head != 0 {
			t.Fatalf("malformed requests wrote %d changes", head)
		}
	})

	t.Run("OpensAndAppends", func(t *testing.T) {
		k := e.wrapUp(t, token, sportello.WrapUp{CallID: "c1", CallerNumber: "+390212345678", Outcome: sportello.OutcomeTransferred, Note: "Trasferita"})
		if k.CitizenID != "c-rossi" || len(k.Events) != 3 || k.Status != sportello.StatusOpen {
			t.Fatalf("case %+v", k)
		}
		k2 := e.wrapUp(t, token, sportello.WrapUp{CallID: "c2", CaseID: k.ID, Outcome: sportello.OutcomeResolvedFirstContact})
		if k2.ID != k.ID || len(k2.Events) != 5 || k2.Status != sportello.StatusResolved {
			t.Fatalf("case %+v", k2)
		}
		// The case is resolved: another wrap-up on it is a conflict.
		b, _ := json.Marshal(sportello.WrapUp{CallID: "c3", CaseID: k.ID, Outcome: sportello.OutcomeTransferred})
		status, body := e.call(t, "POST", "/v1/wrapups", token, bytes.NewReader(b))
		wantError(t, status, body, 409, sportello.ECONFLICT, "resolved")
		b, _ = json.Marshal(sportello.WrapUp{CallID: "c3", CaseID: "missing", Outcome: sportello.OutcomeTransferred})
		status, body = e.call(t, "POST", "/v1/wrapups", token, bytes.NewReader(b))
		wantError(t, status, body, 404, sportello.ENOTFOUND, "missing")
	})
}

func TestServer_Changes(t *testing.T) {
	e := newEnv(t)
	token := e.login(t, "operatore")
	for i := range 3 {
		e.wrapUp(t, token, sportello.WrapUp{CallID: "c" + string(rune('1'+i)), CitizenID: "c-verdi", Outcome: sportello.OutcomeResolvedFirstContact})
	}
	// 9 changes in pages of 4.
	pages := []struct {
		since      int64
		wantSeqs   []int64
		wantCursor int64
	}{
		{0, []int64{1, 2, 3, 4}, 4},
		{4, []int64{5, 6, 7, 8}, 8},
		{8, []int64{9}, 9},
		{9, []int64{}, 9},
	}
	for _, p := range pages {
		status, body := e.call(t, "GET", "/v1/changes?limit=4&since="+itoa(p.since), token, nil)
		if status != 200 {
			t.Fatalf("since %d: %d %s", p.since, status, body)
		}
		var resp wire.ChangesResponse
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Fatal(err)
		}
		if resp.Changes == nil {
			t.Fatalf("since %d: changes is null, want an array", p.since)
		}
		var seqs []int64
		for _, c := range resp.Changes {
			seqs = append(seqs, c.Seq)
			if c.Event == nil || c.CitizenID != "c-verdi" {
				t.Fatalf("change %+v", c)
			}
		}
		if len(seqs) != len(p.wantSeqs) || resp.Cursor != p.wantCursor {
			t.Fatalf("since %d: seqs %v cursor %d, want %v cursor %d", p.since, seqs, resp.Cursor, p.wantSeqs, p.wantCursor)
		}
		for i := range seqs {
			if seqs[i] != p.wantSeqs[i] {
				t.Fatalf("since %d: seqs %v, want %v", p.since, seqs, p.wantSeqs)
			}
		}
	}
	for _, q := range []string{"since=-1", "since=x", "limit=0", "limit=1001"} {
		status, body := e.call(t, "GET", "/v1/changes?"+q, token, nil)
		wantError(t, status, body, 400, sportello.EINVALID, "")
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// dialWS opens a raw WebSocket with the token in the query, as a browser would.
func (e *env) dialWS(t *testing.T, token string, since int64) *websocket.Conn {
	t.Helper()
	u := strings.Replace(e.url, "http://", "ws://", 1) + "/v1/ws?since=" + itoa(since) + "&token=" + url.QueryEscape(token)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ws, resp, err := websocket.DefaultDialer.DialContext(ctx, u, nil)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// readFrame reads one server frame within the test timeout, skipping the
// board frames that supervisors' and admins' sockets get besides the feed
// (board_test.go reads those with readAnyFrame).
func readFrame(t *testing.T, ws *websocket.Conn) wire.ServerFrame {
	t.Helper()
	for {
		if f := readAnyFrame(t, ws); f.Type != wire.FrameBoard {
			return f
		}
	}
}

// readAnyFrame reads one server frame within the test timeout.
func readAnyFrame(t *testing.T, ws *websocket.Conn) wire.ServerFrame {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(timeout))
	_, data, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("read frame: %v", err)
	}
	f, err := wire.DecodeServerFrame(data)
	if err != nil {
		t.Fatalf("frame %s: %v", data, err)
	}
	return f
}

func wantChange(t *testing.T, ws *websocket.Conn, seq int64) sportello.Change {
	t.Helper()
	f := readFrame(t, ws)
	if f.Type != wire.FrameChange || f.Change.Seq != seq {
		t.Fatalf("frame %+v, want change %d", f, seq)
	}
	return *f.Change
}

// TestServer_WebSocket checks the frames: hello with the head, the backlog
// after since, live changes, subscribe and ping.
func TestServer_WebSocket(t *testing.T) {
	e := newEnv(t)
	token := e.login(t, "operatore")
	e.wrapUp(t, token, sportello.WrapUp{CallID: "c1", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred})

	ws := e.dialWS(t, token, 1)
	if f := readFrame(t, ws); f.Type != wire.FrameHello || f.Cursor != 3 {
		t.Fatalf("first frame %+v, want hello 3", f)
	}
	wantChange(t, ws, 2)
	wantChange(t, ws, 3)

	k := e.wrapUp(t, token, sportello.WrapUp{CallID: "c2", CitizenID: "c-verdi", Outcome: sportello.OutcomeResolvedFirstContact})
	for seq := int64(4); seq <= 6; seq++ {
		if c := wantChange(t, ws, seq); c.CaseID != k.ID || c.Event.ID != k.Events[seq-4].ID {
			t.Fatalf("change %+v, want event %d of case %s", c, seq-4, k.ID)
		}
	}

	if err := ws.WriteJSON(wire.Subscribe(4)); err != nil {
		t.Fatal(err)
	}
	wantChange(t, ws, 5)
	wantChange(t, ws, 6)

	if err := ws.WriteJSON(wire.Ping()); err != nil {
		t.Fatal(err)
	}
	if f := readFrame(t, ws); f.Type != wire.FramePong || f.Cursor != 6 {
		t.Fatalf("frame %+v, want pong 6", f)
	}
}

// TestServer_WebSocket_MalformedFrame checks that a bad frame closes that
// connection with CloseMalformedFrame and that others still get changes.
func TestServer_WebSocket_MalformedFrame(t *testing.T) {
	tests := []struct {
		name  string
		typ   int
		frame string
	}{
		{"NotJSON", websocket.TextMessage, "hello?"},
		{"UnknownType", websocket.TextMessage, `{"type":"change"}`},
		{"UnknownField", websocket.TextMessage, `{"type":"ping","x":1}`},
		{"Binary", websocket.BinaryMessage, `{"type":"ping"}`},
	}
	e := newEnv(t)
	token := e.login(t, "operatore")
	good := e.dialWS(t, token, 0)
	if f := readFrame(t, good); f.Type != wire.FrameHello {
		t.Fatalf("frame %+v", f)
	}
	seq := int64(0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := e.dialWS(t, token, seq)
			if f := readFrame(t, bad); f.Type != wire.FrameHello {
				t.Fatalf("frame %+v", f)
			}
			if err := bad.WriteMessage(tt.typ, []byte(tt.frame)); err != nil {
				t.Fatal(err)
			}
			bad.SetReadDeadline(time.Now().Add(timeout))
			_, _, err := bad.ReadMessage()
			if !websocket.IsCloseError(err, wire.CloseMalformedFrame) {
				t.Fatalf("read after a malformed frame: %v, want close %d", err, wire.CloseMalformedFrame)
			}

			// The other connection is served as before.
			e.wrapUp(t, token, sportello.WrapUp{CallID: "c", CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact})
			for range 3 {
				seq++
				wantChange(t, good, seq)
			}
		})
	}
}

// TestServer_RecordWrapUp_Idempotent sends one wrap-up id several times,
// also concurrently: it is recorded once, each repeat answers 200 with the
// case as the first send left it, and another payload under the id is 409.
func TestServer_RecordWrapUp_Idempotent(t *testing.T) {
	e := newEnv(t)
	token := e.login(t, "operatore")
	w := sportello.WrapUp{ID: "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a21", CallID: "c1", CallerNumber: "+390212345678", Outcome: sportello.OutcomeTransferred, Note: "Trasferita"}
	b, _ := json.Marshal(w)

	const senders = 6
	type answer struct {
		status   int
		replayed string
		body     []byte
	}
	answers := make(chan answer, senders)
	for range senders {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "POST", e.url+"/v1/wrapups", bytes.NewReader(b))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				answers <- answer{status: -1, body: []byte(err.Error())}
				return
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			answers <- answer{resp.StatusCode, resp.Header.Get(server.HeaderReplayed), data}
		}()
	}
	created, caseID := 0, ""
	for range senders {
		a := <-answers
		var k sportello.Case
		if err := json.Unmarshal(a.body, &k); err != nil {
			t.Fatalf("%d %s", a.status, a.body)
		}
		switch {
		case a.status == http.StatusCreated && a.replayed == "":
			created++
		case a.status == http.StatusOK && a.replayed == "true":
		default:
			t.Fatalf("answer %d replayed=%q %s", a.status, a.replayed, a.body)
		}
		if caseID == "" {
			caseID = k.ID
		}
		if k.ID != caseID || len(k.Events) != 3 {
			t.Fatalf("case %+v", k)
		}
	}
	if created != 1 {
		t.Fatalf("%d sends created, want 1", created)
	}
	if head, _ := e.db.Head(context.Background()); head != 3 {
		t.Fatalf("head %d, want 3", head)
	}

	w.Note = "Altro"
	b, _ = json.Marshal(w)
	status, body := e.call(t, "POST", "/v1/wrapups", token, bytes.NewReader(b))
	wantError(t, status, body, 409, sportello.ECONFLICT, "already used")
}
