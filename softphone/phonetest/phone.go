// Package phonetest provides a hand-written fake of sportello.Phone for
// tests of the code above the softphone.
package phonetest

import (
	"context"

	"github.com/sportello/sportello"
)

var _ sportello.Phone = (*Phone)(nil)

// Phone is a fake phone: tests push calls into CallsCh and set the
// function fields they expect to be called.
type Phone struct {
	CallsCh chan sportello.Call

	StartFn  func(ctx context.Context) error
	AnswerFn func(callID string) error
	HangupFn func(callID string) error
	CloseFn  func() error
	AddrText string
}

// New returns a fake phone with a buffered call channel.
func New() *Phone {
	return &Phone{CallsCh: make(chan sportello.Call, 16), AddrText: "udp 127.0.0.1:5060"}
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
func (p *Phone) Answer(id string) error { return p.AnswerFn(id) }

// Hangup calls HangupFn.
func (p *Phone) Hangup(id string) error { return p.HangupFn(id) }

// Close calls CloseFn when set.
func (p *Phone) Close() error {
	if p.CloseFn == nil {
		return nil
	}
	return p.CloseFn()
}
