package sportello

import (
	"context"
	"time"
)

// CallState is where a call is in its life.
type CallState string

// Call states as the operator sees them.
const (
	CallDialing CallState = "dialing" // an outbound call before the other party answers
	CallRinging CallState = "ringing" // an inbound call before the operator answers
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
	// OnHold and Muted are what the operator switched on an active call.
	OnHold bool `json:"on_hold,omitempty"`
	Muted  bool `json:"muted,omitempty"`
	// ConsultOf is, on a consultation call (Phone.Consult), the id of the
	// call the operator is transferring.
	ConsultOf string `json:"consult_of,omitempty"`
	// Replaces is, on an inbound call that took the place of another (an
	// attended transfer to this phone, RFC 3891), the id of the call it
	// replaced; that call ends "transferred".
	Replaces string `json:"replaces,omitempty"`
	// EarlyMedia is set on a dialing call while the network plays its
	// own audio (183 Session Progress: announcements, ring-back).
	EarlyMedia bool `json:"early_media,omitempty"`
	// Quality is the audio quality measured on an answered call (RTCP and
	// the jitter buffer), updated while it lasts; nil before any audio.
	Quality *CallQuality `json:"quality,omitempty"`
	// Recording is set while the operator records the call.
	Recording bool `json:"recording,omitempty"`
}

// CallQuality is the audio quality of a call as the phone measured it.
type CallQuality struct {
	// JitterMS is the interarrival jitter of the audio received (RFC 3550).
	JitterMS float64 `json:"jitter_ms"`
	// LossPct is the share of the audio received that was lost or came too
	// late to play, in percent.
	LossPct float64 `json:"loss_pct"`
	// PeerLossPct is the loss the other side reports of the audio it
	// receives (RTCP), in percent.
	PeerLossPct float64 `json:"peer_loss_pct"`
	// RTTMS is the round-trip time from RTCP (LSR/DLSR), 0 until known.
	RTTMS float64 `json:"rtt_ms"`
	// DelayMS is the playout delay the jitter buffer adds.
	DelayMS float64 `json:"delay_ms"`
	// MOS is the E-model (ITU-T G.107) estimate of the listening quality,
	// from 1 (bad) to 4.5.
	MOS float64 `json:"mos"`
}

// Missed reports whether c is an inbound call that ended without being
// answered: the caller gave up, or the operator (or a busy line) refused it.
func (c Call) Missed() bool {
	return c.Direction == CallInbound && c.State == CallEnded && c.AnsweredAt.IsZero()
}

// DTMF is a key the other party of a call pressed (RFC 4733), never heard
// as audio.
type DTMF struct {
	CallID string    `json:"call_id"`
	Key    string    `json:"key"` // one of 0-9 * # A-D
	At     time.Time `json:"at"`
}

// RegistrationState is where the phone stands with its registrar.
type RegistrationState string

// Registration states.
const (
	// RegistrationNone: no registrar configured, or not started yet.
	RegistrationNone RegistrationState = ""
	// RegistrationPending: the first REGISTER is on its way.
	RegistrationPending RegistrationState = "registering"
	// RegistrationOK: the registrar holds a binding that has not lapsed.
	RegistrationOK RegistrationState = "registered"
	// RegistrationFailed: the last attempt failed; the phone retries by
	// itself at RetryAt. Reason says why.
	RegistrationFailed RegistrationState = "failed"
	// RegistrationUnregistered: the phone removed its binding on Close.
	RegistrationUnregistered RegistrationState = "unregistered"
)

