package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/sqlite"
)

func (m *Main) parseBackup(args []string) error {
	fs := m.newFlagSet("backup")
	db := fs.String("db", "", "SQLite database file (for PostgreSQL, use pg_dump)")
	out := fs.String("out", "", "file to write the copy to (must not exist)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *db == "" || *out == "" {
		return errors.New("syncd backup needs --db PATH and --out FILE")
	}
	m.DB, m.BackupOut = *db, *out
	return nil
}

func (m *Main) parseAuditExport(args []string) error {
	fs := m.newFlagSet("audit export")
	db := fs.String("db", "", "SQLite database file, or a postgres:// URL")
	citizen := fs.String("citizen", "", "id of the citizen whose access log to write")
	format := fs.String("format", "jsonl", "jsonl (one JSON object a line) or csv")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case *db == "" || *citizen == "":
		return errors.New("syncd audit export needs --db PATH and --citizen ID")
	case *format != "jsonl" && *format != "csv":
		return fmt.Errorf("unknown format %q: use jsonl or csv", *format)
	}
	m.DB, m.AuditCitizen, m.AuditFormat = *db, *citizen, *format
	return nil
}

func (m *Main) parsePurge(args []string) error {
	fs := m.newFlagSet("purge")
	db := fs.String("db", "", "SQLite database file, or a postgres:// URL")
	older := fs.String("older-than", "", "retention: remove resolved cases whose last event is older, such as 1825d, 5y or 720h")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *db == "" || *older == "" {
		return errors.New("syncd purge needs --db PATH and --older-than DURATION")
	}
	d, err := parseRetention(*older)
	if err != nil {
		return err
	}
	m.DB, m.PurgeOlderThan = *db, d
	return nil
}

// parseRetention reads a duration in Go's form or in days (d) or years
// (y, of 365 days); it must be at least a day, so that a typo cannot
// purge yesterday's cases.
func parseRetention(s string) (time.Duration, error) {
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("--older-than %q: not a number of days", s)
		}
		d = time.Duration(days) * 24 * time.Hour
	} else if n, ok := strings.CutSuffix(s, "y"); ok {
		years, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("--older-than %q: not a number of years", s)
		}
		d = time.Duration(years) * 365 * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("--older-than %q: use a duration such as 1825d, 5y or 720h", s)
		}
	}
	if d < 24*time.Hour {
		return 0, fmt.Errorf("--older-than %s is less than a day", s)
	}
	return d, nil
}

func (m *Main) backup(ctx context.Context) error {
	if m.onPostgres() {
		return errors.New("syncd backup copies an SQLite file: back a PostgreSQL database up with pg_dump (consistent while syncd serves)")
	}
	if err := m.openStore(); err != nil {
		return err
	}
	if err := m.Store.(*sqlite.DB).Backup(ctx, m.BackupOut); err != nil {
		if sportello.ErrorCode(err) != sportello.EINTERNAL {
			return errors.New(sportello.ErrorMessage(err))
		}
		return err
	}
	fmt.Fprintf(m.Stderr, "backed up %s to %s\n", m.DB, m.BackupOut)
	return nil
}

// auditExport writes the citizen's access log, oldest first, to Stdout.
func (m *Main) auditExport(ctx context.Context) error {
	if err := m.openStore(); err != nil {
		return err
	}
	entries, err := m.Store.AccessLog(ctx, m.AuditCitizen)
	if err != nil {
		return err
	}
	switch m.AuditFormat {
	case "csv":
		w := csv.NewWriter(m.Stdout)
		w.Write([]string{"at", "user_id", "citizen_id", "number", "reason"})
		for _, e := range entries {
			w.Write([]string{e.At.UTC().Format(time.RFC3339Nano), e.UserID, e.CitizenID, e.Number, csvSafe(e.Reason)})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
	default:
		enc := json.NewEncoder(m.Stdout)
		for _, e := range entries {
			if err := enc.Encode(e); err != nil {
				return fmt.Errorf("audit export: %w", err)
			}
		}
	}
	fmt.Fprintf(m.Stderr, "%d reads of citizen %s\n", len(entries), m.AuditCitizen)
	return nil
}

// csvSafe keeps a spreadsheet from reading a free-text cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (m *Main) purge(ctx context.Context) error {
	if err := m.openStore(); err != nil {
		return err
	}
	before := m.Now().Add(-m.PurgeOlderThan)
	cases, events, err := m.purgeStore(ctx, before)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "purged %d resolved cases (%d events) last changed before %s; the audit log is kept\n",
		cases, events, before.UTC().Format(time.RFC3339))
	return nil
}
