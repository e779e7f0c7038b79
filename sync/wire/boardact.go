package wire

import (
	"encoding/json"

	"github.com/sportello/sportello"
)

// FrameHand carries an operator's raised hand to that operator's own
// WebSockets: raised, answered by a supervisor, or lowered (no hand).
const FrameHand FrameType = "hand"

// HandFrame returns the frame that tells an operator where their hand
// stands; nil says it is down.
func HandFrame(h *sportello.RaisedHand) ServerFrame { return ServerFrame{Type: FrameHand, Hand: h} }

type handJSON struct {
	Type FrameType             `json:"type"`
	Hand *sportello.RaisedHand `json:"hand"`
}

func marshalHand(f ServerFrame) ([]byte, error) {
	return json.Marshal(handJSON{Type: f.Type, Hand: f.Hand})
}

func unmarshalHand(data []byte) (ServerFrame, error) {
	var v handJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return ServerFrame{}, decodeError(err)
	}
	return ServerFrame{Type: FrameHand, Hand: v.Hand}, nil
}

// RaiseHandRequest raises the signed-in operator's hand (POST /v1/hand).
type RaiseHandRequest struct {
	Note string `json:"note,omitempty"`
}

// ReassignCallbackRequest gives a callback to another owner (POST
// /v1/callbacks/{id}/owner): a user id, "pool" or "desk:<id>".
type ReassignCallbackRequest struct {
	Owner string `json:"owner"`
}

// MoveAgentRequest moves an agent between desks (POST
// /v1/agents/{id}/desks): out of From (when set) and into To (when set).
type MoveAgentRequest struct {
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// WrapUpHour counts the wrap-ups of one hour (its start, UTC) that were
// not missed calls, and those resolved at first contact: the board's
// intraday series.
type WrapUpHour struct {
	Hour     int64 // Unix seconds of the hour's start
	Handled  int
	Resolved int
}
