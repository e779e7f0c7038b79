package wire

import "github.com/sportello/sportello"

// CallbacksResponse lists the scheduled callbacks a user may work (GET
// /v1/callbacks): their own, the pool's and their desks' (every one for
// supervisors and admins), first due first served.
type CallbacksResponse struct {
	Callbacks []*sportello.Callback `json:"callbacks"`
}

// CallbackAttemptRequest is one call made to honour a callback (POST
// /v1/callbacks/{id}/attempts): syncd sets the author and the time.
type CallbackAttemptRequest struct {
	// ID is the attempt's op id (a UUID): a resend with the same id is
	// recorded once.
	ID      string                   `json:"id,omitempty"`
	Outcome sportello.AttemptOutcome `json:"outcome"`
	CallID  string                   `json:"call_id,omitempty"`
}
