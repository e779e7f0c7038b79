package main_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/client"
)

// Scale of the kill -9 test: 50 desktops, 10,000 wrap-ups in all, syncd
// killed once a third of them are acknowledged.
const (
	crashClients = 50
	crashOps     = 10_000
	crashKillAt  = crashOps / 3
	crashBudget  = 2 * time.Minute
)

// buildSyncd builds this package's binary once per test into a temp dir.
func buildSyncd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "syncd")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/sportello/sportello/cmd/syncd").CombinedOutput()
	if err != nil {
		t.Fatalf("build syncd: %v\n%s", err, out)
	}
	return bin
}

// freeAddr returns a 127.0.0.1 address no one listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// syncdProcess is a syncd started as its own process.
type syncdProcess struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when it has exited
}

// startSyncd runs bin serve on db at addr and waits until it answers
// /healthz; the process is killed at the end of the test if still running.
func startSyncd(t *testing.T, bin, db, addr, logPath string, extra ...string) *syncdProcess {
	t.Helper()
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	args := append([]string{"serve", "--db", db, "--listen", addr}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &syncdProcess{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.kill() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.done:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("syncd exited before serving:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("syncd not healthy at %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *syncdProcess) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop asks syncd to shut down (SIGTERM) and waits, killing it after 20 s.
func (p *syncdProcess) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.kill()
	}
}

// crashOp is one wrap-up of the burst and what its sender saw.
type crashOp struct {
	w          sportello.WrapUp
	ackedAlive bool // syncd acknowledged it before the kill
}

// wrapUpCounts returns how many wrap-up events per call id, cases per case
// id and op records per op id syncd's database file holds.
func wrapUpCounts(t *testing.T, path string) (events, cases, ops map[string]int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(q string) map[string]int {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		m := map[string]int{}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				t.Fatal(err)
			}
			m[k] = n
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return m
	}
	events = count(`SELECT call_id, COUNT(*) FROM case_events WHERE kind = 'wrap_up' AND call_id LIKE 'crash-%' GROUP BY call_id`)
	cases = count(`SELECT c.id, COUNT(*) FROM cases c GROUP BY c.id`)
	ops = count(`SELECT o.id, COUNT(*) FROM ops o GROUP BY o.id`)
	return events, cases, ops
}

