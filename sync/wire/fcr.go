package wire

import "github.com/sportello/sportello"

// DeskMember says a user works at a desk: what syncd joins with the
// agents' reported states to tell who is available at each desk.
type DeskMember struct {
	DeskID string
	UserID string
}

// Bounds of GET /v1/kb/usefulness: the entries never used that one answer
// lists (by title; their total is always given).
const (
	DefaultNeverUsedLimit = 200
	MaxNeverUsedLimit     = 5000
)

// KBUsefulnessResponse answers GET /v1/kb/usefulness.
type KBUsefulnessResponse = sportello.KBUsefulness

// DeskAvailabilityResponse answers GET /v1/desks/availability: each desk
// with its members available now, by desk name.
type DeskAvailabilityResponse struct {
	Desks []sportello.DeskAvailability `json:"desks"`
}
