package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/wire"
)

// BatchStore records wrap-ups several at a time: a desktop's batch of ops
// (POST /v1/ops), and the wrap-ups of many desktops at once in one
// transaction (group commit, issue 4).
type BatchStore interface {
	// RecordWrapUps records wrap-ups in order, each as RecordWrapUpOnce
	// does, with one result each: a refused one writes nothing and
	// refuses no other, and the same op id twice is stored once. Every
	// result comes after its commit.
	RecordWrapUps(ctx context.Context, ops []sportello.WrapUpOp) []sportello.WrapUpResult
}

// ActionPushOps lets a request reach POST /v1/ops; each op's own action
// (recording a wrap-up, reading a citizen's record offline) decides.
const ActionPushOps Action = "send the changes made on a desktop"

// opActions is the action each kind of op needs.
var opActions = map[string]Action{
	wire.OpWrapUp:      ActionRecordWrapUp,
	wire.OpOfflineRead: ActionLookupCaller,
}

// handlePushOps serves POST /v1/ops: a desktop's outbox in one request,
// up to wire.MaxOpsPerBatch ops and wire.MaxBatchBytes. Each op is
// handled as its single endpoint would (POST /v1/wrapups, POST
// /v1/audit/offline), in order, and gets its own result: created,
// replayed, or refused with its typed error, so that one refused op
// refuses no other. The batch's wrap-ups are stored together, in the
// transactions of the store's group commit.
func (s *Server) handlePushOps(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var req wire.OpsRequest
	err := wire.Decode(http.MaxBytesReader(w, r.Body, wire.MaxBatchBytes), &req)
	if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
		s.writeTooLarge(w, r, sportello.Errorf(sportello.EINVALID, "the batch is larger than %d bytes: send fewer ops at a time", tooLarge.Limit))
		return
	}
	if err != nil && sportello.ErrorCode(err) == sportello.EINTERNAL {
		err = sportello.Errorf(sportello.EINVALID, "the request body could not be read")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch n := len(req.Ops); {
	case n == 0:
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "the batch has no ops"))
		return
	case n > wire.MaxOpsPerBatch:
		s.writeTooLarge(w, r, sportello.Errorf(sportello.EINVALID, "the batch has %d ops, at most %d are taken at a time", n, wire.MaxOpsPerBatch))
		return
	}
	results := make([]wire.OpResult, len(req.Ops))
	var wrapUps []sportello.WrapUpOp // consecutive wrap-ups not yet stored
	var at []int                     // their ops
	created := false
	storeWrapUps := func() {
		if len(wrapUps) == 0 {
			return
		}
		for j, res := range s.store.RecordWrapUps(r.Context(), wrapUps) {
			i := at[j]
			switch {
			case res.Err != nil:
				results[i] = s.refusedOp(r, u, req.Ops[i], res.Err)
			case res.Replayed:
				s.metrics.inc(`syncd_ops_total{kind="wrap_up",result="replayed"}`)
				results[i] = wire.OpResult{ID: req.Ops[i].ID, Result: wire.OpReplayed, Case: res.Case}
			default:
				s.metrics.inc(`syncd_ops_total{kind="wrap_up",result="created"}`)
				results[i] = wire.OpResult{ID: req.Ops[i].ID, Result: wire.OpCreated, Case: res.Case}
				created = true
			}
		}
		wrapUps, at = wrapUps[:0], at[:0]
	}
	for i, op := range req.Ops {
		a, known := opActions[op.Kind]
		switch {
		case !known:
			results[i] = s.refusedOp(r, u, op, sportello.Errorf(sportello.EINVALID, "unknown op kind %q", op.Kind))
		case !Allowed(u.Role, a):
			results[i] = s.refusedOp(r, u, op, forbidden(u, a))
		case op.Kind == wire.OpWrapUp:
			wu, err := opWrapUp(op)
			if err != nil {
				results[i] = s.refusedOp(r, u, op, err)
				continue
			}
			wrapUps, at = append(wrapUps, sportello.WrapUpOp{Actor: u, WrapUp: wu}), append(at, i)
		default: // an offline read: the wrap-ups before it first, in order
			storeWrapUps()
			results[i] = s.offlineReadOp(r, u, op)
		}
	}
	storeWrapUps()
	if created {
		// Pushed before the answer, as for a single wrap-up.
		s.publishNew(r.Context())
	}
	s.writeJSON(w, http.StatusOK, wire.OpsResponse{Results: results})
}

