package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// Replica is the desktop's durable local copy (sync/sqlite.Replica): the
// outbox of changes syncd has not accepted yet, the caller cards last seen
// and the change cursor. With a Replica the desktop keeps working while
// syncd is unreachable: wrap-ups are kept and sent on reconnect, callers
// are looked up in the copy.
type Replica interface {
	// Enqueue stores op durably at the end of the outbox; an op with the
	// same id already there is left as it is.
	Enqueue(ctx context.Context, op wire.Op) error
	// Outbox returns the ops waiting to be sent, oldest first.
	Outbox(ctx context.Context) ([]wire.Op, error)
	// Sent removes an op syncd accepted.
	Sent(ctx context.Context, id string) error
	// Attempted counts a failed try.
	Attempted(ctx context.Context, id string) error
	// Reject keeps an op syncd refused, with why, and stops sending it.
	Reject(ctx context.Context, id, reason string) error
	PutCard(ctx context.Context, card *sportello.CallerCard) error
	// Card returns the kept card of a number, or ENOTFOUND.
	Card(ctx context.Context, number string) (*sportello.CallerCard, error)
	Cursor(ctx context.Context) (int64, error)
	SetCursor(ctx context.Context, seq int64) error
	// Wipe removes everything, on sign-out.
	Wipe(ctx context.Context) error
}

// FlushEvery is how often a non-empty outbox is retried while syncd is
// unreachable, besides every reconnect.
const FlushEvery = 5 * time.Second

// newID returns a UUIDv7: time-ordered, made here so that a change made
// offline has its final id.
func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// sendResult is what syncd said of one op.
type sendResult struct {
	k   *sportello.Case
	err error // nil: accepted; EUNAVAILABLE: not sent; else refused
}

// flush sends the outbox in order, in batches of up to
// wire.MaxOpsPerBatch ops (POST /v1/ops; one op per request to a syncd
// without it), stopping at the first op syncd could not be reached for:
// that op and those after it stay queued. It returns what happened to
// each op it tried.
func (c *Client) flush(ctx context.Context) map[string]sendResult {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	results := map[string]sendResult{}
	if c.Replica == nil || c.Token() == "" {
		return results
	}
	defer c.updatePending(ctx)
	ops, err := c.Replica.Outbox(ctx)
	if err != nil {
		c.logger.Error("read outbox", logErr, err)
		return results
	}
	for len(ops) > 0 {
		batch := nextBatch(ops)
		ops = ops[len(batch):]
		if c.noBatch {
			for _, op := range batch {
				k, err := c.sendOne(ctx, op)
				if !c.settle(ctx, op, k, err, results) {
					return results
				}
			}
			continue
		}
		sent, err := c.pushOps(ctx, batch)
		switch code := sportello.ErrorCode(err); {
		case err == nil:
		case code == sportello.EUNAVAILABLE || code == sportello.EUNAUTHORIZED || ctx.Err() != nil:
			c.settle(ctx, batch[0], nil, err, results)
			return results
		default:
			// An older syncd (no such route: one op per request from now
			// on), or a batch it would not take whole: one op per request,
			// so that only a bad op is refused.
			if code == sportello.ENOTFOUND {
				c.noBatch = true
				c.logger.Info("syncd takes one op per request", logErr, err)
			}
			for _, op := range batch {
				k, err := c.sendOne(ctx, op)
				if !c.settle(ctx, op, k, err, results) {
					return results
				}
			}
			continue
		}
		for i, op := range batch {
			r := sent[i]
			var err error
			if r.Result == wire.OpRefused {
				err = sportello.Errorf(sportello.EINTERNAL, "refused")
				if r.Error != nil {
					err = r.Error.Err()
				}
			}
			if !c.settle(ctx, op, r.Case, err, results) {
				return results
			}
		}
	}
	return results
}

// nextBatch returns the first ops of the outbox that fit one POST /v1/ops.
func nextBatch(ops []wire.Op) []wire.Op {
	size := 0
	for i, op := range ops {
		size += len(op.Body) + len(op.ID) + 64
		if i == wire.MaxOpsPerBatch || i > 0 && size > wire.MaxBatchBytes/2 {
			return ops[:i]
		}
	}
	return ops
}

