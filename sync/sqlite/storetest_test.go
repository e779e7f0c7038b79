package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
)

// TestDB_Conformance runs the stores' shared suite on SQLite.
func TestDB_Conformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.Store {
		db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
		db.Now = now
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
