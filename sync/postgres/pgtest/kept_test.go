package pgtest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestStart_KeptDir: with EnvDir a cluster is made in that directory,
// outlives its server's stop, and the next start serves the same data.
func TestStart_KeptDir(t *testing.T) {
	if _, err := binDir(); err != nil {
		if os.Getenv(EnvRequireReal) == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	// Not under t.TempDir(): PostgreSQL may run as another user (for
	// root), who must reach the directory.
	parent, err := os.MkdirTemp("", "sportello-pgkept-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	os.Chmod(parent, 0o755)
	dir := filepath.Join(parent, "cluster")
	t.Setenv(EnvDir, dir)
	ctx := context.Background()

	s, err := start()
	if err != nil {
		t.Fatal(err)
	}
	if s.Dir() != dir {
		s.Stop()
		t.Fatalf("cluster in %s, want %s", s.Dir(), dir)
	}
	err = s.admin(ctx, "CREATE DATABASE kept")
	if err == nil {
		err = s.exec(ctx, "kept", "CREATE TABLE t (v text); INSERT INTO t VALUES ('still here')")
	}
	s.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "PG_VERSION")); err != nil {
		t.Fatalf("the cluster is gone after its server stopped: %v", err)
	}

	s, err = start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	conn, err := pgx.Connect(ctx, s.URL("kept"))
	if err != nil {
		t.Fatalf("the database made before: %v", err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SELECT v FROM t").Scan(&v); err != nil || v != "still here" {
		t.Fatalf("row %q, %v", v, err)
	}
}