// pushOps sends a batch and returns syncd's result for each op, in order.
func (c *Client) pushOps(ctx context.Context, batch []wire.Op) ([]wire.OpResult, error) {
	req := wire.OpsRequest{Ops: make([]wire.Op, len(batch))}
	for i, op := range batch {
		req.Ops[i] = wire.Op{ID: op.ID, Kind: op.Kind, Body: op.Body}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode ops: %w", err)
	}
	var resp wire.OpsResponse
	if err := c.doRaw(ctx, http.MethodPost, "/v1/ops", body, &resp); err != nil {
		return nil, err
	}
	if len(resp.Results) != len(batch) {
		return nil, sportello.Errorf(sportello.EUNAVAILABLE, "syncd answered %d results for %d ops", len(resp.Results), len(batch))
	}
	for i, r := range resp.Results {
		if r.ID != batch[i].ID {
			return nil, sportello.Errorf(sportello.EUNAVAILABLE, "syncd answered op %s where %s was sent", r.ID, batch[i].ID)
		}
	}
	return resp.Results, nil
}

// sendOne sends one op to its own endpoint.
func (c *Client) sendOne(ctx context.Context, op wire.Op) (*sportello.Case, error) {
	switch op.Kind {
	case wire.OpWrapUp:
		var k sportello.Case
		if err := c.doRaw(ctx, http.MethodPost, "/v1/wrapups", op.Body, &k); err != nil {
			return nil, err
		}
		return &k, nil
	case wire.OpOfflineRead:
		return nil, c.sendOfflineRead(ctx, op) // offlineaudit.go
	}
	return nil, sportello.Errorf(sportello.EINVALID, "unknown op kind %q", op.Kind)
}

// settle records what syncd said of an op: accepted (err nil) or refused,
// it leaves the outbox; not sent (syncd unreachable, the session ended),
// it stays, and settle returns false: the ops after it wait too.
func (c *Client) settle(ctx context.Context, op wire.Op, k *sportello.Case, err error, results map[string]sendResult) bool {
	switch code := sportello.ErrorCode(err); {
	case err == nil:
		if err := c.Replica.Sent(ctx, op.ID); err != nil {
			c.logger.Error("outbox: mark sent", "op_id", op.ID, logErr, err)
		}
		c.rememberCase(ctx, k)
		results[op.ID] = sendResult{k: k}
		return true
	case code == sportello.EUNAVAILABLE || code == sportello.EUNAUTHORIZED || ctx.Err() != nil:
		// Not sent: syncd is down, or the session ended; try again later.
		_ = c.Replica.Attempted(ctx, op.ID)
		results[op.ID] = sendResult{err: err}
		return false
	default:
		c.logger.Warn("outbox: syncd refused an op", "op_id", op.ID, logErr, err)
		if err := c.Replica.Reject(ctx, op.ID, sportello.ErrorMessage(err)); err != nil {
			c.logger.Error("outbox: mark rejected", "op_id", op.ID, logErr, err)
		}
		results[op.ID] = sendResult{err: err}
		return true
	}
}

// updatePending puts the outbox's length in the state.
func (c *Client) updatePending(ctx context.Context) {
	ops, err := c.Replica.Outbox(context.WithoutCancel(ctx))
	if err != nil {
		return
	}
	c.setState(func(s *sportello.SyncState) { s.Pending = pendingChanges(ops) })
}

// kickFlush asks the flush loop to send the outbox now.
func (c *Client) kickFlush() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// flushLoop sends the outbox on every kick (reconnects) and, while it is
// not empty, every FlushEvery.
func (c *Client) flushLoop(ctx context.Context) {
	t := time.NewTicker(FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.kick:
		case <-t.C:
			if c.State().Pending == 0 {
				continue
			}
		}
		c.flush(ctx)
	}
}

// recordWrapUpQueued is RecordWrapUp with a replica: the wrap-up is on
// disk before anything is sent, so a crash or an unreachable syncd loses
// nothing; syncd's answer is returned when it came, else the case as this
// desktop sees it, marked Pending.
func (c *Client) recordWrapUpQueued(ctx context.Context, w sportello.WrapUp) (*sportello.Case, error) {
	body, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("encode wrap-up: %w", err)
	}
	if err := c.Replica.Enqueue(ctx, wire.Op{ID: w.ID, Kind: wire.OpWrapUp, Body: body, CreatedAt: c.Now().UTC()}); err != nil {
		return nil, fmt.Errorf("keep wrap-up on this desktop: %w", err)
	}
	res, tried := c.flush(ctx)[w.ID]
	if tried && res.err == nil {
		return res.k, nil
	}
	if tried && sportello.ErrorCode(res.err) != sportello.EUNAVAILABLE && sportello.ErrorCode(res.err) != sportello.EUNAUTHORIZED {
		return nil, res.err
	}
	k := c.provisionalCase(ctx, w)
	c.rememberCase(ctx, k)
	return k, nil
}

