// Package wire holds the messages syncd and the desktop exchange and their
// JSON encoding; it does no I/O, so both sides and the tests share one
// definition of the protocol.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sportello/sportello"
)

// MaxBodyBytes bounds every request body syncd reads.
const MaxBodyBytes = 1 << 20

// MaxFrameBytes bounds every WebSocket frame a client may send.
const MaxFrameBytes = 4 << 10

// MaxChangesLimit bounds one page of changes.
const MaxChangesLimit = 1000

// DefaultChangesLimit is the page size when a request names none.
const DefaultChangesLimit = 100

// LoginRequest signs a user in (POST /v1/login).
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Limits of the login fields: anything longer is rejected before hashing,
// so an attacker cannot make the server hash megabytes.
const (
	MaxUsernameLen = 64
	MaxPasswordLen = 256
)

// Validate rejects empty and oversized credentials.
func (r *LoginRequest) Validate() error {
	switch {
	case r.Username == "" || r.Password == "":
		return sportello.Errorf(sportello.EINVALID, "enter a username and a password")
	case len(r.Username) > MaxUsernameLen:
		return sportello.Errorf(sportello.EINVALID, "the username is longer than %d characters", MaxUsernameLen)
	case len(r.Password) > MaxPasswordLen:
		return sportello.Errorf(sportello.EINVALID, "the password is longer than %d characters", MaxPasswordLen)
	}
	return nil
}

// LoginResponse carries the bearer token for later requests.
type LoginResponse struct {
	Token     string         `json:"token"`
	User      sportello.User `json:"user"`
	ExpiresAt time.Time      `json:"expires_at"`
}

// ErrorResponse is the body of every failed request.
type ErrorResponse struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Err turns the response back into the application error it came from.
func (r *ErrorResponse) Err() *sportello.Error {
	code := r.Code
	if code == "" {
		code = sportello.EINTERNAL
	}
	return &sportello.Error{Code: code, Message: r.Message}
}

// ChangesResponse is one page of changes (GET /v1/changes). Cursor is the
// seq of the last change in the page, or the request's since when the page
// is empty: pass it as since to get the next page.
type ChangesResponse struct {
	Changes []sportello.Change `json:"changes"`
	Cursor  int64              `json:"cursor"`
}

// AccessEntry is one row of the audit log of citizen reads: who read which
// record, when and why.
type AccessEntry struct {
	At        time.Time `json:"at"`
	UserID    string    `json:"user_id"`
	CitizenID string    `json:"citizen_id,omitempty"`
	Number    string    `json:"number,omitempty"`
	Reason    string    `json:"reason"`
}

// AccessLogResponse is a citizen's access log (GET /v1/audit), oldest first.
type AccessLogResponse struct {
	CitizenID string        `json:"citizen_id"`
	Entries   []AccessEntry `json:"entries"`
}

// ChangeKindHidden is the kind of a change the receiving user may not see:
// it carries only its seq and time, so that the desktop's cursor moves on
// with no gap and learns nothing of the change.
const ChangeKindHidden = "hidden"

// ChangeKindPurged is the kind of a change whose case was removed by
// syncd purge: the seq stays, so the log has no gap, and nothing else does.
const ChangeKindPurged = "purged"

// Hidden returns the placeholder sent instead of a change its receiver may
// not see.
func Hidden(c sportello.Change) sportello.Change {
	return sportello.Change{Seq: c.Seq, At: c.At, Kind: ChangeKindHidden}
}

// FrameType names a WebSocket frame.
type FrameType string

// Frame types. Server to client: hello, change, pong, board. Client to server:
// ping, subscribe.
const (
	FrameHello     FrameType = "hello"     // first frame; Cursor is the newest seq syncd has
	FrameChange    FrameType = "change"    // one change, in seq order
	FramePong      FrameType = "pong"      // answer to ping; Cursor is how far the connection is in sync (pong.go)
	FramePing      FrameType = "ping"      // liveness check by the client
	FrameSubscribe FrameType = "subscribe" // resend everything after Since, then go on live
	FrameBoard     FrameType = "board"     // the supervisor's board, to supervisors and admins only (board.go)
)

// WebSocket close codes syncd uses besides the standard normal closure.
const (
	CloseGoingAway       = 1001 // syncd is shutting down: reconnect
	CloseMalformedFrame  = 1007 // the client sent a frame syncd cannot read
	ClosePolicyViolation = 1008 // the session ended (signed out): sign in again
	CloseTryAgainLater   = 1013 // the client was too slow: reconnect from its cursor
)

