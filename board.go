package sportello

import (
	"context"
	"time"
)

// AgentState is what an agent (an operator or a specialist) is doing, as
// their desktop reports it and the supervisor's board shows it.
type AgentState string

// Agent states. A desktop that loses its link to syncd is offline.
const (
	AgentAvailable AgentState = "available"
	AgentOnCall    AgentState = "on_call" // a call ringing or in conversation
	AgentWrapUp    AgentState = "wrap_up" // the call ended, its wrap-up not yet saved
	AgentBreak     AgentState = "break"
	AgentOffline   AgentState = "offline"
)

// Valid reports whether s is a known agent state.
func (s AgentState) Valid() bool {
	switch s {
	case AgentAvailable, AgentRinging, AgentOnCall, AgentWrapUp, AgentBreak, AgentOffline:
		return true
	}
	return false
}

// MaxPresenceReason bounds the reason of a break.
const MaxPresenceReason = 200

// Presence is an agent's state as their desktop reports it; Reason says
// why a break (optional).
type Presence struct {
	State        AgentState `json:"state"`
	Reason       string     `json:"reason,omitempty"`
	PresenceCall            // ringing, on a call, wrap-up (boardact.go)
}

// Board is the supervisor's board as syncd computes it, once for every
// supervisor: people, calls, desks' backlogs, first-contact resolution
// and the alerts the thresholds raise.
type Board struct {
	At              time.Time    `json:"at"` // when syncd computed it
	Agents          []BoardAgent `json:"agents"`
	CallsInProgress int          `json:"calls_in_progress"`
	MissedToday     int          `json:"missed_today"` // calls that rang and were not answered
	Desks           []BoardDesk  `json:"desks"`
	FCR             BoardFCR     `json:"fcr"`
	Alerts          []BoardAlert `json:"alerts"`
	// Appointments counts, per office, the appointments booked today and
	// not cancelled (appointment.go), offices with none left out.
	Appointments []BoardOffice `json:"appointments,omitempty"`
	BoardActs                  // callbacks, raised hands, intraday series (boardact.go)
}

// BoardAgent is one agent on the board: state and since when, and the
// calls wrapped up today.
type BoardAgent struct {
	ID               string     `json:"id"`
	Name             string     `json:"name"`
	Role             Role       `json:"role,omitempty"`
	State            AgentState `json:"state"`
	Reason           string     `json:"reason,omitempty"`
	Since            time.Time  `json:"since,omitzero"`
	CallsToday       int        `json:"calls_today"`
	BoardAgentDetail            // boardact.go
}

// BoardDesk is one desk's backlog: the cases in its queue, when the
// oldest reached it, and how many are at risk of or past their SLA.
type BoardDesk struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Open     int       `json:"open"`
	OldestAt time.Time `json:"oldest_at,omitzero"`
	AtRisk   int       `json:"at_risk"`
	Breached int       `json:"breached"`
}

// BoardFCR is first-contact resolution today: wrap-ups resolved at first
// contact out of all wrap-ups, against the target (0.8), and true.
type BoardFCR struct {
	Resolved int     `json:"resolved"`
	WrapUps  int     `json:"wrap_ups"`
	Target   float64 `json:"target"`
	// FirstContacts and TrueResolved are today's true first-contact
	// resolution (repeat contacts removed, see FCRCounts); Week counts
	// both ways since Monday.
	FirstContacts int       `json:"first_contacts,omitempty"`
	TrueResolved  int       `json:"true_resolved,omitempty"`
	Week          FCRCounts `json:"week,omitzero"`
	// Services is today's first-contact resolution per service (a case
	// category), as recorded and true, by service.
	Services []ServiceFCR `json:"services,omitempty"`
}

// TrueRate returns today's true first-contact resolution, 0 without
// first contacts.
func (f BoardFCR) TrueRate() float64 {
	return FCRCounts{FirstContacts: f.FirstContacts, TrueResolved: f.TrueResolved}.TrueRate()
}

// Rate returns Resolved/WrapUps, 0 without wrap-ups.
func (f BoardFCR) Rate() float64 {
	if f.WrapUps == 0 {
		return 0
	}
	return float64(f.Resolved) / float64(f.WrapUps)
}

// AlertKind names a threshold crossed.
type AlertKind string

// Alerts of the board.
const (
	AlertFCRBelowTarget AlertKind = "fcr_below_target" // first-contact resolution today under the target
	AlertDeskPastSLA    AlertKind = "desk_past_sla"    // a desk's oldest case is past its SLA
)

// BoardAlert is a threshold crossed, for every supervisor to see.
type BoardAlert struct {
	Kind     AlertKind `json:"kind"`
	DeskID   string    `json:"desk_id,omitempty"`
	DeskName string    `json:"desk_name,omitempty"`
	// Message says it in English, for logs and API users; the desktop
	// writes its own text from the other fields.
	Message string `json:"message"`
}

// PresenceService reports the signed-in agent's state to syncd.
type PresenceService interface {
	SetPresence(ctx context.Context, p Presence) error
}

// BoardService gives supervisors the board: Board reads it, and
// SubscribeBoard calls onBoard with each board syncd pushes (on the sync
// goroutine; it must not block) until cancel is called.
type BoardService interface {
	Board(ctx context.Context) (*Board, error)
	SubscribeBoard(onBoard func(*Board)) (cancel func())
}

// BoardOffice is one office on the board: the appointments booked there
// today and not cancelled.
type BoardOffice struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	BookedToday int    `json:"booked_today"`
}
