package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/sync/postgres"
	"github.com/sportello/sportello/sync/postgres/pgtest"
	"github.com/sportello/sportello/sync/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// open opens a store on a new database with the clock now.
func open(t testing.TB, dsn string, now func() time.Time) *postgres.DB {
	t.Helper()
	db := postgres.New(dsn)
	if now != nil {
		db.Now = now
	}
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestDB_Conformance runs the stores' shared suite on PostgreSQL.
func TestDB_Conformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.Store {
		return open(t, pgtest.DSN(t), now)
	})
}

// TestDB_Open migrates once: a second store on the database, and two
// opening at once, find the schema in place.
func TestDB_Open(t *testing.T) {
	dsn := pgtest.DSN(t)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			db := postgres.New(dsn)
			err := db.Open()
			db.Close()
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	db := open(t, dsn, nil)
	// The newest migration's number: each issue adds its own.
	names, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("migrations: %v", err)
	}
	want, _ := strconv.Atoi(strings.SplitN(filepath.Base(names[len(names)-1]), "_", 2)[0])
	if v, err := db.SchemaVersion(context.Background()); err != nil || v != want {
		t.Fatalf("SchemaVersion() = %d, %v; want %d", v, err, want)
	}
}