// writeTooLarge answers 413 with an ErrorResponse.
func (s *Server) writeTooLarge(w http.ResponseWriter, r *http.Request, err error) {
	s.logger.Debug("request refused", logMethod, r.Method, logPath, r.URL.Path, logErr, sportello.ErrorMessage(err))
	s.writeJSON(w, http.StatusRequestEntityTooLarge, wire.ErrorResponse{Code: sportello.ErrorCode(err), Message: sportello.ErrorMessage(err)})
}

// opWrapUp reads the wrap-up an op carries: its id is the op's.
func opWrapUp(op wire.Op) (sportello.WrapUp, error) {
	var wu sportello.WrapUp
	if len(op.Body) == 0 {
		return wu, sportello.Errorf(sportello.EINVALID, "op %s has no body", op.ID)
	}
	if err := wire.Decode(bytes.NewReader(op.Body), &wu); err != nil {
		return wu, err
	}
	if wu.ID == "" {
		wu.ID = op.ID
	}
	if wu.ID != op.ID {
		return wu, sportello.Errorf(sportello.EINVALID, "op %s carries a wrap-up with another id", op.ID)
	}
	return wu, nil
}

// offlineReadOp writes an offline read of a batch to the audit log, as
// POST /v1/audit/offline does.
func (s *Server) offlineReadOp(r *http.Request, u *sportello.User, op wire.Op) wire.OpResult {
	var req wire.OfflineRead
	if err := wire.Decode(bytes.NewReader(op.Body), &req); err != nil {
		return s.refusedOp(r, u, op, err)
	}
	if req.ID == "" {
		req.ID = op.ID
	}
	if req.ID != op.ID {
		return s.refusedOp(r, u, op, sportello.Errorf(sportello.EINVALID, "op %s carries an offline read with another id", op.ID))
	}
	id, number, at, reason, err := check.OfflineRead(req.ID, req.At, req.Number, req.Reason, s.Now())
	if err != nil {
		return s.refusedOp(r, u, op, err)
	}
	recorded, err := s.store.RecordAccess(r.Context(), u, id, wire.AccessEntry{At: at, UserID: u.ID, CitizenID: req.CitizenID, Number: number, Reason: reason})
	if err != nil {
		return s.refusedOp(r, u, op, err)
	}
	if !recorded {
		return wire.OpResult{ID: op.ID, Result: wire.OpReplayed}
	}
	s.metrics.inc(`syncd_ops_total{kind="offline_read",result="created"}`)
	s.logger.Info("offline read audited", logAgent, u.Username, "citizen_id", req.CitizenID)
	return wire.OpResult{ID: op.ID, Result: wire.OpCreated}
}

// refusedOp is the result of an op syncd did not record, with the error
// its single endpoint would have answered; internal details are logged,
// never sent.
func (s *Server) refusedOp(r *http.Request, u *sportello.User, op wire.Op, err error) wire.OpResult {
	code, msg := sportello.ErrorCode(err), sportello.ErrorMessage(err)
	if code == sportello.EINTERNAL {
		s.logger.Error("op failed", logMethod, r.Method, logPath, r.URL.Path, "op_id", op.ID, logErr, err)
	} else {
		s.logger.Debug("op refused", logAgent, u.Username, "op_id", op.ID, logCode, code, logErr, msg)
	}
	if op.Kind == wire.OpWrapUp {
		s.metrics.inc(`syncd_ops_total{kind="wrap_up",result="refused"}`)
	}
	return wire.OpResult{ID: op.ID, Result: wire.OpRefused, Error: &wire.ErrorResponse{Code: code, Message: msg}}
}
