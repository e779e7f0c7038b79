package main_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	main "github.com/sportello/sportello/cmd/syncd"
)

// TestMain_RepeatContactWindow: the repeat-contact window comes from the
// config file's board section, a flag overrides it, and it reaches the
// server's board settings (which hand it to the store) in days.
func TestMain_RepeatContactWindow(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "syncd.json")
	if err := os.WriteFile(config, []byte(`{"db":"`+filepath.Join(dir, "syncd.db")+`","board":{"repeat_contact_days":5}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	m, _ := newMain("")
	if err := m.ParseFlags(context.Background(), []string{"serve", "--config", config, "--listen", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if m.Board != (main.BoardSettings{RepeatContactDays: 5}) {
		t.Fatalf("board %+v, want 5 repeat-contact days from the file", m.Board)
	}
	m, _ = newMain("")
	if err := m.ParseFlags(context.Background(), []string{"serve", "--config", config, "--listen", "127.0.0.1:0", "--repeat-contact-days", "3"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := m.Server.Board.RepeatContactWindow; got != 3*24*time.Hour {
		t.Fatalf("the server's window is %v, want 72h from the flag", got)
	}
}
