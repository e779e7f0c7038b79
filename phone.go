package sportello

import (
	"context"
	"time"
)

// CallState is where a call is in its life.
type CallState string

// Call states as the operator sees them.
const (
	CallRinging CallState = "ringing"
	CallActive  CallState = "active"
	CallEnded   CallState = "ended"
)

// CallDirection tells inbound from outbound calls.
type CallDirection string

// Call directions.
const (
	CallInbound  CallDirection = "inbound"
	CallOutbound CallDirection = "outbound"
)

// Call is a snapshot of a call: the phone sends a new one on every change.
type Call struct {
	ID         string        `json:"id"` // SIP Call-ID
	Direction  CallDirection `json:"direction"`
	Number     string        `json:"number"` // the other party's number
	Name       string        `json:"name,omitempty"`
	State      CallState     `json:"state"`
	Codec      string        `json:"codec,omitempty"`
	StartedAt  time.Time     `json:"started_at"`
	AnsweredAt time.Time     `json:"answered_at,omitzero"`
	EndedAt    time.Time     `json:"ended_at,omitzero"`
	EndReason  string        `json:"end_reason,omitempty"` // "remote hangup", "local hangup", "cancelled", ...
}

// Phone is the embedded softphone as the rest of Sportello sees it; the SIP
// stack behind it (diago, today) never leaks through.
type Phone interface {
	// Start begins listening for calls; it returns once the socket is bound.
	Start(ctx context.Context) error
	// Addr says where the phone listens, e.g. "udp 127.0.0.1:5060".
	Addr() string
	// Calls delivers a snapshot of a call on every change of state.
	Calls() <-chan Call
	// Answer picks up a ringing call.
	Answer(callID string) error
	// Hangup ends a call in any state (rejecting it when still ringing).
	Hangup(callID string) error
	// Close hangs up every call and stops listening.
	Close() error
}

// Phone errors, checked with errors.Is.
var (
	ErrNoSuchCall   = Errorf(ENOTFOUND, "no such call")
	ErrCallNotReady = Errorf(ECONFLICT, "the call is not in a state that allows this")
)
