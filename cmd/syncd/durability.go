package main

import (
	"fmt"

	"github.com/sportello/sportello/sync/sqlite"
)

// checkSQLiteSync refuses an unknown --sqlite-sync (or sqlite_sync in the
// config file) and a --sqlite-cache-mb out of range (sqlite_cache_mb)
// before syncd opens anything.
func (m *Main) checkSQLiteSync() error {
	if err := sqlite.New(m.DB).SetSynchronous(m.SQLiteSync); err != nil {
		return fmt.Errorf("--sqlite-sync: %w", err)
	}
	if err := sqlite.New(m.DB).SetWriterCacheMB(m.SQLiteCacheMB); err != nil {
		return fmt.Errorf("--sqlite-cache-mb: %w", err)
	}
	return nil
}
