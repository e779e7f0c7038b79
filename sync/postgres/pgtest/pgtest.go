// Package pgtest starts a throwaway PostgreSQL server for tests, from the
// binaries of Debian's postgresql package: initdb in a temporary directory,
// postgres on a free port of 127.0.0.1 (its unix socket in that directory),
// one fresh database per test, and the server stopped when the tests end.
//
// A package's tests use it with
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// and pgtest.DSN(t) in each test that needs a database. Without PostgreSQL
// installed a test is skipped, or fails when SPORTELLO_REQUIRE_REAL=1 (as
// make test sets it).
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvBin names a directory holding initdb and postgres, to use instead of
// the newest /usr/lib/postgresql/*/bin.
const EnvBin = "SPORTELLO_PG_BIN"

// EnvDurable set to 1 starts the server with fsync, synchronous_commit
// and full_page_writes on (cmd/loadgen's benchmarks of durable commits);
// by default they are off.
const EnvDurable = "SPORTELLO_PGTEST_DURABLE"

// EnvDir names a directory to keep the cluster in between runs, instead
// of a temporary one removed when the server stops: cmd/loadgen's
// BenchmarkCity keeps the city it generates there (14 minutes to make at
// the load model's scale). A directory without a cluster gets one.
const EnvDir = "SPORTELLO_PGTEST_DIR"

// EnvRequireReal makes a missing PostgreSQL a test failure, not a skip.
const EnvRequireReal = "SPORTELLO_REQUIRE_REAL"

// superuser is the cluster's superuser; connections from 127.0.0.1 are trusted.
const superuser = "sportello"

// startTimeout bounds initdb plus the server's start.
const startTimeout = 60 * time.Second

// Server is a running PostgreSQL cluster of a test binary.
type Server struct {
	dir  string // data/, the socket, the log: temporary unless kept
	keep bool   // dir is EnvDir's, kept when the server stops
	port int
	cmd  *exec.Cmd
	done chan struct{} // closed when postgres exits
	dbs  atomic.Int64  // databases made, for their names
}

var (
	shared    *Server
	sharedErr error
	once      sync.Once
	mu        sync.Mutex
)

// Main runs the tests of m and stops the shared server, if a test started
// it; call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if shared != nil {
		shared.Stop()
	}
	return code
}

// Start returns the test binary's server, starting it on first use. Without
// PostgreSQL it skips t (or fails it under SPORTELLO_REQUIRE_REAL=1).
func Start(t testing.TB) *Server {
	t.Helper()
	once.Do(func() {
		mu.Lock()
		defer mu.Unlock()
		shared, sharedErr = start()
	})
	if sharedErr != nil {
		if errors.Is(sharedErr, errNotInstalled) && os.Getenv(EnvRequireReal) != "1" {
			t.Skipf("PostgreSQL: %v (install Debian's postgresql package, or set %s)", sharedErr, EnvBin)
		}
		t.Fatalf("PostgreSQL: %v", sharedErr)
	}
	return shared
}

// DSN returns the URL of a new, empty database on the shared server,
// dropped when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	return Start(t).NewDatabase(t)
}

// NewDatabase creates an empty database, dropped when t ends, and returns
// its URL.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), s.dbs.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.admin(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// WITH (FORCE) ends connections a store left open.
		if err := s.admin(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	return s.URL(name)
}

// URL returns the connection URL of a database on the server.
func (s *Server) URL(database string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", superuser, s.port, database)
}

// Dir returns the directory of the cluster's data, socket and log.
func (s *Server) Dir() string { return s.dir }

// admin runs one statement on the postgres database.
func (s *Server) admin(ctx context.Context, sql string) error { return s.exec(ctx, "postgres", sql) }

// exec runs sql (statements separated by semicolons) on a database.
func (s *Server) exec(ctx context.Context, database, sql string) error {
	conn, err := pgx.Connect(ctx, s.URL(database))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// Stop shuts the server down (fast: sessions are ended) and removes its
// directory, unless it is EnvDir's.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
		}
	}
	if !s.keep {
		os.RemoveAll(s.dir)
	}
}

var errNotInstalled = errors.New("initdb and postgres not found")

// binDir finds the directory of initdb and postgres: $SPORTELLO_PG_BIN, the
// newest /usr/lib/postgresql/N/bin (Debian keeps them off PATH), or PATH.
func binDir() (string, error) {
	if d := os.Getenv(EnvBin); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if d := filepath.Dir(p); isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errNotInstalled
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// start makes a cluster in a new temporary directory and starts it.
func start() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	s := &Server{}
	if kept := os.Getenv(EnvDir); kept != "" {
		if s.dir, err = filepath.Abs(kept); err == nil {
			err = os.MkdirAll(s.dir, 0o700)
		}
		s.keep = true
	} else {
		s.dir, err = os.MkdirTemp("", "sportello-pg-")
	}
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Server, error) {
		if !s.keep {
			os.RemoveAll(s.dir)
		}
		return nil, err
	}
	cred, err := credential(s.dir)
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	data := filepath.Join(s.dir, "data")
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil { // no cluster yet
		os.RemoveAll(data) // what a cut-short initdb left
		initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data, "-U", superuser,
			"--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions")
		initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		initdb.Dir = s.dir
		if out, err := initdb.CombinedOutput(); err != nil {
			return fail(fmt.Errorf("initdb: %v\n%s", err, out))
		}
	}
	// The port is free when chosen and taken a moment later by postgres;
	// another process taking it in between makes postgres exit: try again.
	for attempt := 0; ; attempt++ {
		if err := s.run(ctx, bin, data, cred); err == nil {
			return s, nil
		} else if attempt == 2 || ctx.Err() != nil {
			return fail(err)
		}
	}
}

// run starts postgres on a free port and waits until it takes connections.
func (s *Server) run(ctx context.Context, bin, data string, cred *syscall.Credential) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	logPath := filepath.Join(s.dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	// Durability is not under test here: fsync off keeps the suite quick
	// on a shared machine. Benchmarks of durable commits set EnvDurable.
	durability := "off"
	if os.Getenv(EnvDurable) == "1" {
		durability = "on"
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port),
		"-k", s.dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync="+durability,
		"-c", "synchronous_commit="+durability, "-c", "full_page_writes="+durability, "-c", "max_connections=200")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Pdeathsig: a test binary killed by a timeout takes its server along.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.cmd, s.done, s.port = cmd, done, port
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(pctx, s.URL("postgres"))
		cancel()
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		select {
		case <-done:
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("postgres exited at start: %s", tail(string(log), 2000))
		case <-ctx.Done():
			s.Stop()
			return fmt.Errorf("postgres did not start within %v: %w", startTimeout, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// credential returns whom initdb and postgres run as: the current user, or,
// for root (whom initdb refuses), the postgres user of Debian's package or
// nobody, who is given dir.
func credential(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
	}
	return nil, errors.New("running as root and no postgres or nobody user to run PostgreSQL as")
}

// freePort returns a TCP port of 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