// TestCrash_KillDuringBurst: 50 desktops push 10,000 idempotent wrap-ups
// through the HTTP API into a syncd process on SQLite; syncd is killed
// with SIGKILL mid-burst and restarted on the same file and port while
// the desktops keep retrying. Every wrap-up acknowledged before the kill
// is in the file right after it, and at the end all 10,000 are there
// exactly once (one wrap-up event, one case, one op record each).
func TestCrash_KillDuringBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a syncd process")
	}
	bin := buildSyncd(t)
	dir := t.TempDir()
	db, addr, logPath := filepath.Join(dir, "syncd.db"), freeAddr(t), filepath.Join(dir, "syncd.log")
	p := startSyncd(t, bin, db, addr, logPath, "--demo")
	url := "http://" + addr

	ctx, cancel := context.WithTimeout(context.Background(), crashBudget)
	defer cancel()

	// 50 desktops on 5 sessions of the demo operator (each sign-in is an
	// argon2id verification; the sessions are in the database, so they
	// outlive the kill).
	clients := make([]*client.Client, crashClients)
	for i := range clients {
		clients[i] = client.New(url, nil)
		clients[i].HTTP.Timeout = 10 * time.Second
		if i%10 == 0 {
			if _, err := clients[i].Login(ctx, "operatore", demo.Password); err != nil {
				t.Fatal(err)
			}
			continue
		}
		clients[i].SetToken(clients[i-i%10].Token())
	}

	card, err := clients[0].LookupCaller(ctx, demo.KnownCaller, "crash test")
	if err != nil || card.Citizen == nil {
		t.Fatalf("demo caller: %+v, %v", card, err)
	}
	ops := make([]crashOp, crashOps)
	for i := range ops {
		ops[i].w = sportello.WrapUp{
			ID: uuid.Must(uuid.NewV7()).String(), NewCaseID: uuid.Must(uuid.NewV7()).String(),
			CallID: fmt.Sprintf("crash-%05d", i), CallerNumber: demo.KnownCaller, CitizenID: card.Citizen.ID,
			Outcome: sportello.OutcomeResolvedFirstContact, Category: "Informazioni", Note: fmt.Sprintf("burst %d", i),
		}
	}

	var (
		killed    atomic.Bool
		acked     atomic.Int64
		retries   atomic.Int64
		killNow   = make(chan struct{})
		killOnce  sync.Once
		failMu    sync.Mutex
		failures  []string
		senders   sync.WaitGroup
		perClient = crashOps / crashClients
	)
	for ci, c := range clients {
		senders.Go(func() {
			for i := ci * perClient; i < (ci+1)*perClient; i++ {
				op := &ops[i]
				for {
					_, err := c.RecordWrapUp(ctx, op.w)
					if err == nil {
						op.ackedAlive = !killed.Load()
						if acked.Add(1) == crashKillAt {
							killOnce.Do(func() { close(killNow) })
						}
						break
					}
					if ctx.Err() != nil {
						return
					}
					if code := sportello.ErrorCode(err); code != sportello.EUNAVAILABLE {
						failMu.Lock()
						failures = append(failures, fmt.Sprintf("%s: %v", op.w.CallID, err))
						failMu.Unlock()
						break
					}
					retries.Add(1)
					time.Sleep(20 * time.Millisecond) // syncd is down: try again
				}
			}
		})
	}

	start := time.Now()
	sent := make(chan struct{})
	go func() { senders.Wait(); close(sent) }()
	select {
	case <-killNow:
	case <-sent:
		t.Fatalf("the desktops stopped with %d acknowledged, %d refused (first: %v)", acked.Load(), len(failures), failures)
	case <-ctx.Done():
		t.Fatalf("only %d of %d acknowledged in %v before the kill", acked.Load(), crashKillAt, crashBudget)
	}
	killed.Store(true)
	p.kill()
	killedAt := time.Since(start)
	ackedAtKill := acked.Load()

	// Durability: with syncd dead, every op it acknowledged is in the file.
	events, _, _ := wrapUpCounts(t, db)
	missing := 0
	for i := range ops {
		if ops[i].ackedAlive && events[ops[i].w.CallID] != 1 {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d wrap-ups acknowledged before SIGKILL are not in the database exactly once", missing)
	}
	t.Logf("killed after %v with %d acknowledged; %d wrap-ups in the file", killedAt.Round(time.Millisecond), ackedAtKill, len(events))

	time.Sleep(300 * time.Millisecond) // the desktops find syncd gone
	p = startSyncd(t, bin, db, addr, logPath)
	senders.Wait()
	if ctx.Err() != nil {
		t.Fatalf("burst not finished within %v: %d of %d acknowledged", crashBudget, acked.Load(), crashOps)
	}
	if len(failures) > 0 {
		t.Fatalf("%d wrap-ups refused, first: %s", len(failures), failures[0])
	}
	p.stop()
	t.Logf("10,000 wrap-ups in %v, %d retries while syncd was down", time.Since(start).Round(time.Millisecond), retries.Load())

	events, cases, opRows := wrapUpCounts(t, db)
	var aliveAcked, wrong int
	for i := range ops {
		op := &ops[i]
		if op.ackedAlive {
			aliveAcked++
		}
		if events[op.w.CallID] != 1 || cases[op.w.NewCaseID] != 1 || opRows[op.w.ID] != 1 {
			if wrong < 5 {
				t.Errorf("%s: %d wrap-up events, %d cases, %d op records; want 1 each", op.w.CallID, events[op.w.CallID], cases[op.w.NewCaseID], opRows[op.w.ID])
			}
			wrong++
		}
	}
	if wrong > 0 {
		t.Fatalf("%d of %d wrap-ups not present exactly once", wrong, crashOps)
	}
	if len(events) != crashOps {
		t.Fatalf("%d burst wrap-ups in the database, want %d", len(events), crashOps)
	}
	if aliveAcked < crashKillAt || int64(aliveAcked) > ackedAtKill {
		t.Fatalf("%d wrap-ups marked acknowledged before the kill, want %d to %d", aliveAcked, crashKillAt, ackedAtKill)
	}
}
