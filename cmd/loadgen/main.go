// Command loadgen generates Sportello's load: a big city in a store
// (data), simulated desktops against a running syncd (desktops), and a
// headless softphone agent (agent). `make bench` drives it; see
// docs/BENCHMARKS.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	m := NewMain()
	if path := os.Getenv("LOADGEN_CPUPROFILE"); path != "" {
		// For finding where a loadgen run spends its time.
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if err := m.ParseFlags(ctx, os.Args[1:]); errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	} else if err != nil {
		fmt.Fprintln(m.Stderr, "loadgen:", err)
		os.Exit(2)
	}
	err := m.Run(ctx)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(m.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// The commands of loadgen.
const (
	CommandData     = "data"
	CommandDesktops = "desktops"
	CommandAgent    = "agent"
)

// Main is the program, so that tests run it in-process: ParseFlags, Run,
// then Close.
type Main struct {
	// Command is the command ParseFlags chose; the config of that command
	// is set.
	Command  string
	Data     DataConfig
	Desktops DesktopsConfig
	Agent    AgentConfig
	// Board is the supervisor's-board load (boardload.go).
	Board BoardLoadConfig

	// DataResult and DesktopsResults (one per phase) are what Run of
	// data and desktops measured.
	DataResult      *DataResult
	DesktopsResults []*DesktopsResult
	// BoardResult is what Run of board measured.
	BoardResult *BoardLoadResult

	Stdout, Stderr io.Writer
	Logger         *slog.Logger
	// Now dates the generated data.
	Now func() time.Time

	closers []func() error
}

// NewMain returns a Main on the process's standard streams.
func NewMain() *Main {
	return &Main{
		Data:     DefaultDataConfig(),
		Desktops: DefaultDesktopsConfig(),
		Agent:    DefaultAgentConfig(),
		Board:    DefaultBoardLoadConfig(),
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Now:      time.Now,
	}
}

const usage = `loadgen generates Sportello's load (DESIGN.md, "The load model").

Usage:

	loadgen <command> [flags]

Commands:

	data      generate a big city into a store, with the users of N desktops
	          --db PATH|postgres://URL --citizens N --events M --desktops N
	desktops  run N simulated desktops against a running syncd
	          --url URL --desktops N --ops R --duration D [--syncd-pid PID] [--db ...]
	agent     a headless softphone: listen or register, auto-answer, play a
	          WAV, record, one JSON line per call event
	          --listen ADDR | --registrar URI --user U --password-env VAR
	board     N agents taking calls (presence and wrap-ups) with supervisors'
	          boards open: presence -> board latency
	          --url URL --agents N --boards B --duration D [--db ...]

Run "loadgen <command> -h" for a command's flags.
`

// ParseFlags reads the command line (without the program name). It
// returns flag.ErrHelp after printing help.
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	if m.Logger == nil {
		m.Logger = slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(m.Stdout, usage)
		return flag.ErrHelp
	case CommandData:
		m.Command = CommandData
		return m.parseData(args[1:])
	case CommandDesktops:
		m.Command = CommandDesktops
		return m.parseDesktops(args[1:])
	case CommandAgent:
		m.Command = CommandAgent
		return m.parseAgent(args[1:])
	case CommandBoard:
		m.Command = CommandBoard
		return m.parseBoard(args[1:])
	}
	fmt.Fprint(m.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func (m *Main) newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("loadgen "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	return fs
}

// Run runs the command until it is done or ctx ends.
func (m *Main) Run(ctx context.Context) error {
	switch m.Command {
	case CommandData:
		res, err := m.runData(ctx)
		m.DataResult = res
		return err
	case CommandDesktops:
		res, err := m.runDesktops(ctx)
		m.DesktopsResults = res
		return err
	case CommandAgent:
		return m.runAgent(ctx)
	case CommandBoard:
		res, err := m.runBoard(ctx)
		m.BoardResult = res
		return err
	}
	return errors.New("no command: call ParseFlags first")
}

// Close releases what Run left open.
func (m *Main) Close() error {
	var errs []error
	for i := len(m.closers) - 1; i >= 0; i-- {
		errs = append(errs, m.closers[i]())
	}
	m.closers = nil
	return errors.Join(errs...)
}

// onClose runs fn at Close.
func (m *Main) onClose(fn func() error) { m.closers = append(m.closers, fn) }
