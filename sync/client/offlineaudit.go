package client

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// queueOfflineRead keeps in the outbox that the user read card from the
// replica while syncd was unreachable, with why: on reconnect it reaches
// syncd's audit log with the time it happened (issue 4). A read that
// cannot be kept is logged; the card is shown all the same, as the
// operator is on a call.
func (c *Client) queueOfflineRead(ctx context.Context, card *sportello.CallerCard, reason string) {
	read := wire.OfflineRead{ID: newID(), At: c.Now().UTC(), Number: card.Number, Reason: reason}
	if card.Citizen != nil {
		read.CitizenID = card.Citizen.ID
	}
	body, err := json.Marshal(read)
	if err == nil {
		err = c.Replica.Enqueue(ctx, wire.Op{ID: read.ID, Kind: wire.OpOfflineRead, Body: body, CreatedAt: read.At})
	}
	if err != nil {
		c.logger.Error("outbox: keep offline read", "citizen_id", read.CitizenID, logErr, err)
	}
}

// sendOfflineRead sends an offline read kept in the outbox to syncd.
func (c *Client) sendOfflineRead(ctx context.Context, op wire.Op) error {
	var resp wire.OfflineReadResponse
	return c.doRaw(ctx, http.MethodPost, "/v1/audit/offline", op.Body, &resp)
}

// pendingChanges counts the ops of an outbox that are the operator's
// changes: offline reads wait there too, but are no change of the
// operator's to report as waiting.
func pendingChanges(ops []wire.Op) int {
	n := 0
	for _, op := range ops {
		if op.Kind != wire.OpOfflineRead {
			n++
		}
	}
	return n
}
