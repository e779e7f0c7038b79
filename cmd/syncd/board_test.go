package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain_BoardSettings: the board's debounce, per-desk SLA days and
// presence TTL come from the config file's board section, the flag
// --board-debounce overrides the debounce, they reach the server's board
// settings, and settings that make no sense are refused.
func TestMain_BoardSettings(t *testing.T) {
	dir := t.TempDir()
	write := func(board string) string {
		t.Helper()
		config := filepath.Join(dir, "syncd.json")
		if err := os.WriteFile(config, []byte(`{"db":"`+filepath.Join(dir, "syncd.db")+`","board":`+board+`}`), 0o600); err != nil {
			t.Fatal(err)
		}
		return config
	}
	config := write(`{"debounce_ms":120,"desk_sla_days":{"desk-tributi":5},"presence_ttl_seconds":45,"read_share":0.2}`)
	for _, c := range []struct {
		flags []string
		want  time.Duration
	}{
		{nil, 120 * time.Millisecond},
		{[]string{"--board-debounce", "20ms"}, 20 * time.Millisecond},
	} {
		m, _ := newMain("")
		if err := m.ParseFlags(context.Background(), append([]string{"serve", "--config", config, "--listen", "127.0.0.1:0"}, c.flags...)); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		b := m.Server.Board
		m.Close()
		if b.Debounce != c.want || b.DeskSLADays["desk-tributi"] != 5 || len(b.DeskSLADays) != 1 || b.PresenceTTL != 45*time.Second || b.ReadShare != 0.2 {
			t.Fatalf("flags %q: board debounce %v, desk SLA days %v, presence TTL %v, read share %v; want %v, tributi 5, 45s, 0.2", c.flags, b.Debounce, b.DeskSLADays, b.PresenceTTL, b.ReadShare, c.want)
		}
	}
	// Without settings the server's defaults apply (zero here).
	m, _ := newMain("")
	if err := m.ParseFlags(context.Background(), []string{"serve", "--config", write(`{}`), "--listen", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if m.Board.DebounceMS != 0 || m.Board.DeskSLADays != nil {
		t.Fatalf("board %+v, want no debounce and no desk SLA days", m.Board)
	}

	for _, c := range []struct {
		board string
		flags []string
		want  string
	}{
		{`{"debounce_ms":-1}`, nil, "debounce_ms"},
		{`{"read_share":1.5}`, nil, "read_share"},
		{`{}`, []string{"--board-debounce", "11s"}, "debounce_ms"},
		{`{"desk_sla_days":{"desk-tributi":0}}`, nil, "desk_sla_days of desk-tributi"},
		{`{"presence_ttl_seconds":-5}`, nil, "presence_ttl_seconds"},
	} {
		m, _ := newMain("")
		err := m.ParseFlags(context.Background(), append([]string{"serve", "--config", write(c.board), "--listen", "127.0.0.1:0"}, c.flags...))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("board %s flags %q: %v, want an error about %s", c.board, c.flags, err, c.want)
		}
	}
}