// ServerFrame is a frame syncd sends to a desktop.
type ServerFrame struct {
	Type   FrameType
	Cursor int64                 // hello, pong
	Change *sportello.Change     // change
	Prev   *int64                // change on a visible-only feed, and pong: the seq sent before it (feed.go, pong.go)
	Board  *sportello.Board      // board
	Hand   *sportello.RaisedHand // hand (boardact.go)
	Due    *sportello.Callback   // callback_due (callbackdue.go)
	// DueMore: callback_due, how many others became due for the user at
	// the same look, after Due in the calling order (callbackdue.go).
	DueMore int
}

// Hello returns the first frame of a connection.
func Hello(cursor int64) ServerFrame { return ServerFrame{Type: FrameHello, Cursor: cursor} }

// ChangeFrame returns the frame that carries c.
func ChangeFrame(c sportello.Change) ServerFrame { return ServerFrame{Type: FrameChange, Change: &c} }

// Pong returns the answer to a ping as older syncd wrote it, with no prev:
// the desktop takes no position from it (PongAfter in pong.go).
func Pong(cursor int64) ServerFrame { return ServerFrame{Type: FramePong, Cursor: cursor} }

type helloJSON struct {
	Type   FrameType `json:"type"`
	Cursor int64     `json:"cursor"`
	Prev   *int64    `json:"prev,omitempty"` // pong.go
}

type changeJSON struct {
	Type   FrameType         `json:"type"`
	Change *sportello.Change `json:"change"`
	Prev   *int64            `json:"prev,omitempty"` // feed.go
}

// MarshalJSON writes only the fields of the frame's type, so a hello with
// cursor 0 still says "cursor":0.
func (f ServerFrame) MarshalJSON() ([]byte, error) {
	switch f.Type {
	case FrameHello, FramePong:
		return json.Marshal(helloJSON{Type: f.Type, Cursor: f.Cursor, Prev: f.Prev})
	case FrameChange:
		if f.Change == nil {
			return nil, errors.New("wire: change frame without a change")
		}
		return json.Marshal(changeJSON{Type: f.Type, Change: f.Change, Prev: f.Prev})
	case FrameBoard:
		if f.Board == nil {
			return nil, errors.New("wire: board frame without a board")
		}
		return json.Marshal(boardJSON{Type: f.Type, Board: f.Board})
	case FrameHand:
		return marshalHand(f)
	case FrameCallbackDue:
		return marshalCallbackDue(f)
	}
	return nil, fmt.Errorf("wire: unknown server frame type %q", f.Type)
}

// UnmarshalJSON reads a server frame leniently: a desktop ignores fields a
// newer syncd adds.
func (f *ServerFrame) UnmarshalJSON(data []byte) error {
	t, err := ServerFrameType(data) // peek.go
	if err != nil {
		return err
	}
	switch t {
	case FrameHello, FramePong:
		var v helloJSON
		if err := json.Unmarshal(data, &v); err != nil {
			return decodeError(err)
		}
		*f = ServerFrame{Type: t, Cursor: v.Cursor, Prev: v.Prev}
	case FrameChange:
		var v changeJSON
		if err := json.Unmarshal(data, &v); err != nil {
			return decodeError(err)
		}
		if v.Change == nil {
			return sportello.Errorf(sportello.EINVALID, "a change frame needs a change")
		}
		*f = ServerFrame{Type: t, Change: v.Change, Prev: v.Prev}
	case FrameBoard:
		var v boardJSON
		if err := json.Unmarshal(data, &v); err != nil {
			return decodeError(err)
		}
		if v.Board == nil {
			return sportello.Errorf(sportello.EINVALID, "a board frame needs a board")
		}
		*f = ServerFrame{Type: t, Board: v.Board}
	case FrameHand:
		v, err := unmarshalHand(data)
		if err != nil {
			return err
		}
		*f = v
	case FrameCallbackDue:
		v, err := unmarshalCallbackDue(data)
		if err != nil {
			return err
		}
		*f = v
	default:
		return sportello.Errorf(sportello.EINVALID, "unknown frame type %q", t)
	}
	return nil
}

// ClientFrame is a frame a desktop sends to syncd.
type ClientFrame struct {
	Type  FrameType
	Since int64 // subscribe
}

