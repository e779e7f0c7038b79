package main_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello"
	main "github.com/sportello/sportello/cmd/loadgen"
	"github.com/sportello/sportello/sync/postgres"
	"github.com/sportello/sportello/sync/postgres/pgtest"
	"github.com/sportello/sportello/sync/sqlite"
)

// benchScale is the scale of BenchmarkCity: DESIGN.md's load model unless
// SPORTELLO_BENCH_* say otherwise (the machine may not hold it).
type benchScale struct {
	citizens, events, desktops int
	ops                        float64
	duration                   time.Duration
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func scaleFromEnv() benchScale {
	s := benchScale{
		citizens: envInt("SPORTELLO_BENCH_CITIZENS", 1_000_000),
		events:   envInt("SPORTELLO_BENCH_EVENTS", 10_000_000),
		desktops: envInt("SPORTELLO_BENCH_DESKTOPS", 2000),
		ops:      float64(envInt("SPORTELLO_BENCH_OPS", 1000)),
		duration: 30 * time.Second,
	}
	if d, err := time.ParseDuration(os.Getenv("SPORTELLO_BENCH_DURATION")); err == nil {
		s.duration = d
	}
	return s
}

// pushConfig is one run of desktops against a fresh syncd: its phases
// are op rates, in order, on the same WebSockets.
type pushConfig struct {
	desktops int
	rates    []float64
}

// pushes are the push benchmark's runs: the load model's desktops at a
// hundredth of its rate, then at its rate; a tenth of the desktops at a
// tenth of the rate, then at the rate. This machine does not sustain the
// load model (docs/BENCHMARKS.md); the smaller runs show where it stands.
func (s benchScale) pushes() []pushConfig {
	var out []pushConfig
	for _, d := range []struct{ desktops, rateDiv int }{{1, 100}, {10, 10}} {
		n := s.desktops / d.desktops
		if n < 3 {
			continue
		}
		rates := []float64{s.ops}
		if low := s.ops / float64(d.rateDiv); low >= 1 {
			rates = []float64{low, s.ops}
		}
		out = append(out, pushConfig{desktops: n, rates: rates})
	}
	return out
}

func (s benchScale) String() string {
	return fmt.Sprintf("%d citizens, %d events, %d desktops, %.0f ops/s for %s", s.citizens, s.events, s.desktops, s.ops, s.duration)
}

// BenchmarkCity runs issue 4's benchmarks on SQLite, then on PostgreSQL:
// the screen-pop query inside syncd's store on the big city, and N
// desktops over real WebSockets against a syncd process with ops at the
// load model's rate (push latency, syncd's memory). Both cities are
// kept in build/bench/ and reused: the SQLite file, and the PostgreSQL
// cluster (postgres/). It ends with a summary and the ratios.
func BenchmarkCity(b *testing.B) {
	scale := scaleFromEnv()
	fmt.Printf("BenchmarkCity scale: %s\n", scale)
	syncd := buildSyncd(b)
	results := map[string]map[string]float64{}

	path, gen := prepareSQLite(b, scale)
	results["sqlite"] = map[string]float64{"generate_s": gen.Seconds()}
	b.Run("ScreenPop/sqlite", func(b *testing.B) {
		db := sqlite.New(path)
		if err := db.Open(); err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		screenPop(b, db, scale, results["sqlite"])
	})
	for _, pc := range scale.pushes() {
		b.Run(fmt.Sprintf("Push/sqlite/%d-desktops", pc.desktops), func(b *testing.B) { push(b, syncd, path, scale, pc, results["sqlite"]) })
	}

	if !strings.Contains(cmp.Or(os.Getenv("SPORTELLO_BENCH_STORES"), "sqlite,postgres"), "postgres") {
		summarize(scale, results) // SPORTELLO_BENCH_STORES=sqlite: the PostgreSQL city at full scale takes 14 minutes to make the first time
		return
	}
	dsn, gen := preparePostgres(b, scale)
	if dsn != "" {
		results["postgres"] = map[string]float64{"generate_s": gen.Seconds()}
		b.Run("ScreenPop/postgres", func(b *testing.B) {
			db := postgres.New(dsn)
			if err := db.Open(); err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			screenPop(b, db, scale, results["postgres"])
		})
		for _, pc := range scale.pushes() {
			b.Run(fmt.Sprintf("Push/postgres/%d-desktops", pc.desktops), func(b *testing.B) { push(b, syncd, dsn, scale, pc, results["postgres"]) })
		}
	}
	summarize(scale, results)
}

// buildSyncd builds cmd/syncd, which the push benchmark runs as its own
// process so that its memory is syncd's alone.
func buildSyncd(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "syncd")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/sportello/sportello/cmd/syncd").CombinedOutput()
	if err != nil {
		b.Fatalf("build syncd: %v\n%s", err, out)
	}
	return bin
}

