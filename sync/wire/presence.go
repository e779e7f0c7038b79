package wire

import (
	"time"

	"github.com/sportello/sportello"
)

// AgentPresence is an agent's reported state as the store keeps it for
// the board, shared by every syncd node on the database: the state, the
// current call, the handle times measured today, and the node whose
// WebSocket the agent reported through.
type AgentPresence struct {
	UserID string
	Name   string
	Role   sportello.Role
	State  sportello.AgentState
	Reason string
	Since  time.Time
	// Call is the caller of a ringing, on-call or wrap-up state.
	Call sportello.PresenceCall
	// Node is the syncd node that received the report; NodeSeen is that
	// node's last heartbeat (zero when the node left no heartbeat), filled
	// by Presences.
	Node     string
	NodeSeen time.Time
	// Day is the midnight the handle times are for; InCall and CallStart
	// the call answered and not yet wrapped up; HandleTotal over Handled
	// calls the measured handle times.
	Day         time.Time
	InCall      bool
	CallStart   time.Time
	HandleTotal time.Duration
	Handled     int
}
