package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
)

// TestDB_Conformance runs the stores' shared suite on SQLite, in both
// synchronous settings: with full (syncd's default) the store syncs the
// log itself before it acknowledges a write (walsync.go).
func TestDB_Conformance(t *testing.T) {
	for _, mode := range []string{sqlite.SyncNormal, sqlite.SyncFull} {
		t.Run(mode, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.Store {
				db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
				db.Now = now
				if err := db.SetSynchronous(mode); err != nil {
					t.Fatal(err)
				}
				if err := db.Open(); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			})
		})
	}
}
