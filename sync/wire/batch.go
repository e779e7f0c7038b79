package wire

import "github.com/sportello/sportello"

// Bounds of one POST /v1/ops: more ops, or a larger body, is refused
// whole (413) and the desktop sends smaller batches.
const (
	MaxOpsPerBatch = 100
	MaxBatchBytes  = 4 << 20
)

// What syncd did with one op of a batch.
const (
	OpCreated  = "created"  // recorded now
	OpReplayed = "replayed" // recorded before: the op id is known
	OpRefused  = "refused"  // not recorded, see Error
)

// OpsRequest is the body of POST /v1/ops: ops of a desktop's outbox,
// oldest first. Each op's Body is what its single endpoint takes (a
// sportello.WrapUp for OpWrapUp, an OfflineRead for OpOfflineRead), with
// the op's id.
type OpsRequest struct {
	Ops []Op `json:"ops"`
}

// OpResult is what syncd did with one op of a batch: created or replayed
// (with the case a wrap-up left, as POST /v1/wrapups answers), or refused
// with the typed error its single endpoint would have given.
type OpResult struct {
	ID     string          `json:"id"`
	Result string          `json:"result"`
	Case   *sportello.Case `json:"case,omitempty"`
	Error  *ErrorResponse  `json:"error,omitempty"`
}

// OpsResponse answers POST /v1/ops: one result per op, in the order sent.
type OpsResponse struct {
	Results []OpResult `json:"results"`
}