// PhoneRegistration is a snapshot of the phone's registration: the phone
// sends a new one on every change of state, reason or expiry.
type PhoneRegistration struct {
	State RegistrationState `json:"state"`
	AOR   string            `json:"aor"` // e.g. "sip:1001@pbx.city.example"
	// Code is the registrar's last final status (0 when it did not answer).
	Code int `json:"code,omitempty"`
	// Phrase is the registrar's reason phrase with Code ("Wrong Password").
	Phrase string `json:"phrase,omitempty"`
	// Reason says why the registration failed, for the log and the operator.
	Reason string `json:"reason,omitempty"`
	// Expires is when the binding lapses unless refreshed (registered only).
	Expires time.Time `json:"expires,omitzero"`
	// RetryAt is when the phone tries again after a failure.
	RetryAt time.Time `json:"retry_at,omitzero"`
}

// Phone is the embedded softphone as the rest of Sportello sees it; the SIP
// stack behind it (diago, today) never leaks through.
type Phone interface {
	// Start begins listening for calls; it returns once the socket is bound.
	Start(ctx context.Context) error
	// Addr says where the phone listens, e.g. "udp 127.0.0.1:5060".
	Addr() string
	// Calls delivers a snapshot of a call on every change of state, hold
	// or mute.
	Calls() <-chan Call
	// Answer picks up a ringing call; a call already in conversation goes
	// on hold first (call waiting: Hold and Resume then swap the two).
	Answer(callID string) error
	// Hangup ends a call in any state (rejecting it when still ringing,
	// cancelling it while dialing).
	Hangup(callID string) error
	// Reject declines a ringing inbound call (603 Decline): the caller
	// hears the operator refused it and the call ends as missed.
	Reject(callID string) error
	// Dial calls target (a number, or a SIP URI) and returns the new
	// call's id at once; its progress comes on Calls: dialing, active,
	// ended.
	Dial(target string) (string, error)
	// Hold puts an active call on hold; Resume takes it back.
	Hold(callID string) error
	Resume(callID string) error
	// Mute stops (on) or restarts sending the operator's voice.
	Mute(callID string, on bool) error
	// Record switches recording of an answered call on or off (a stereo
	// WAV file: operator left, citizen right); snapshots carry Recording.
	Record(callID string, on bool) error
	// SendDTMF sends keys ("1", "12#") on an active call, in order.
	SendDTMF(callID, keys string) error
	// Transfer hands an active call to target (a number or a SIP URI)
	// with a blind transfer: it returns nil once the target answered and
	// the call ended as "transferred", or an error wrapping
	// ErrTransferFailed with the reason while the call stays in hand.
	Transfer(callID, target string) error
	// Consult starts an attended transfer of the active call callID: it
	// puts the call on hold and dials target (a number or a SIP URI),
	// returning the consultation call's id at once (its snapshots carry
	// ConsultOf). When the consultation ends without a completed transfer
	// the call is taken off hold.
	Consult(callID, target string) (string, error)
	// CompleteTransfer hands the call callID to the answered consultation
	// consultID (REFER with Replaces): nil once the target took the call
	// and both calls ended "transferred"; on failure the consultation ends,
	// the call is resumed and the error wraps ErrTransferFailed.
	CompleteTransfer(callID, consultID string) error
	// CancelTransfer ends the consultation consultID and resumes callID.
	CancelTransfer(callID, consultID string) error
	// DTMF delivers the keys the other party presses.
	DTMF() <-chan DTMF
	// Registration is the registration now (RegistrationNone without a
	// registrar); Registrations delivers every change.
	Registration() PhoneRegistration
	Registrations() <-chan PhoneRegistration
	// Reregister sends a REGISTER now instead of waiting for the next
	// retry (the operator's "register again" after a failure).
	Reregister() error
	// Close hangs up every call and stops listening.
	Close() error
}

// Phone errors, checked with errors.Is.
var (
	ErrNoSuchCall   = Errorf(ENOTFOUND, "no such call")
	ErrCallNotReady = Errorf(ECONFLICT, "the call is not in a state that allows this")
	// ErrTransferFailed: the transfer target refused or did not answer;
	// the call is still the operator's.
	ErrTransferFailed = Errorf(ECONFLICT, "transfer failed")
)
