package wire_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var at = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

var change = sportello.Change{
	Seq:       42,
	At:        at,
	Kind:      sportello.ChangeKindCaseEvent,
	CitizenID: "0195a1b2-0000-7000-8000-000000000001",
	CaseID:    "0195a1b2-0000-7000-8000-000000000002",
	Event: &sportello.CaseEvent{
		ID:       "0195a1b2-0000-7000-8000-000000000003",
		CaseID:   "0195a1b2-0000-7000-8000-000000000002",
		Kind:     sportello.EventWrapUp,
		At:       at,
		AuthorID: "0195a1b2-0000-7000-8000-000000000004",
		Author:   "Giulia Operatrice",
		CallID:   "call-1",
		Outcome:  sportello.OutcomeResolvedFirstContact,
		Note:     "Orari dell'anagrafe di via Larga",
	},
}

// board is a supervisor's board with one of everything.
var board = &sportello.Board{
	At: at,
	Agents: []sportello.BoardAgent{
		{ID: "0195a1b2-0000-7000-8000-000000000004", Name: "Giulia Operatrice", Role: sportello.RoleOperator, State: sportello.AgentOnCall, Since: at.Add(-3 * time.Minute), CallsToday: 12},
		{ID: "0195a1b2-0000-7000-8000-000000000007", Name: "Marco Ferri", Role: sportello.RoleOperator, State: sportello.AgentBreak, Reason: "pausa caffè", Since: at.Add(-time.Minute), CallsToday: 9},
		{ID: "0195a1b2-0000-7000-8000-000000000008", Name: "Anna Neri", State: sportello.AgentOffline, CallsToday: 1},
	},
	CallsInProgress: 1,
	Desks: []sportello.BoardDesk{
		{ID: "0195a1b2-0000-7000-8000-0000000000d1", Name: "Anagrafe"},
		{ID: "0195a1b2-0000-7000-8000-0000000000d2", Name: "Tributi", Open: 4, OldestAt: at.Add(-72 * time.Hour), AtRisk: 1, Breached: 1},
	},
	FCR: sportello.BoardFCR{Resolved: 15, WrapUps: 22, Target: 0.8},
	Alerts: []sportello.BoardAlert{
		{Kind: sportello.AlertFCRBelowTarget, Message: "first-contact resolution today is 68%, under the 80% target"},
		{Kind: sportello.AlertDeskPastSLA, DeskID: "0195a1b2-0000-7000-8000-0000000000d2", DeskName: "Tributi", Message: "the oldest case at Tributi is past its SLA"},
	},
}

// goldens lists every message with its golden file; each one is encoded and
// compared, then the golden is decoded and compared with the value.
var goldens = []struct {
	file  string
	value any
	new   func() any
}{
	{"login_request.json", &wire.LoginRequest{Username: "operatore", Password: "demo"}, func() any { return new(wire.LoginRequest) }},
	{"login_response.json", &wire.LoginResponse{
		Token:     "b64-token",
		User:      sportello.User{ID: "0195a1b2-0000-7000-8000-000000000004", Username: "operatore", Name: "Giulia Operatrice", Role: sportello.RoleOperator},
		ExpiresAt: at.Add(12 * time.Hour),
	}, func() any { return new(wire.LoginResponse) }},
	{"error_response.json", &wire.ErrorResponse{Code: sportello.EUNAUTHORIZED, Message: "wrong username or password"}, func() any { return new(wire.ErrorResponse) }},
	{"changes_response.json", &wire.ChangesResponse{Changes: []sportello.Change{change}, Cursor: 42}, func() any { return new(wire.ChangesResponse) }},
	{"changes_response_empty.json", &wire.ChangesResponse{Changes: []sportello.Change{}, Cursor: 7}, func() any { return new(wire.ChangesResponse) }},
	{"frame_hello.json", ptr(wire.Hello(41)), func() any { return new(wire.ServerFrame) }},
	{"frame_hello_zero.json", ptr(wire.Hello(0)), func() any { return new(wire.ServerFrame) }},
	{"frame_change.json", ptr(wire.ChangeFrame(change)), func() any { return new(wire.ServerFrame) }},
	{"frame_pong.json", ptr(wire.Pong(42)), func() any { return new(wire.ServerFrame) }},
	{"frame_pong_prev.json", ptr(wire.PongAfter(42, 37)), func() any { return new(wire.ServerFrame) }},
	{"frame_board.json", ptr(wire.BoardFrame(board)), func() any { return new(wire.ServerFrame) }},
	{"presence_request.json", &wire.PresenceRequest{State: sportello.AgentBreak, Reason: "pausa pranzo"}, func() any { return new(wire.PresenceRequest) }},
	{"frame_ping.json", ptr(wire.Ping()), func() any { return new(wire.ClientFrame) }},
	{"frame_subscribe.json", ptr(wire.Subscribe(17)), func() any { return new(wire.ClientFrame) }},
	{"desks_response.json", &wire.DesksResponse{Desks: []sportello.Desk{{ID: "0195a1b2-0000-7000-8000-0000000000d1", Name: "Anagrafe", Member: true}, {ID: "0195a1b2-0000-7000-8000-0000000000d2", Name: "Tributi"}}},
		func() any { return new(wire.DesksResponse) }},
	{"queue_response.json", &wire.QueueResponse{Cases: []*sportello.Case{{
		ID: "0195a1b2-0000-7000-8000-000000000002", CitizenID: "0195a1b2-0000-7000-8000-000000000001", CitizenName: "Maria Rossi",
		Category: "TARI", Subject: "Rimborso TARI 2023", Status: sportello.StatusClaimed, DeskID: "0195a1b2-0000-7000-8000-0000000000d2",
		ClaimedBy: "Luca Esposito", ClaimedByID: "0195a1b2-0000-7000-8000-000000000005", OpenedAt: at, UpdatedAt: at.Add(time.Hour), EscalatedAt: at,
	}}}, func() any { return new(wire.QueueResponse) }},
	{"case_event_request.json", &wire.CaseEventRequest{ID: "0195a1b2-0000-7000-8000-000000000006", Kind: sportello.EventEscalated,
		Note: "È una multa, non un tributo", DeskID: "0195a1b2-0000-7000-8000-0000000000d3"}, func() any { return new(wire.CaseEventRequest) }},
}

