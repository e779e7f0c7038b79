package wire

import (
	"encoding/json"
	"time"
)

// OpWrapUp is the kind of an op that carries a sportello.WrapUp.
const OpWrapUp = "wrap_up"

// Op is one change a desktop made and syncd has not accepted yet, as the
// outbox keeps it: its id (the change's own UUIDv7, so a resend is
// recognised), its kind and its JSON body.
type Op struct {
	ID        string          `json:"id"`
	Kind      string          `json:"kind"`
	Body      json.RawMessage `json:"body"`
	CreatedAt time.Time       `json:"created_at"`
	Attempts  int             `json:"attempts,omitempty"`
	Rejected  string          `json:"rejected,omitempty"` // why syncd refused it
}