// provisionalCase builds the case the way syncd will, from the kept card,
// so that the operator sees the wrap-up in the history at once.
func (c *Client) provisionalCase(ctx context.Context, w sportello.WrapUp) *sportello.Case {
	now := c.Now().UTC()
	author := sportello.User{}
	if u := c.User(); u != nil {
		author = *u
	}
	ev := func(kind sportello.EventKind, caseID string) *sportello.CaseEvent {
		return &sportello.CaseEvent{ID: newID(), CaseID: caseID, Kind: kind, At: now, AuthorID: author.ID, Author: author.Name, CallID: w.CallID}
	}
	var k *sportello.Case
	if w.CaseID != "" {
		if card, err := c.Replica.Card(ctx, w.CallerNumber); err == nil {
			for _, have := range card.Cases {
				if have.ID == w.CaseID {
					k = have
				}
			}
		}
	}
	if k == nil {
		id := w.CaseID
		if id == "" {
			id = w.NewCaseID
		}
		k = &sportello.Case{ID: id, CitizenID: w.CitizenID}
		if w.CaseID == "" {
			opened := ev(sportello.EventOpened, id)
			opened.Category, opened.Note = w.Category, w.Note
			_ = k.Apply(opened)
		}
	}
	call := ev(sportello.EventCall, k.ID)
	call.Number = w.CallerNumber
	wrap := ev(sportello.EventWrapUp, k.ID)
	wrap.Outcome, wrap.Note = w.Outcome, w.Note
	for _, e := range []*sportello.CaseEvent{call, wrap} {
		if len(k.Events) == 0 {
			k.Events = append(k.Events, e) // a case known only by id: history only
			continue
		}
		_ = k.Apply(e)
	}
	k.Pending = true
	return k
}

// rememberCase puts a case on the kept card of its caller, so that an
// offline lookup shows it.
func (c *Client) rememberCase(ctx context.Context, k *sportello.Case) {
	if c.Replica == nil || k == nil {
		return
	}
	number := ""
	for _, e := range k.Events {
		if e.Kind == sportello.EventCall && e.Number != "" {
			number = e.Number
		}
	}
	if number == "" {
		return
	}
	card, err := c.Replica.Card(ctx, number)
	if err != nil {
		return
	}
	i := slices.IndexFunc(card.Cases, func(x *sportello.Case) bool { return x.ID == k.ID })
	if i >= 0 {
		card.Cases[i] = k
	} else {
		card.Cases = append([]*sportello.Case{k}, card.Cases...)
	}
	if err := c.Replica.PutCard(ctx, card); err != nil {
		c.logger.Warn("keep card", logErr, err)
	}
}

// Logout ends the session on syncd and wipes the replica: nothing of the
// user's citizens stays on the desktop. Ops still in the outbox are sent
// first when syncd can be reached; Logout refuses to drop them otherwise
// (ECONFLICT) unless force is set.
func (c *Client) Logout(ctx context.Context, force bool) error {
	if c.Replica != nil {
		c.flush(ctx)
		if ops, err := c.Replica.Outbox(ctx); err == nil && len(ops) > 0 && !force {
			return sportello.Errorf(sportello.ECONFLICT, "%d changes are not yet on syncd: sign out when it is reachable, or force it and lose them", len(ops))
		}
	}
	err := c.do(ctx, http.MethodPost, "/v1/logout", nil, nil)
	if code := sportello.ErrorCode(err); code == sportello.ENOTFOUND || code == sportello.EINVALID || code == sportello.EUNAUTHORIZED {
		err = nil // an older syncd, or the session has expired already
	}
	_ = c.Close()
	c.mu.Lock()
	c.token, c.user = "", nil
	c.state, c.atHead = sportello.SyncState{}, false
	c.mu.Unlock()
	if c.Replica != nil {
		if werr := c.Replica.Wipe(context.WithoutCancel(ctx)); werr != nil {
			return fmt.Errorf("wipe replica: %w", werr)
		}
	}
	return err
}
