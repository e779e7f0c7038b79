package softphone

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/sportello/sportello"
)

// transferTimeout bounds a blind transfer from the REFER to the target's
// final answer reported by NOTIFY: about the time a desk phone rings.
var transferTimeout = 45 * time.Second

// referTimeout bounds the REFER transaction itself (202 or a refusal).
const referTimeout = 10 * time.Second

// errTransferHungUp: the call ended before the target answered.
var errTransferHungUp = fmt.Errorf("%w: the call ended during the transfer", sportello.ErrTransferFailed)

// Transfer hands the active call callID to target (a number, sent through
// the registrar's domain, or a SIP URI) with a blind transfer: a REFER in
// the call's dialog (RFC 3515). It waits for the other party's NOTIFYs:
// when the target answers (sipfrag 2xx) the phone hangs up and the call
// ends "transferred", and Transfer returns nil; when the REFER is refused
// or the target fails, it returns an error wrapping
// sportello.ErrTransferFailed with the reason and the call stays active.
func (p *Phone) Transfer(callID, target string) error {
	to, _, err := p.dialTarget(target)
	if err != nil {
		return fmt.Errorf("transfer %s to %q: %w", callID, target, err)
	}
	c, err := p.lookup(callID)
	if err != nil {
		return fmt.Errorf("transfer %s: %w", callID, err)
	}
	if c.state() != sportello.CallActive {
		return fmt.Errorf("transfer %s: %w", callID, sportello.ErrCallNotReady)
	}
	if err := c.send(request{cmd: cmdTransfer, target: to, result: make(chan error, 1)}); err != nil {
		return fmt.Errorf("transfer %s to %q: %w", callID, target, err)
	}
	return nil
}

// transfer is a blind transfer under way, owned by the call's goroutine;
// its methods accept a nil receiver (no transfer) so talk's select stays
// flat.
type transfer struct {
	to      sip.Uri
	result  chan error
	notify  chan int // sipfrag status codes, from diago's NOTIFY handler
	timeout *time.Timer
	log     *slog.Logger
}

// startTransfer sends the REFER of r; on refusal it answers r at once and
// returns nil, otherwise the transfer waits for its NOTIFYs.
func startTransfer(s *session, r request, log *slog.Logger) *transfer {
	if s.refer == nil {
		r.result <- fmt.Errorf("%w: this call cannot be transferred", sportello.ErrTransferFailed)
		return nil
	}
	t := &transfer{to: r.target, result: r.result, notify: make(chan int, 8), log: log.With("transfer_to", r.target.String())}
	ctx, cancel := context.WithTimeout(context.Background(), referTimeout)
	defer cancel()
	t.log.Info("blind transfer: sending REFER")
	err := s.refer(ctx, r.target, func(code int) {
		select {
		case t.notify <- code:
		default: // only the final codes matter, and they are few
		}
	})
	if err != nil {
		var refused sipgo.ErrDialogResponse
		if errors.As(err, &refused) && refused.Res != nil {
			err = fmt.Errorf("%w: REFER refused with %d %s", sportello.ErrTransferFailed, refused.Res.StatusCode, refused.Res.Reason)
		} else {
			err = fmt.Errorf("%w: send REFER: %v", sportello.ErrTransferFailed, err)
		}
		t.log.Warn("blind transfer refused", "error", err)
		r.result <- err
		return nil
	}
	t.timeout = time.NewTimer(transferTimeout)
	return t
}

func (t *transfer) notified() <-chan int {
	if t == nil {
		return nil
	}
	return t.notify
}

func (t *transfer) expired() <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.timeout.C
}

// outcome takes one NOTIFY's status code: done reports a final one, and
// err is nil when the target answered.
func (t *transfer) outcome(code int) (done bool, err error) {
	switch {
	case code < 200:
		t.log.Debug("transfer: progress", "code", code)
		return false, nil
	case code < 300:
		t.log.Info("transfer: target answered", "code", code)
		t.finish(nil)
		return true, nil
	default:
		err := fmt.Errorf("%w: the target answered %d %s", sportello.ErrTransferFailed, code, sipfragReasons[code])
		t.log.Warn("transfer failed, the call stays", "code", code)
		t.finish(err)
		return true, err
	}
}

// finish answers the Transfer call waiting on t.
func (t *transfer) finish(err error) {
	if t == nil {
		return
	}
	t.timeout.Stop()
	t.result <- err
}

// abandon ends t with err when the call itself ends.
func (t *transfer) abandon(err error) { t.finish(err) }

// sipfragReasons names the final codes a transfer target commonly gives
// (the sipfrag's own reason phrase is not passed on by diago).
var sipfragReasons = map[int]string{
	403: "Forbidden", 404: "Not Found", 408: "Request Timeout", 480: "Temporarily Unavailable",
	486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here", 500: "Server Internal Error",
	503: "Service Unavailable", 600: "Busy Everywhere", 603: "Decline",
}
