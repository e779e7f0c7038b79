package main_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	main "github.com/sportello/sportello/cmd/syncd"
	"github.com/sportello/sportello/sync/sqlite"
)

// TestMain_SQLiteSync: sqlite_sync in the config file, or --sqlite-sync
// over it, is the synchronous setting the serving store runs with (full
// without either); an unknown one stops syncd before it opens anything.
func TestMain_SQLiteSync(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "syncd.json")
	if err := os.WriteFile(config, []byte(`{"db":"`+filepath.Join(dir, "syncd.db")+`","sqlite_sync":"full","sqlite_cache_mb":32}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--config", config, "--listen", "127.0.0.1:0"}, sqlite.SyncFull},
		{[]string{"serve", "--config", config, "--listen", "127.0.0.1:0", "--sqlite-sync", "normal"}, sqlite.SyncNormal},
		{[]string{"serve", "--db", filepath.Join(dir, "other.db"), "--listen", "127.0.0.1:0"}, sqlite.SyncFull}, // durable by default
	} {
		m, _ := newMain("")
		run(t, m, tc.args...)
		db, ok := m.Store.(*sqlite.DB)
		if !ok {
			t.Fatalf("%v: store %T", tc.args, m.Store)
		}
		got, err := db.Synchronous(ctx(t))
		if err != nil || got != tc.want {
			t.Fatalf("%v: synchronous %q, %v; want %q", tc.args, got, err, tc.want)
		}
		// The writer's cache: 32 MB from the config file, SQLite's 2 MB without.
		wantCache := -2000
		if slices.Contains(tc.args, config) {
			wantCache = -32 * 1024
		}
		if kb, err := db.WriterCacheKB(ctx(t)); err != nil || kb != wantCache {
			t.Fatalf("%v: writer cache_size %d, %v; want %d", tc.args, kb, err, wantCache)
		}
		m.Close()
	}
	m, _ := newMain("")
	err := m.ParseFlags(context.Background(), []string{"serve", "--db", filepath.Join(dir, "bad.db"), "--sqlite-sync", "off"})
	if err == nil || !strings.Contains(err.Error(), "use full or normal") {
		t.Fatalf("--sqlite-sync off: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.db")); !os.IsNotExist(err) {
		t.Fatalf("a refused setting opened the database: %v", err)
	}
	m, _ = newMain("")
	err = m.ParseFlags(context.Background(), []string{"serve", "--db", filepath.Join(dir, "bad.db"), "--sqlite-cache-mb", "-1"})
	if err == nil || !strings.Contains(err.Error(), "--sqlite-cache-mb") {
		t.Fatalf("--sqlite-cache-mb -1: %v", err)
	}
}

// TestMain_MemoryLimit: memory_limit_mb in the config file, or
// --memory-limit-mb over it, is the Go runtime's soft memory limit while
// syncd serves; without either, DefaultMemoryLimitMB, unless GOMEMLIMIT
// is in the environment; 0 leaves the runtime's limit alone; a negative
// one stops syncd before it opens anything.
func TestMain_MemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	dir := t.TempDir()
	config := filepath.Join(dir, "syncd.json")
	if err := os.WriteFile(config, []byte(`{"db":"`+filepath.Join(dir, "syncd.db")+`","memory_limit_mb":300}`), 0o600); err != nil {
		t.Fatal(err)
	}
	off := filepath.Join(dir, "off.json")
	if err := os.WriteFile(off, []byte(`{"db":"`+filepath.Join(dir, "syncd.db")+`","memory_limit_mb":0}`), 0o600); err != nil {
		t.Fatal(err)
	}
	const runtimes = 123 << 20 // a limit the runtime had before syncd set any (GOMEMLIMIT)
	for _, tc := range []struct {
		args       []string
		gomemlimit string
		want       int64
	}{
		{[]string{"serve", "--config", config, "--listen", "127.0.0.1:0"}, "", 300 << 20},
		{[]string{"serve", "--config", config, "--listen", "127.0.0.1:0", "--memory-limit-mb", "256"}, "", 256 << 20},
		{[]string{"serve", "--db", filepath.Join(dir, "syncd.db"), "--listen", "127.0.0.1:0"}, "", main.DefaultMemoryLimitMB << 20},
		{[]string{"serve", "--db", filepath.Join(dir, "syncd.db"), "--listen", "127.0.0.1:0"}, "123MiB", runtimes},
		{[]string{"serve", "--db", filepath.Join(dir, "syncd.db"), "--listen", "127.0.0.1:0", "--memory-limit-mb", "200"}, "123MiB", 200 << 20},
		{[]string{"serve", "--config", off, "--listen", "127.0.0.1:0"}, "", runtimes},
		{[]string{"serve", "--db", filepath.Join(dir, "syncd.db"), "--listen", "127.0.0.1:0", "--memory-limit-mb", "0"}, "", runtimes},
	} {
		t.Setenv("GOMEMLIMIT", tc.gomemlimit)
		debug.SetMemoryLimit(runtimes)
		m, _ := newMain("")
		run(t, m, tc.args...)
		if got := debug.SetMemoryLimit(-1); got != tc.want {
			t.Errorf("%v, GOMEMLIMIT %q: memory limit %d, want %d", tc.args, tc.gomemlimit, got, tc.want)
		}
		m.Close()
	}
	m, _ := newMain("")
	err := m.ParseFlags(context.Background(), []string{"serve", "--db", filepath.Join(dir, "bad.db"), "--memory-limit-mb", "-5"})
	if err == nil || !strings.Contains(err.Error(), "--memory-limit-mb") {
		t.Fatalf("--memory-limit-mb -5: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.db")); !os.IsNotExist(err) {
		t.Fatalf("a refused setting opened the database: %v", err)
	}
}