// benchDir is where the generated SQLite city is kept between runs.
func benchDir(b *testing.B) string {
	dir := os.Getenv("SPORTELLO_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "build", "bench")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	return dir
}

// prepareSQLite returns the SQLite city of scale, generating it (into a
// temporary name, renamed when complete) unless it is there already; the
// duration is that of the generation, 0 when reused.
func prepareSQLite(b *testing.B, s benchScale) (string, time.Duration) {
	path := filepath.Join(benchDir(b), fmt.Sprintf("sqlite-c%d-e%d.db", s.citizens, s.events))
	if _, err := os.Stat(path); err == nil {
		// The users of more desktops than the city was made for are added.
		runLoadgen(b, "data", "--db", path, "--citizens", "0", "--events", "0", "--desktops", strconv.Itoa(s.desktops))
		fmt.Printf("sqlite: reusing %s\n", path)
		return path, 0
	}
	tmp := path + ".tmp"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	res := runLoadgen(b, "data", "--db", tmp, "--citizens", strconv.Itoa(s.citizens), "--events", strconv.Itoa(s.events),
		"--desktops", strconv.Itoa(s.desktops), "--progress", "60s").DataResult
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("sqlite: generated %s in %s\n", path, res.Elapsed.Round(time.Second))
	return path, res.Elapsed
}

// preparePostgres returns the PostgreSQL city of scale, in a cluster kept
// in build/bench/postgres/ with fsync on so that commits are durable: it
// generates the city (into a database of a temporary name, renamed when
// complete) unless it is there already; the duration is that of the
// generation, 0 when reused. It returns "" when PostgreSQL is not
// installed.
func preparePostgres(b *testing.B, s benchScale) (string, time.Duration) {
	// pgtest runs with fsync off (its tests check logic) in a temporary
	// directory; the benchmark measures durable commits, and keeps its city.
	// The benchmark binary runs no test that would have started the server
	// before.
	os.Setenv(pgtest.EnvDurable, "1")
	os.Setenv(pgtest.EnvDir, filepath.Join(benchDir(b), "postgres"))
	srv := pgtest.Start(b)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, srv.URL("postgres"))
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	var fsync, syncCommit string
	admin.QueryRow(ctx, `SHOW fsync`).Scan(&fsync)
	admin.QueryRow(ctx, `SHOW synchronous_commit`).Scan(&syncCommit)
	if fsync != "on" || syncCommit != "on" {
		fmt.Printf("postgres: WARNING: commits are not durable (fsync=%s, synchronous_commit=%s): the server was started before\n", fsync, syncCommit)
	}
	name := fmt.Sprintf("city_c%d_e%d", s.citizens, s.events)
	var found bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&found); err != nil {
		b.Fatal(err)
	}
	if found {
		// The users of more desktops than the city was made for are added.
		runLoadgen(b, "data", "--db", srv.URL(name), "--citizens", "0", "--events", "0", "--desktops", strconv.Itoa(s.desktops))
		fmt.Printf("postgres: reusing database %s in %s (fsync=%s, synchronous_commit=%s)\n", name, srv.Dir(), fsync, syncCommit)
		return srv.URL(name), 0
	}
	tmp := name + "_tmp"
	for _, sql := range []string{`DROP DATABASE IF EXISTS ` + tmp + ` WITH (FORCE)`, `CREATE DATABASE ` + tmp} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	res := runLoadgen(b, "data", "--db", srv.URL(tmp), "--citizens", strconv.Itoa(s.citizens), "--events", strconv.Itoa(s.events),
		"--desktops", strconv.Itoa(s.desktops), "--progress", "60s").DataResult
	// The generator's connections are closed: a database in use cannot be renamed.
	if _, err := admin.Exec(ctx, `ALTER DATABASE `+tmp+` RENAME TO `+name); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("postgres: generated the city in %s into %s (fsync=%s, synchronous_commit=%s)\n", res.Elapsed.Round(time.Second), srv.Dir(), fsync, syncCommit)
	return srv.URL(name), res.Elapsed
}

