package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// TestOfflineAudit_Appointments: reading a citizen's appointments is a
// read of the record, audited like a lookup (with the reason given), and
// an unknown citizen's appointments are refused.
func TestOfflineAudit_Appointments(t *testing.T) {
	e := newEnv(t)
	op := e.login(t, "operatore")
	for _, path := range []string{"/v1/appointments?citizen_id=c-rossi", "/v1/appointments?citizen_id=c-rossi&reason=call-9"} {
		if status, body := e.call(t, "GET", path, op, nil); status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, status, body)
		}
	}
	log, err := e.db.AccessLog(t.Context(), "c-rossi")
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0].UserID != "u-a" || log[0].Reason != "appointments" || log[1].Reason != "appointments: call-9" {
		t.Fatalf("access log %+v", log)
	}
	status, body := e.call(t, "GET", "/v1/appointments?citizen_id=c-nessuno", op, nil)
	wantError(t, status, body, http.StatusNotFound, sportello.ENOTFOUND, "no citizen")
	status, body = e.call(t, "GET", "/v1/appointments?citizen_id=c-rossi&reason=%07", op, nil)
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "control character")
	if log, _ := e.db.AccessLog(t.Context(), "c-rossi"); len(log) != 2 {
		t.Fatalf("refused reads were audited: %+v", log)
	}
}

// TestOfflineAudit_Offline: a read made offline is written with its own
// time and the offline marker, once however often it is sent; bad ones
// are refused and write nothing.
func TestOfflineAudit_Offline(t *testing.T) {
	e := newEnv(t)
	op := e.login(t, "operatore")
	at := time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Second)
	read := func(id, at, citizen, number, reason string) (int, []byte) {
		body := fmt.Sprintf(`{"id":%q,"at":%q,"citizen_id":%q,"number":%q,"reason":%q}`, id, at, citizen, number, reason)
		return e.call(t, "POST", "/v1/audit/offline", op, strings.NewReader(body))
	}
	const id = "01950000-0000-7000-8000-0000000000f1"
	for i, want := range []string{`{"recorded":true}`, `{"recorded":false}`} {
		status, body := read(id, at.Format(time.RFC3339), "c-rossi", "02 1234 5678", "call-3")
		if status != http.StatusOK || strings.TrimSpace(string(body)) != want {
			t.Fatalf("send %d: %d %s, want %s", i+1, status, body, want)
		}
	}
	// The same id in upper case is the same read.
	if status, body := read(strings.ToUpper(id), at.Format(time.RFC3339), "c-rossi", "", "call-3"); status != http.StatusOK || !strings.Contains(string(body), "false") {
		t.Fatalf("upper-case resend: %d %s", status, body)
	}
	for name, tc := range map[string]struct {
		id, at, citizen, number, reason string
		status                          int
		code, msg                       string
	}{
		"NoID":     {"", at.Format(time.RFC3339), "c-rossi", "", "x", 400, sportello.EINVALID, "UUID"},
		"Future":   {"01950000-0000-7000-8000-0000000000f2", time.Now().Add(time.Hour).Format(time.RFC3339), "c-rossi", "", "x", 400, sportello.EINVALID, "last 90 days"},
		"Ancient":  {"01950000-0000-7000-8000-0000000000f3", "2001-01-01T00:00:00Z", "c-rossi", "", "x", 400, sportello.EINVALID, "last 90 days"},
		"NoReason": {"01950000-0000-7000-8000-0000000000f4", at.Format(time.RFC3339), "c-rossi", "", " ", 400, sportello.EINVALID, "reason"},
		"Number":   {"01950000-0000-7000-8000-0000000000f5", at.Format(time.RFC3339), "c-rossi", "' OR 1=1", "x", 400, sportello.EINVALID, ""},
		"Unknown":  {"01950000-0000-7000-8000-0000000000f6", at.Format(time.RFC3339), "c-nessuno", "", "x", 404, sportello.ENOTFOUND, "no citizen"},
	} {
		t.Run(name, func(t *testing.T) {
			status, body := read(tc.id, tc.at, tc.citizen, tc.number, tc.reason)
			wantError(t, status, body, tc.status, tc.code, tc.msg)
		})
	}
	status, body := e.call(t, "POST", "/v1/audit/offline", "", strings.NewReader(`{}`))
	wantError(t, status, body, http.StatusUnauthorized, sportello.EUNAUTHORIZED, "")

	log, err := e.db.AccessLog(t.Context(), "c-rossi")
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].UserID != "u-a" || !log[0].At.Equal(at) || log[0].Number != "+390212345678" || log[0].Reason != "offline: call-3" {
		t.Fatalf("access log %+v", log)
	}
	if err := e.db.CreateUser(t.Context(), &sportello.User{ID: "u-s", Username: "supervisore", Name: "Franco Russo", Role: sportello.RoleSupervisor}, "password-lunga"); err != nil {
		t.Fatal(err)
	}
	sup := e.signIn(t, "supervisore")
	status, body = e.call(t, "GET", "/v1/audit?citizen_id=c-rossi", sup, nil)
	var resp struct {
		Entries []json.RawMessage `json:"entries"`
	}
	json.Unmarshal(body, &resp)
	if status != http.StatusOK || len(resp.Entries) != 1 || !strings.Contains(string(body), "offline: call-3") {
		t.Fatalf("GET /v1/audit: %d %s", status, body)
	}
}
