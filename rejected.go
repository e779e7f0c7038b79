package sportello

import "context"

// RejectedChange is a change made on the desktop that syncd refused: kept
// on the desktop with syncd's reason and not sent again (issue 4).
type RejectedChange struct {
	ID string
	// Kind is what the change was: "wrap_up" or "offline_read".
	Kind string
	// Summary says which change it was: its call, number and note.
	Summary string
	// Reason is syncd's refusal, in its words.
	Reason string
}

// RejectedService lists the changes syncd refused, oldest first; a
// SyncService may offer it (sync/client.Client does, over its replica).
type RejectedService interface {
	Rejected(ctx context.Context) ([]RejectedChange, error)
}