func ptr[T any](v T) *T { return &v }

func TestGolden(t *testing.T) {
	for _, tt := range goldens {
		t.Run(strings.TrimSuffix(tt.file, ".json"), func(t *testing.T) {
			got, err := json.MarshalIndent(tt.value, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encoding differs from %s (run with -update to accept):\ngot:\n%s\nwant:\n%s", path, got, want)
			}

			back := tt.new()
			if err := json.Unmarshal(want, back); err != nil {
				t.Fatalf("decode %s: %v", path, err)
			}
			if !reflect.DeepEqual(back, tt.value) {
				t.Fatalf("decoded %s = %+v, want %+v", path, back, tt.value)
			}
		})
	}
}

func TestDecodeClientFrame(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		want    wire.ClientFrame
		message string // non-empty: an EINVALID error containing this
	}{
		{"Ping", `{"type":"ping"}`, wire.Ping(), ""},
		{"Subscribe", `{"type":"subscribe","since":9}`, wire.Subscribe(9), ""},
		{"SubscribeFromZero", `{"type":"subscribe"}`, wire.Subscribe(0), ""},
		{"NotJSON", `hello`, wire.ClientFrame{}, "malformed JSON"},
		{"Truncated", `{"type":"ping"`, wire.ClientFrame{}, "malformed JSON"},
		{"NoType", `{"since":3}`, wire.ClientFrame{}, "a frame needs a type"},
		{"UnknownType", `{"type":"change"}`, wire.ClientFrame{}, `unknown frame type "change"`},
		{"UnknownField", `{"type":"ping","extra":1}`, wire.ClientFrame{}, `unknown field "extra"`},
		{"SinceNotNumber", `{"type":"subscribe","since":"x"}`, wire.ClientFrame{}, `field "since" must be a number`},
		{"NegativeSince", `{"type":"subscribe","since":-1}`, wire.ClientFrame{}, "must not be negative"},
		{"Array", `[]`, wire.ClientFrame{}, "malformed JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := wire.DecodeClientFrame([]byte(tt.data))
			if tt.message == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Fatalf("got %+v, want %+v", got, tt.want)
				}
				return
			}
			if code := sportello.ErrorCode(err); code != sportello.EINVALID {
				t.Fatalf("code %q (%v), want %q", code, err, sportello.EINVALID)
			}
			if msg := sportello.ErrorMessage(err); !strings.Contains(msg, tt.message) {
				t.Fatalf("message %q does not contain %q", msg, tt.message)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		message string // empty: success
	}{
		{"OK", `{"username":"u","password":"p"}`, ""},
		{"Empty", ``, "the body is empty"},
		{"Syntax", `{"username":}`, "malformed JSON at byte"},
		{"Truncated", `{"username":"u"`, "ends too early"},
		{"UnknownField", `{"username":"u","pass":"p"}`, `unknown field "pass"`},
		{"WrongType", `{"username":1}`, `field "username" must be a string`},
		{"Trailing", `{"username":"u"} {}`, "unexpected data after the value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r wire.LoginRequest
			err := wire.Decode(strings.NewReader(tt.body), &r)
			if tt.message == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if code := sportello.ErrorCode(err); code != sportello.EINVALID {
				t.Fatalf("code %q (%v), want %q", code, err, sportello.EINVALID)
			}
			if msg := sportello.ErrorMessage(err); !strings.Contains(msg, tt.message) {
				t.Fatalf("message %q does not contain %q", msg, tt.message)
			}
		})
	}
}

func TestDecode_TimeField(t *testing.T) {
	var w sportello.WrapUp
	err := wire.Decode(strings.NewReader(`{"outcome":"transferred","answered_at":"yesterday"}`), &w)
	if code := sportello.ErrorCode(err); code != sportello.EINVALID {
		t.Fatalf("code %q (%v), want %q", code, err, sportello.EINVALID)
	}
}

func TestLoginRequest_Validate(t *testing.T) {
	tests := []struct {
		name string
		req  wire.LoginRequest
		ok   bool
	}{
		{"OK", wire.LoginRequest{Username: "operatore", Password: "demo"}, true},
		{"NoUsername", wire.LoginRequest{Password: "demo"}, false},
		{"NoPassword", wire.LoginRequest{Username: "operatore"}, false},
		{"LongUsername", wire.LoginRequest{Username: strings.Repeat("u", wire.MaxUsernameLen+1), Password: "demo"}, false},
		{"LongPassword", wire.LoginRequest{Username: "operatore", Password: strings.Repeat("p", wire.MaxPasswordLen+1)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Validate()
			if tt.ok != (err == nil) {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && sportello.ErrorCode(err) != sportello.EINVALID {
				t.Fatalf("code %q, want EINVALID", sportello.ErrorCode(err))
			}
		})
	}
}

func TestServerFrame_MarshalUnknown(t *testing.T) {
	if _, err := json.Marshal(wire.ServerFrame{Type: "nope"}); err == nil {
		t.Fatal("want an error for an unknown frame type")
	}
	if _, err := json.Marshal(wire.ServerFrame{Type: wire.FrameChange}); err == nil {
		t.Fatal("want an error for a change frame without a change")
	}
}