func runLoadgen(b *testing.B, args ...string) *main.Main {
	m := main.NewMain()
	m.Stdout, m.Stderr = os.Stdout, os.Stderr
	ctx := context.Background()
	if err := m.ParseFlags(ctx, args); err != nil {
		b.Fatalf("loadgen %v: %v", args, err)
	}
	defer m.Close()
	if err := m.Run(ctx); err != nil {
		b.Fatalf("loadgen %v: %v", args, err)
	}
	return m
}

// caller is the store method the screen pop runs in syncd.
type caller interface {
	LookupCaller(ctx context.Context, number, reason string, actor *sportello.User) (*sportello.CallerCard, error)
	Authenticate(ctx context.Context, username, password string) (*sportello.User, error)
}

// screenPop measures the store's caller lookup (number -> citizen, open
// cases with their events, plus the audit row it commits) on random
// generated citizens: what syncd does for GET /v1/callers/{number}.
func screenPop(b *testing.B, db caller, s benchScale, out map[string]float64) {
	ctx := context.Background()
	actor, err := db.Authenticate(ctx, "lg-op0001", main.Password)
	if err != nil {
		b.Fatal(err)
	}
	// A latency distribution needs many lookups whatever b.N is (make
	// bench runs BenchmarkCity once, -benchtime 1x, which sub-benchmarks
	// inherit: one lookup gave the p99).
	n := max(b.N, envInt("SPORTELLO_BENCH_LOOKUPS", 1000))
	r := rand.New(rand.NewPCG(uint64(n), 7))
	lat := make([]time.Duration, 0, n)
	cases := 0
	b.ResetTimer()
	for range n {
		start := time.Now()
		card, err := db.LookupCaller(ctx, main.CitizenNumber(r.IntN(s.citizens), 0), "bench call", actor)
		if err != nil || card.Citizen == nil {
			b.Fatalf("lookup: %v", err)
		}
		lat = append(lat, time.Since(start))
		cases += len(card.Cases)
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) float64 { return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1e6 }
	b.ReportMetric(q(.50), "p50-ms")
	b.ReportMetric(q(.99), "p99-ms")
	b.ReportMetric(float64(cases)/float64(n), "cases/card")
	b.ReportMetric(float64(n), "lookups")
	out["screenpop_p50_ms"], out["screenpop_p99_ms"] = q(.50), q(.99)
}

// startSyncd runs syncd on the city as its own process, as in production,
// and returns its URL, its pid and how to stop it (the push runs and the
// ring-to-card benchmark).
func startSyncd(b *testing.B, syncd, db string) (url string, pid int, stop func()) {
	addr := freeAddr(b)
	cmd := exec.Command(syncd, "serve", "--db", db, "--listen", addr)
	logf, err := os.Create(filepath.Join(b.TempDir(), "syncd.log"))
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	stop = func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
	}
	url = "http://" + addr
	waitHealthy(b, url)
	return url, cmd.Process.Pid, stop
}

