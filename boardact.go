package sportello

import (
	"context"
	"time"
)

// AgentRinging is an agent whose phone rings: a call offered, not yet
// answered. On a call (AgentOnCall) starts when it is answered.
const AgentRinging AgentState = "ringing"

// DefaultBreakReasons are the reasons a desktop offers for a break, in
// order, when its configuration lists none.
var DefaultBreakReasons = []string{"pausa", "formazione", "riunione", "back-office"}

// PresenceCall is the call an agent is on, as their desktop reports it
// with a ringing, on-call or wrap-up state: the caller's number and the
// citizen's name when the screen pop found one.
type PresenceCall struct {
	Caller     string `json:"caller,omitempty"`
	CallerName string `json:"caller_name,omitempty"`
	// MOS is the current call's audio quality as the desktop's phone
	// last estimated it (1 to 4.5), 0 before any estimate.
	MOS float64 `json:"mos,omitempty"`
}

// BoardAgentDetail is what the board adds to an agent's state: the
// current call, the average handle time (answer to the end of the
// wrap-up) of the calls measured today, the calls that rang on the
// agent's phone and were missed today, and the agent's desks.
type BoardAgentDetail struct {
	PresenceCall
	HandledMeasured int           `json:"handled_measured,omitempty"` // calls with a measured handle time today
	AvgHandle       time.Duration `json:"avg_handle,omitempty"`       // nanoseconds, as time.Duration encodes
	MissedToday     int           `json:"missed_today,omitempty"`
	Desks           []string      `json:"desks,omitempty"` // ids of the desks the agent works at
	// MOSCalls counts today's wrap-ups that carried a MOS, and AvgMOS is
	// their average (rounded to a hundredth), 0 when none.
	MOSCalls int     `json:"mos_calls,omitempty"`
	AvgMOS   float64 `json:"avg_mos,omitempty"`
	// FCR is the agent's first-contact resolution today, as recorded and
	// true (repeat contacts removed), from the wrap-up facts.
	FCR FCRCounts `json:"fcr,omitzero"`
}

// BoardActs is the part of the board a supervisor acts on: callbacks due
// and overdue, raised hands, and the intraday series.
type BoardActs struct {
	Callbacks BoardCallbacks `json:"callbacks,omitzero"`
	Hands     []RaisedHand   `json:"hands,omitempty"`
	// Hours is today's series, one entry per hour from the first hour
	// with a call to the current one, in the board's time zone.
	Hours []BoardHour `json:"hours,omitempty"`
}

// DefaultCallbackTarget is the share of callbacks to be made inside
// their agreed window.
const DefaultCallbackTarget = 0.95

// BoardCallbacks counts the callbacks for the board: those whose window
// is open (due now), those whose window has passed (overdue, listed
// with the citizen's number and the reason), and, of the callbacks
// whose window closed today or that were done today, those done inside
// their window.
type BoardCallbacks struct {
	DueNow int `json:"due_now"`
	// Overdue lists the oldest overdue callbacks, MaxBoardOverdue at most;
	// OverdueCount counts them all.
	Overdue      []BoardCallback `json:"overdue,omitempty"`
	OverdueCount int             `json:"overdue_count"`
	DueToday     int             `json:"due_today"` // window closed today, or done today
	InWindow     int             `json:"in_window"` // of DueToday, done before the window closed
	Target       float64         `json:"target"`    // DefaultCallbackTarget unless configured
}

// Rate returns InWindow/DueToday, 1 when nothing fell due.
func (c BoardCallbacks) Rate() float64 {
	if c.DueToday == 0 {
		return 1
	}
	return float64(c.InWindow) / float64(c.DueToday)
}

// MaxBoardOverdue bounds the overdue callbacks the board lists (the
// oldest first): a backlog of thousands (a day's callbacks left to the
// pool) made a board frame of megabytes, past what a desktop reads
// (wire.MaxBodyBytes), and a row each on the supervisor's screen.
const MaxBoardOverdue = 50

// OverdueTotal returns the number of overdue callbacks: OverdueCount, or the
// list's length from a syncd that did not count them.
func (c BoardCallbacks) OverdueTotal() int { return max(c.OverdueCount, len(c.Overdue)) }

// BoardCallback is an overdue callback on the board.
type BoardCallback struct {
	ID          string    `json:"id"`
	CaseID      string    `json:"case_id"`
	Number      string    `json:"number"`
	CitizenName string    `json:"citizen_name,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	To          time.Time `json:"to"`
	Owner       string    `json:"owner"`
}

// BoardHour is one hour of today: calls handled (wrap-ups that were not
// missed calls) and those resolved at first contact.
type BoardHour struct {
	Hour     int `json:"hour"` // 0-23, local
	Handled  int `json:"handled"`
	Resolved int `json:"resolved"`
}

// Rate returns Resolved/Handled, 0 without calls.
func (h BoardHour) Rate() float64 {
	if h.Handled == 0 {
		return 0
	}
	return float64(h.Resolved) / float64(h.Handled)
}

// AlertCallbacksOverdue is raised when more callbacks are overdue than
// the threshold.
const AlertCallbacksOverdue AlertKind = "callbacks_overdue"

// AlertHandRaised is raised while an operator's hand is up and no
// supervisor has answered it.
const AlertHandRaised AlertKind = "hand_raised"

// MaxHandNote bounds what an operator writes when raising a hand.
const MaxHandNote = 200

// RaisedHand is an operator's request for help: who, their current call,
// since when, and the supervisor who answered it ("X is coming").
type RaisedHand struct {
	AgentID    string    `json:"agent_id"`
	AgentName  string    `json:"agent_name"`
	Note       string    `json:"note,omitempty"`
	At         time.Time `json:"at"`
	Caller     string    `json:"caller,omitempty"`
	CallerName string    `json:"caller_name,omitempty"`
	// AnsweredBy names the supervisor coming, empty while nobody
	// answered.
	AnsweredByID string    `json:"answered_by_id,omitempty"`
	AnsweredBy   string    `json:"answered_by,omitempty"`
	AnsweredAt   time.Time `json:"answered_at,omitzero"`
}

// HandService lets an operator ask a supervisor for help: RaiseHand and
// LowerHand set the signed-in agent's hand, SubscribeHand calls onHand
// with it each time syncd pushes it (nil once lowered), on the sync
// goroutine, until cancel.
type HandService interface {
	RaiseHand(ctx context.Context, note string) (*RaisedHand, error)
	LowerHand(ctx context.Context) error
	SubscribeHand(onHand func(*RaisedHand)) (cancel func())
}

// BoardActionService is what a supervisor does from the board: answer a
// raised hand, give a callback to another agent or to the pool, and
// move an agent from one desk to another (either may be empty: join
// only, leave only). Reassigning a case to another desk is an
// escalation by the supervisor (CaseEvent EventEscalated).
type BoardActionService interface {
	AnswerHand(ctx context.Context, agentID string) (*RaisedHand, error)
	ReassignCallback(ctx context.Context, id, owner string) (*Callback, error)
	MoveAgent(ctx context.Context, agentID, fromDesk, toDesk string) error
}