// Ping returns a liveness check.
func Ping() ClientFrame { return ClientFrame{Type: FramePing} }

// Subscribe asks syncd to resend every change after since, then go on live.
func Subscribe(since int64) ClientFrame { return ClientFrame{Type: FrameSubscribe, Since: since} }

type pingJSON struct {
	Type FrameType `json:"type"`
}

type subscribeJSON struct {
	Type  FrameType `json:"type"`
	Since int64     `json:"since"`
}

// MarshalJSON writes only the fields of the frame's type.
func (f ClientFrame) MarshalJSON() ([]byte, error) {
	switch f.Type {
	case FramePing:
		return json.Marshal(pingJSON{Type: f.Type})
	case FrameSubscribe:
		return json.Marshal(subscribeJSON{Type: f.Type, Since: f.Since})
	}
	return nil, fmt.Errorf("wire: unknown client frame type %q", f.Type)
}

// UnmarshalJSON reads a client frame strictly: syncd closes a connection
// that sends anything else.
func (f *ClientFrame) UnmarshalJSON(data []byte) error {
	t, err := frameType(data)
	if err != nil {
		return err
	}
	switch t {
	case FramePing:
		var v pingJSON
		if err := Decode(bytes.NewReader(data), &v); err != nil {
			return err
		}
		*f = ClientFrame{Type: t}
	case FrameSubscribe:
		var v subscribeJSON
		if err := Decode(bytes.NewReader(data), &v); err != nil {
			return err
		}
		if v.Since < 0 {
			return sportello.Errorf(sportello.EINVALID, "since must not be negative")
		}
		*f = ClientFrame{Type: t, Since: v.Since}
	default:
		return sportello.Errorf(sportello.EINVALID, "unknown frame type %q", t)
	}
	return nil
}

// frameType peeks at the "type" of a frame.
func frameType(data []byte) (FrameType, error) {
	var head struct {
		Type *FrameType `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return "", decodeError(err)
	}
	if head.Type == nil {
		return "", sportello.Errorf(sportello.EINVALID, "a frame needs a type")
	}
	return *head.Type, nil
}

// DecodeServerFrame reads one frame sent by syncd.
func DecodeServerFrame(data []byte) (ServerFrame, error) {
	var f ServerFrame
	err := f.UnmarshalJSON(data)
	return f, err
}

// DecodeClientFrame reads one frame sent by a desktop.
func DecodeClientFrame(data []byte) (ClientFrame, error) {
	var f ClientFrame
	err := f.UnmarshalJSON(data)
	return f, err
}

// Decode reads exactly one JSON value from r into v, rejecting unknown
// fields and trailing data. Its errors are EINVALID with a message that
// says what is wrong, for the person who wrote the request.
func Decode(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return sportello.Errorf(sportello.EINVALID, "malformed JSON: unexpected data after the value")
	}
	return nil
}

// decodeError turns an encoding/json error into an EINVALID error.
func decodeError(err error) error {
	var (
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		timeErr   *time.ParseError
		appErr    *sportello.Error
		unmarshal *json.InvalidUnmarshalError
	)
	switch {
	case errors.As(err, &appErr):
		return appErr
	case errors.Is(err, io.EOF):
		return sportello.Errorf(sportello.EINVALID, "malformed JSON: the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return sportello.Errorf(sportello.EINVALID, "malformed JSON: the body ends too early")
	case errors.As(err, &syntax):
		return sportello.Errorf(sportello.EINVALID, "malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return sportello.Errorf(sportello.EINVALID, "malformed JSON: expected %s, got %s", typeErr.Type, typeErr.Value)
		}
		return sportello.Errorf(sportello.EINVALID, "malformed JSON: field %q must be %s, not %s", field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &timeErr):
		return sportello.Errorf(sportello.EINVALID, "malformed JSON: %q is not a time in RFC 3339 form", timeErr.Value)
	case errors.As(err, &unmarshal):
		return err
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return sportello.Errorf(sportello.EINVALID, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	// Reader errors (such as a body over the limit) are not the JSON's fault.
	return err
}

// jsonKind names a Go kind in JSON's words.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	if strings.HasPrefix(kind, "int") || strings.HasPrefix(kind, "uint") || strings.HasPrefix(kind, "float") {
		return "a number"
	}
	return kind
}