// push runs syncd on dsn as a process and the desktops against it.
func push(b *testing.B, syncd, dsn string, s benchScale, pc pushConfig, out map[string]float64) {
	url, pid, stop := startSyncd(b, syncd, dsn)
	defer stop()
	b.ResetTimer()
	rates := []string{}
	for _, r := range pc.rates {
		rates = append(rates, fmt.Sprint(r))
	}
	m := runLoadgen(b, "desktops", "--url", url, "--desktops", strconv.Itoa(pc.desktops), "--ops", strings.Join(rates, ","),
		"--citizens", strconv.Itoa(s.citizens), "--duration", s.duration.String(), "--warmup", "10s",
		"--syncd-pid", strconv.Itoa(pid))
	b.StopTimer()
	for _, res := range m.DesktopsResults {
		at := func(k string) string { return fmt.Sprintf("%s@%dd/%g", k, pc.desktops, res.OpsTarget) }
		out[at("ops_per_s")], out[at("ops_skipped")], out[at("ops_failed")] = res.OpsAchieved, float64(res.OpsSkipped), float64(res.OpsFailed)
		out[at("push_p50_ms")], out[at("push_p99_ms")], out[at("push_all_p99_ms")] = res.Push.P50, res.Push.P99, res.PushAll.P99
		out[at("frames_per_s")], out[at("reconnects")], out[at("lookup_http_p99_ms")] = res.FramesPerSec, float64(res.Reconnects), res.Lookup.P99
		out[at("syncd_rss_mb")], out[at("syncd_peak_mb")], out[at("syncd_cpu")] = res.SyncdRSSMB, res.SyncdPeakMB, res.SyncdCPU
		out[at("syncd_push_p99_ms")], out[fmt.Sprintf("syncd_idle_rss_mb@%dd", pc.desktops)] = res.SyncdPushP99, res.SyncdIdleRSSMB
	}
	last := m.DesktopsResults[len(m.DesktopsResults)-1]
	b.ReportMetric(last.Push.P99, "push-p99-ms")
	b.ReportMetric(last.OpsAchieved, "ops/s")
	b.ReportMetric(last.SyncdPeakMB, "syncd-peak-MB")
}

func freeAddr(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHealthy(b *testing.B, url string) {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatalf("syncd at %s never became healthy", url)
}

// summarize prints the table docs/BENCHMARKS.md copies, with PostgreSQL's
// ratio to SQLite.
func summarize(s benchScale, results map[string]map[string]float64) {
	keys := []string{"generate_s", "screenpop_p50_ms", "screenpop_p99_ms"}
	for _, pc := range s.pushes() {
		keys = append(keys, fmt.Sprintf("syncd_idle_rss_mb@%dd", pc.desktops))
		for _, r := range pc.rates {
			for _, k := range []string{"ops_per_s", "ops_skipped", "ops_failed", "push_p50_ms", "push_p99_ms", "push_all_p99_ms", "syncd_push_p99_ms",
				"frames_per_s", "reconnects", "lookup_http_p99_ms", "syncd_rss_mb", "syncd_peak_mb", "syncd_cpu"} {
				keys = append(keys, fmt.Sprintf("%s@%dd/%g", k, pc.desktops, r))
			}
		}
	}
	fmt.Printf("\nSUMMARY scale: %s (after @: desktops d / ops per second asked)\n", s)
	if results["postgres"] == nil { // SPORTELLO_BENCH_STORES=sqlite
		fmt.Printf("%-36s %14s\n", "metric", "sqlite")
		for _, k := range keys {
			fmt.Printf("%-36s %14.2f\n", k, results["sqlite"][k])
		}
		return
	}
	fmt.Printf("%-36s %14s %14s %10s\n", "metric", "sqlite", "postgres", "pg/sqlite")
	for _, k := range keys {
		sq, pg := results["sqlite"][k], results["postgres"][k]
		ratio := "-"
		if sq != 0 {
			ratio = fmt.Sprintf("%.2f", pg/sq)
		}
		fmt.Printf("%-36s %14.2f %14.2f %10s\n", k, sq, pg, ratio)
	}
}
