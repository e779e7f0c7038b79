package server

import (
	"context"
	"fmt"
	"time"

	"github.com/sportello/sportello"
)

// OperatorFCRStore is the part of the store behind first-contact
// resolution per operator on the board.
type OperatorFCRStore interface {
	// OperatorFCR counts the wrap-ups since a moment per author, as
	// recorded and true (see sportello.FCRCounts).
	OperatorFCR(ctx context.Context, since time.Time) (map[string]sportello.FCRCounts, error)
}

// readOperatorFCR reads today's first-contact resolution per operator:
// one query with the board's other reads, whatever the viewers.
func (b *board) readOperatorFCR(ctx context.Context, day time.Time) (map[string]sportello.FCRCounts, error) {
	return b.s.store.OperatorFCR(ctx, day)
}

// applyOperatorFCR puts each agent's counts on the board (an agent with
// wrap-up facts but no presence and no wrap-up counts is not added: the
// facts and the counts come from the same wrap-ups), and raises the alert
// on true first-contact resolution today.
func applyOperatorFCR(b *sportello.Board, cfg BoardConfig, perAgent map[string]sportello.FCRCounts) {
	for i := range b.Agents {
		b.Agents[i].FCR = perAgent[b.Agents[i].ID]
	}
	target := cfg.TrueFCRTarget
	if target <= 0 {
		target = cfg.FCRTarget
	}
	if b.FCR.FirstContacts >= cfg.FCRMinWrapUps && b.FCR.TrueRate() < target {
		b.Alerts = append(b.Alerts, sportello.BoardAlert{Kind: sportello.AlertTrueFCRBelowTarget,
			Message: fmt.Sprintf("true first-contact resolution today is %.0f%% (repeat contacts removed), under the %.0f%% target", 100*b.FCR.TrueRate(), 100*target)})
	}
}
