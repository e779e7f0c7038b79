package wire

// AssignCaseRequest gives a case waiting at a desk to one of the desk's
// specialists (POST /v1/cases/{id}/assign). ID, a UUID made by the
// client, makes the action idempotent and becomes the event's id.
type AssignCaseRequest struct {
	ID         string `json:"id,omitempty"`
	AssigneeID string `json:"assignee_id"`
}
