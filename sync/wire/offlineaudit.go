package wire

import "time"

// OpOfflineRead is the kind of an op that carries an OfflineRead.
const OpOfflineRead = "offline_read"

// OfflineRead is a read of a citizen's record the desktop made from its
// replica while syncd was unreachable (POST /v1/audit/offline): its id (a
// UUIDv7, so a resend is written once), when it happened, the citizen and
// number read and why. The reader is the session's user.
type OfflineRead struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	CitizenID string    `json:"citizen_id,omitempty"`
	Number    string    `json:"number,omitempty"`
	Reason    string    `json:"reason"`
}

// OfflineReadResponse says whether an offline read was written now
// (false for a resend).
type OfflineReadResponse struct {
	Recorded bool `json:"recorded"`
}
