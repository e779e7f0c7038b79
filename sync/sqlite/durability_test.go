package sqlite_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sportello/sportello/sync/sqlite"
)

// TestDB_Synchronous: the synchronous setting chosen is the one SQLite
// runs the writer with (NORMAL by default, FULL when asked, in any case),
// kept across a reopen of the file; an unknown one is refused.
func TestDB_Synchronous(t *testing.T) {
	path := filepath.Join(t.TempDir(), "syncd.db")
	for _, tc := range []struct{ mode, want string }{
		{"", sqlite.SyncNormal},
		{"FULL", sqlite.SyncFull},
		{"normal", sqlite.SyncNormal},
		{" full ", sqlite.SyncFull},
	} {
		db := sqlite.New(path)
		if err := db.SetSynchronous(tc.mode); err != nil {
			t.Fatalf("%q: %v", tc.mode, err)
		}
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		got, err := db.Synchronous(t.Context())
		db.Close()
		if err != nil || got != tc.want {
			t.Fatalf("synchronous %q: runs %q, %v; want %q", tc.mode, got, err, tc.want)
		}
	}
	for _, bad := range []string{"off", "extra", "2"} {
		if err := sqlite.New(path).SetSynchronous(bad); err == nil || !strings.Contains(err.Error(), "use full or normal") {
			t.Fatalf("synchronous %q: %v, want refused", bad, err)
		}
	}
}

// TestBulk_KeepsWriterCache: a bulk load (loadgen data) gives the writer
// back the page cache SetWriterCacheMB chose, not SQLite's default.
func TestBulk_KeepsWriterCache(t *testing.T) {
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	if err := db.SetWriterCacheMB(32); err != nil {
		t.Fatal(err)
	}
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b, err := db.Bulk(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if kb, err := db.WriterCacheKB(t.Context()); err != nil || kb != -32*1024 {
		t.Fatalf("writer cache_size %d, %v after a bulk load; want %d", kb, err, -32*1024)
	}
}
