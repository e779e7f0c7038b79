// Package phonetest provides a hand-written fake of sportello.Phone for
// tests of the code above the softphone.
package phonetest

import (
	"context"
	"sync"

	"github.com/sportello/sportello"
)

var _ sportello.Phone = (*Phone)(nil)

// Phone is a fake phone: tests push calls into CallsCh, key presses into
// DTMFCh and registrations into RegsCh, and set the function fields they
// expect to be called. An unset field answers nil (Dial: "call-out-1").
type Phone struct {
	CallsCh  chan sportello.Call
	DTMFCh   chan sportello.DTMF
	RegsCh   chan sportello.PhoneRegistration
	AddrText string

	StartFn  func(ctx context.Context) error
	AnswerFn func(callID string) error
	HangupFn func(callID string) error
	// RejectFn answers Reject and ReregisterFn Reregister.
	RejectFn     func(callID string) error
	ReregisterFn func() error
	DialFn       func(target string) (string, error)
	HoldFn       func(callID string) error
	ResumeFn     func(callID string) error
	MuteFn       func(callID string, on bool) error
	RecordFn     func(callID string, on bool) error
	SendDTMFFn   func(callID, keys string) error
	TransferFn   func(callID, target string) error
	// ConsultFn answers Consult; unset, it returns "consult-1".
	ConsultFn          func(callID, target string) (string, error)
	CompleteTransferFn func(callID, consultID string) error
	CancelTransferFn   func(callID, consultID string) error
	CloseFn            func() error

	mu  sync.Mutex
	reg sportello.PhoneRegistration
}

// New returns a fake phone with buffered channels.
func New() *Phone {
	return &Phone{
		CallsCh:  make(chan sportello.Call, 16),
		DTMFCh:   make(chan sportello.DTMF, 16),
		RegsCh:   make(chan sportello.PhoneRegistration, 16),
		AddrText: "udp 127.0.0.1:5060",
	}
}

// Start calls StartFn when set.
func (p *Phone) Start(ctx context.Context) error {
	if p.StartFn == nil {
		return nil
	}
	return p.StartFn(ctx)
}

// Addr returns AddrText.
func (p *Phone) Addr() string { return p.AddrText }

// Calls returns CallsCh.
func (p *Phone) Calls() <-chan sportello.Call { return p.CallsCh }

// Answer calls AnswerFn.
func (p *Phone) Answer(id string) error { return call1(p.AnswerFn, id) }

// Hangup calls HangupFn.
func (p *Phone) Hangup(id string) error { return call1(p.HangupFn, id) }

// Reject calls RejectFn.
func (p *Phone) Reject(id string) error { return call1(p.RejectFn, id) }

// Reregister calls ReregisterFn when set.
func (p *Phone) Reregister() error {
	if p.ReregisterFn == nil {
		return nil
	}
	return p.ReregisterFn()
}

// Dial calls DialFn; unset, it returns "call-out-1".
func (p *Phone) Dial(target string) (string, error) {
	if p.DialFn == nil {
		return "call-out-1", nil
	}
	return p.DialFn(target)
}

// Hold calls HoldFn.
func (p *Phone) Hold(id string) error { return call1(p.HoldFn, id) }

// Resume calls ResumeFn.
func (p *Phone) Resume(id string) error { return call1(p.ResumeFn, id) }

// Record calls RecordFn.
func (p *Phone) Record(id string, on bool) error {
	if p.RecordFn == nil {
		return nil
	}
	return p.RecordFn(id, on)
}

// Mute calls MuteFn.
func (p *Phone) Mute(id string, on bool) error {
	if p.MuteFn == nil {
		return nil
	}
	return p.MuteFn(id, on)
}

// SendDTMF calls SendDTMFFn.
func (p *Phone) SendDTMF(id, keys string) error {
	if p.SendDTMFFn == nil {
		return nil
	}
	return p.SendDTMFFn(id, keys)
}

// Transfer calls TransferFn.
func (p *Phone) Transfer(id, target string) error {
	if p.TransferFn == nil {
		return nil
	}
	return p.TransferFn(id, target)
}

// Consult calls ConsultFn; unset, it returns "consult-1".
func (p *Phone) Consult(id, target string) (string, error) {
	if p.ConsultFn == nil {
		return "consult-1", nil
	}
	return p.ConsultFn(id, target)
}

// CompleteTransfer calls CompleteTransferFn.
func (p *Phone) CompleteTransfer(id, consultID string) error {
	if p.CompleteTransferFn == nil {
		return nil
	}
	return p.CompleteTransferFn(id, consultID)
}

// CancelTransfer calls CancelTransferFn.
func (p *Phone) CancelTransfer(id, consultID string) error {
	if p.CancelTransferFn == nil {
		return nil
	}
	return p.CancelTransferFn(id, consultID)
}

// DTMF returns DTMFCh.
func (p *Phone) DTMF() <-chan sportello.DTMF { return p.DTMFCh }

// Registration returns what SetRegistration last set.
func (p *Phone) Registration() sportello.PhoneRegistration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reg
}

// Registrations returns RegsCh.
func (p *Phone) Registrations() <-chan sportello.PhoneRegistration { return p.RegsCh }

// SetRegistration makes r the current registration and sends it on RegsCh,
// as the softphone does on every change.
func (p *Phone) SetRegistration(r sportello.PhoneRegistration) {
	p.mu.Lock()
	p.reg = r
	p.mu.Unlock()
	p.RegsCh <- r
}

// Close calls CloseFn when set.
func (p *Phone) Close() error {
	if p.CloseFn == nil {
		return nil
	}
	return p.CloseFn()
}

func call1(f func(string) error, id string) error {
	if f == nil {
		return nil
	}
	return f(id)
}
