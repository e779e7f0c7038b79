package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// AgentConfig is what "loadgen agent" runs: the project's softphone with
// no window, for load tests and benchmarks (issue 3).
type AgentConfig struct {
	// Listen is the SIP address (UDP) to listen on.
	Listen string
	// Registrar, User and Password register the agent (digest auth);
	// without Registrar it only listens. The password comes from the
	// environment variable PasswordEnv, never from the command line.
	Registrar, User, PasswordEnv string
	// AutoAnswer answers every inbound call after AnswerDelay.
	AutoAnswer  bool
	AnswerDelay time.Duration
	// HangupAfter ends each answered call after this long (0: the other
	// party hangs up).
	HangupAfter time.Duration
	// Play is a WAV file (8 kHz mono 16-bit) played into every call;
	// RecordDir, when set, gets one WAV of what each call heard.
	Play, RecordDir string
	// Dial places one call to this target once started.
	Dial string
	// Duration stops the agent after this long (0: until interrupted).
	Duration time.Duration
}

// DefaultAgentConfig listens on 127.0.0.1:5060.
func DefaultAgentConfig() AgentConfig { return AgentConfig{Listen: "127.0.0.1:5060"} }

func (m *Main) parseAgent(args []string) error {
	fs := m.newFlagSet(CommandAgent)
	c := &m.Agent
	fs.StringVar(&c.Listen, "listen", c.Listen, "SIP address to listen on (UDP); port 0 picks one")
	fs.StringVar(&c.Registrar, "registrar", "", "registrar SIP URI, such as sip:127.0.0.1:5060 (none: listen only)")
	fs.StringVar(&c.User, "user", "", "user to register as")
	fs.StringVar(&c.PasswordEnv, "password-env", "LOADGEN_SIP_PASSWORD", "environment variable holding the digest password")
	fs.BoolVar(&c.AutoAnswer, "auto-answer", false, "answer every inbound call")
	fs.DurationVar(&c.AnswerDelay, "answer-delay", 0, "wait before auto-answering")
	fs.DurationVar(&c.HangupAfter, "hangup-after", 0, "hang up answered calls after this long (0: never)")
	fs.StringVar(&c.Play, "play", "", "WAV file (8 kHz mono 16-bit) to play into each call")
	fs.StringVar(&c.RecordDir, "record", "", "directory for one WAV per call of what it heard")
	fs.StringVar(&c.Dial, "dial", "", "place one call to this number or SIP URI")
	fs.DurationVar(&c.Duration, "duration", 0, "stop after this long (0: until interrupted)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.Registrar != "" && c.User == "" {
		return errors.New("--registrar needs --user")
	}
	return nil
}

// agentEvent is the JSON line printed for each call event.
type agentEvent struct {
	At     time.Time       `json:"at"`
	Event  string          `json:"event"` // started, ringing, answered, ended, registration, error
	Call   *sportello.Call `json:"call,omitempty"`
	Detail string          `json:"detail,omitempty"`
}

func (m *Main) runAgent(ctx context.Context) error {
	c := m.Agent
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(softphone.ManyCallsGCPercent)
	}
	if c.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Duration)
		defer cancel()
	}
	var outMu sync.Mutex
	emit := func(e agentEvent) {
		e.At = time.Now().UTC()
		outMu.Lock()
		defer outMu.Unlock()
		json.NewEncoder(m.Stdout).Encode(e)
	}
	if c.RecordDir != "" {
		if err := os.MkdirAll(c.RecordDir, 0o755); err != nil {
			return err
		}
	}
	devices := func(callID string) (audio.Source, audio.Sink, error) {
		var src audio.Source = audio.Null{}
		var sink audio.Sink = audio.Null{}
		if c.Play != "" {
			s, err := audio.OpenWAV(c.Play)
			if err != nil {
				return nil, nil, err
			}
			src = s
		}
		if c.RecordDir != "" {
			name := strings.Map(func(r rune) rune {
				if r == '/' || r == '\\' || r == 0 {
					return '_'
				}
				return r
			}, callID)
			s, err := audio.CreateWAV(filepath.Join(c.RecordDir, name+".wav"))
			if err != nil {
				return nil, nil, err
			}
			sink = s
		}
		return src, sink, nil
	}
	opts := []softphone.Option{softphone.WithListenAddr(c.Listen), softphone.WithAudio(devices), softphone.WithLogger(m.Logger)}
	if c.AutoAnswer {
		// A load peer answers each call on its own: answering one must
		// not put the others on hold as an operator's phone does.
		opts = append(opts, softphone.WithParallelCalls())
	}
	if c.Registrar != "" {
		opts = append(opts, softphone.WithRegistrar(c.Registrar, c.User, os.Getenv(c.PasswordEnv)))
	}
	p := softphone.New(opts...)
	if err := p.Start(ctx); err != nil {
		return err
	}
	m.onClose(p.Close)
	emit(agentEvent{Event: "listening", Detail: p.Addr()})
	if c.Registrar != "" {
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case r := <-p.Registrations():
					emit(agentEvent{Event: "registration", Detail: fmt.Sprintf("%+v", r)})
				}
			}
		}()
	}
	if c.Dial != "" {
		if _, err := p.Dial(c.Dial); err != nil {
			emit(agentEvent{Event: "error", Detail: "dial: " + err.Error()})
		}
	}
	seen := map[string]sportello.CallState{}
	for {
		select {
		case <-ctx.Done():
			return nil
		case call := <-p.Calls():
			if seen[call.ID] == call.State {
				continue
			}
			first := seen[call.ID] == ""
			seen[call.ID] = call.State
			cl := call
			emit(agentEvent{Event: string(call.State), Call: &cl})
			switch {
			case first && call.State == sportello.CallRinging && c.AutoAnswer:
				go func() {
					if sleep(ctx, c.AnswerDelay) == nil {
						if err := p.Answer(call.ID); err != nil {
							emit(agentEvent{Event: "error", Call: &cl, Detail: "answer: " + err.Error()})
						}
					}
				}()
			case call.State == sportello.CallActive && c.HangupAfter > 0:
				go func() {
					if sleep(ctx, c.HangupAfter) == nil {
						p.Hangup(call.ID)
					}
				}()
			case call.State == sportello.CallEnded:
				delete(seen, call.ID)
			}
		}
	}
}
