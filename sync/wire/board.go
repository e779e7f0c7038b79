package wire

import (
	"time"

	"github.com/sportello/sportello"
)

// BoardFrame returns the frame that pushes the supervisor's board.
func BoardFrame(b *sportello.Board) ServerFrame { return ServerFrame{Type: FrameBoard, Board: b} }

type boardJSON struct {
	Type  FrameType        `json:"type"`
	Board *sportello.Board `json:"board"`
}

// PresenceRequest reports the signed-in agent's state (POST /v1/presence).
type PresenceRequest = sportello.Presence

// WrapUpCount is how many wrap-ups an author recorded with an outcome
// since a moment: what the board reads from the store to count calls
// handled and first-contact resolution.
type WrapUpCount struct {
	AuthorID string
	Author   string
	Outcome  sportello.Outcome
	Count    int
}

// DeskCase is a case in a desk's queue as the board counts it: its desk
// and when it reached it.
type DeskCase struct {
	CaseID      string
	DeskID      string
	Category    string // the SLA is per desk and category
	EscalatedAt time.Time
}
