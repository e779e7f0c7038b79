package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/wire"
)

// TestServer_Tokens: expired, forged, malformed and signed-out tokens are
// 401 on every endpoint that needs one, the WebSocket included, and the
// server goes on serving a good token.
func TestServer_Tokens(t *testing.T) {
	clk := newClock()
	e := newEnv(t, func(s *server.Server, db *sqlite.DB) { s.Now, db.Now = clk.now, clk.now })
	expired := e.login(t, "operatore")
	clk.add(server.DefaultSessionTTL)
	good := e.login(t, "operatore")
	signedOut := e.login(t, "operatore2")
	if status, _ := e.call(t, "POST", "/v1/logout", signedOut, nil); status != http.StatusNoContent {
		t.Fatal("logout")
	}
	tokens := []struct{ name, header, message string }{
		{"Expired", "Bearer " + expired, "expired"},
		{"SignedOut", "Bearer " + signedOut, "unknown"},
		{"Forged", "Bearer " + strings.Repeat("A", 43), "unknown"},
		{"ForgedFromGood", "Bearer " + good[:42] + "x", "unknown"},
		{"SQL", "Bearer ' OR '1'='1", "unknown"},
		{"Oversized", "Bearer " + strings.Repeat("t", 10_000), "not valid"},
		{"Empty", "Bearer ", "Bearer"},
		{"Basic", "Basic b3BlcmF0b3JlOmRlbW8=", "Bearer"},
		{"NoScheme", good, "Bearer"},
	}
	endpoints := []struct{ method, path string }{
		{"GET", "/v1/me"}, {"POST", "/v1/logout"}, {"GET", "/v1/callers/+390212345678?reason=r"},
		{"POST", "/v1/wrapups"}, {"GET", "/v1/changes"}, {"GET", "/v1/ws"}, {"GET", "/v1/audit?citizen_id=c-rossi"}, {"GET", "/v1/kb"},
	}
	for _, tok := range tokens {
		for _, ep := range endpoints {
			t.Run(tok.name+ep.path, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), timeout)
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, ep.method, e.url+ep.path, strings.NewReader(`{"call_id":"c","citizen_id":"c-rossi","outcome":"transferred"}`))
				req.Header.Set("Authorization", tok.header)
				if ep.path == "/v1/ws" {
					req.Header.Set("Connection", "Upgrade")
					req.Header.Set("Upgrade", "websocket")
					req.Header.Set("Sec-WebSocket-Version", "13")
					req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var body bytes.Buffer
				body.ReadFrom(resp.Body)
				wantError(t, resp.StatusCode, body.Bytes(), 401, sportello.EUNAUTHORIZED, tok.message)
				if resp.Header.Get("WWW-Authenticate") == "" {
					t.Fatal("no WWW-Authenticate")
				}
			})
		}
	}
	// The token of the ws query parameter is checked the same way.
	for _, tok := range []string{expired, signedOut, "forged"} {
		if status := e.wsStatus(t, tok); status != 401 {
			t.Fatalf("/v1/ws?token=%s: %d", tok, status)
		}
	}
	if head, _ := e.db.Head(context.Background()); head != 0 {
		t.Fatalf("refused requests wrote %d changes", head)
	}
	if status, _ := e.call(t, "GET", "/v1/me", good, nil); status != 200 {
		t.Fatalf("good token: %d", status)
	}
}

// nasty is SQL and shell metacharacters, quotes, a comment, wildcards,
// an emoji and a right-to-left mark: text like any other.
const nasty = `x'); DROP TABLE cases; -- " OR 1=1 /* % _ \ ` + "`$(rm -rf /)` 😀 \u200f"

