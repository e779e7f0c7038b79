package wire

import "github.com/sportello/sportello"

// DesksResponse lists every desk (GET /v1/desks); the user's own are
// marked member.
type DesksResponse struct {
	Desks []sportello.Desk `json:"desks"`
}

// QueueResponse is the queue of the user's desks (GET /v1/queue), oldest
// escalation first.
type QueueResponse struct {
	Cases []*sportello.Case `json:"cases"`
}

// CaseEventRequest is one action on a case (POST /v1/cases/{id}/events):
// syncd sets the author and the time. ID, a UUID made by the client, makes
// the action idempotent and becomes the event's id.
type CaseEventRequest struct {
	ID     string              `json:"id,omitempty"`
	Kind   sportello.EventKind `json:"kind"`
	Note   string              `json:"note,omitempty"`
	DeskID string              `json:"desk_id,omitempty"`
}