// TestServer_HostileText sends hostile and oversized values in every text
// field of every endpoint: each is stored verbatim or refused with 400
// invalid (404 for an id that names nothing), nothing else is touched,
// and the server goes on serving.
func TestServer_HostileText(t *testing.T) {
	e := newCityEnv(t)
	ctx := context.Background()
	op, sup := e.signIn(t, "operatore"), e.signIn(t, "supervisore")
	big := strings.Repeat("x", 10_000)
	wrapUp := func(fields map[string]any) []byte {
		w := map[string]any{"call_id": "c", "citizen_id": "c-verdi", "outcome": "transferred"}
		for k, v := range fields {
			w[k] = v
		}
		b, _ := json.Marshal(w)
		return b
	}
	tests := []struct {
		name, method, path, token string
		body                      []byte
		status                    int
	}{
		{"LoginUsernameSQL", "POST", "/v1/login", "", []byte(`{"username":"admin' --","password":"demo"}`), 401},
		{"LoginPasswordSQL", "POST", "/v1/login", "", []byte(`{"username":"operatore","password":"' OR '1'='1"}`), 401},
		{"LoginUsernameBig", "POST", "/v1/login", "", []byte(`{"username":"` + big + `","password":"demo"}`), 400},
		{"LoginPasswordBig", "POST", "/v1/login", "", []byte(`{"username":"operatore","password":"` + big + `"}`), 400},
		{"NumberSQL", "GET", "/v1/callers/" + url.PathEscape("'; DROP TABLE citizens; --") + "?reason=r", op, nil, 400},
		{"NumberBig", "GET", "/v1/callers/" + big + "?reason=r", op, nil, 400},
		{"ReasonSQL", "GET", "/v1/callers/+390212345678?reason=" + url.QueryEscape(nasty), op, nil, 200},
		{"ReasonBig", "GET", "/v1/callers/+390212345678?reason=" + big, op, nil, 400},
		{"WrapUpText", "POST", "/v1/wrapups", op, wrapUp(map[string]any{"call_id": nasty, "category": nasty, "note": nasty}), 201},
		{"WrapUpID", "POST", "/v1/wrapups", op, wrapUp(map[string]any{"id": nasty}), 400},
		{"WrapUpCitizenSQL", "POST", "/v1/wrapups", op, wrapUp(map[string]any{"citizen_id": "c-verdi' OR '1'='1"}), 404},
		{"WrapUpCaseSQL", "POST", "/v1/wrapups", op, wrapUp(map[string]any{"case_id": "x' OR '1'='1"}), 404},
		{"WrapUpNumberSQL", "POST", "/v1/wrapups", op, wrapUp(map[string]any{"caller_number": nasty}), 400},
		{"WrapUpOutcomeSQL", "POST", "/v1/wrapups", op, wrapUp(map[string]any{"outcome": nasty}), 400},
		{"WrapUpCallIDBig", "POST", "/v1/wrapups", op, wrapUp(map[string]any{"call_id": big}), 400},
		{"WrapUpCategoryBig", "POST", "/v1/wrapups", op, wrapUp(map[string]any{"category": big}), 400},
		{"WrapUpCitizenBig", "POST", "/v1/wrapups", op, wrapUp(map[string]any{"citizen_id": big}), 400},
		{"WrapUpCaseBig", "POST", "/v1/wrapups", op, wrapUp(map[string]any{"case_id": big}), 400},
		{"WrapUpNoteBig", "POST", "/v1/wrapups", op, wrapUp(map[string]any{"note": big}), 400},
		{"WrapUpNoteNUL", "POST", "/v1/wrapups", op, wrapUp(map[string]any{"note": "a\x00b"}), 400},
		{"ChangesSinceSQL", "GET", "/v1/changes?since=" + url.QueryEscape("0 OR 1=1"), op, nil, 400},
		{"ChangesLimitSQL", "GET", "/v1/changes?limit=" + url.QueryEscape("1; DROP TABLE changes"), op, nil, 400},
		{"WebSocketSinceSQL", "GET", "/v1/ws?since=" + url.QueryEscape("0'--"), op, nil, 400},
		{"AuditCitizenSQL", "GET", "/v1/audit?citizen_id=" + url.QueryEscape("' OR '1'='1"), sup, nil, 200},
		{"KBAfterSQL", "GET", "/v1/kb?after=" + url.QueryEscape("' OR '1'='1"), op, nil, 200},
		{"KBAfterBig", "GET", "/v1/kb?after=" + big, op, nil, 400},
		{"KBLimitSQL", "GET", "/v1/kb?limit=" + url.QueryEscape("500 OR 1"), op, nil, 400},
		{"AuditCitizenBig", "GET", "/v1/audit?citizen_id=" + big, sup, nil, 400},
	}
	head, _ := e.db.Head(ctx)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.call(t, tt.method, tt.path, tt.token, bytes.NewReader(tt.body))
			if status != tt.status {
				t.Fatalf("%d %s, want %d", status, body, tt.status)
			}
			switch {
			case status >= 400:
				var er wire.ErrorResponse
				if err := json.Unmarshal(body, &er); err != nil || er.Code == sportello.EINTERNAL || er.Message == "" {
					t.Fatalf("error body %s", body)
				}
			case tt.name == "AuditCitizenSQL":
				var resp wire.AccessLogResponse
				if json.Unmarshal(body, &resp); len(resp.Entries) != 0 {
					t.Fatalf("the audit log leaked %d rows", len(resp.Entries))
				}
			}
		})
	}

	// Verbatim: the wrap-up's text and the lookup's reason.
	changes, _ := e.db.ChangesSince(ctx, head, 100)
	if len(changes) != 3 {
		t.Fatalf("%d changes written, want the 3 of the one accepted wrap-up", len(changes))
	}
	k, err := e.db.Case(ctx, changes[0].CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if w := k.Events[2]; w.CallID != nasty || w.Category != nasty || w.Note != nasty {
		t.Fatalf("stored %+v", w)
	}
	log, _ := e.db.AccessLog(ctx, "c-rossi")
	if len(log) != 1 || log[0].Reason != strings.TrimSpace(nasty) {
		t.Fatalf("audit %+v", log)
	}
	// Nothing else touched, and still serving.
	for _, u := range []string{"operatore", "operatore2", "supervisore", "admin"} {
		if _, err := e.db.Authenticate(ctx, u, "demo"); err != nil {
			t.Fatalf("user %s: %v", u, err)
		}
	}
	if card, err := e.db.LookupCaller(ctx, "+393409998877", "check", &sportello.User{ID: "u-a"}); err != nil || card.Citizen == nil || len(card.Cases) != 1 {
		t.Fatalf("Anna Neri's card %+v, %v", card, err)
	}
	if status, _ := e.call(t, "GET", "/healthz", "", nil); status != 200 {
		t.Fatal("not serving")
	}
}
