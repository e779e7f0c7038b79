package main_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	main "github.com/sportello/sportello/cmd/syncd"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/client"
)

const timeout = 5 * time.Second

// newMain returns a Main whose output goes to buffers.
func newMain(stdin string) (*main.Main, *bytes.Buffer) {
	m := main.NewMain()
	out := &bytes.Buffer{}
	m.Stdin, m.Stdout, m.Stderr = strings.NewReader(stdin), out, &bytes.Buffer{}
	return m, out
}

// run parses args and runs them, closing the program at the end of the test.
func run(t *testing.T, m *main.Main, args ...string) {
	t.Helper()
	ctx := context.Background()
	if err := m.ParseFlags(ctx, args); err != nil {
		t.Fatalf("syncd %v: %v", args, err)
	}
	t.Cleanup(func() { m.Close() })
	if err := m.Run(ctx); err != nil {
		t.Fatalf("syncd %v: %v", args, err)
	}
}

func ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}

// TestMain_ServeUserAddLogin serves on :0 with a fresh database, adds a
// user with "user add" (password on stdin) and signs in as that user.
func TestMain_ServeUserAddLogin(t *testing.T) {
	db := filepath.Join(t.TempDir(), "syncd.db")
	srv, _ := newMain("")
	run(t, srv, "serve", "--listen", "127.0.0.1:0", "--db", db)

	add, out := newMain("una-password-lunga\n")
	run(t, add, "user", "add", "--db", db, "--username", "anna", "--name", "Anna Neri", "--role", "specialist", "--password-stdin")
	if !strings.Contains(out.String(), `added specialist "anna"`) {
		t.Fatalf("user add said %q", out.String())
	}
	add.Close() // done with the file while syncd keeps serving it

	c := client.New(srv.Server.URL(), nil)
	u, err := c.Login(ctx(t), "anna", "una-password-lunga")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "Anna Neri" || u.Role != sportello.RoleSpecialist || u.ID != add.NewUser.ID {
		t.Fatalf("signed in as %+v", u)
	}
	if _, err := c.Login(ctx(t), "anna", "sbagliata"); sportello.ErrorCode(err) != sportello.EUNAUTHORIZED {
		t.Fatalf("wrong password: %v", err)
	}

	// A second user with the same username is refused.
	again, _ := newMain("altra-password\n")
	if err := again.ParseFlags(context.Background(), []string{"user", "add", "--db", db, "--username", "anna", "--name", "Anna Bis", "--role", "operator"}); err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if err := again.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "taken") {
		t.Fatalf("duplicate user add: %v", err)
	}
}

// TestMain_Demo serves the demo city: a demo user signs in and the known
// caller has a card.
func TestMain_Demo(t *testing.T) {
	m, _ := newMain("")
	m.Now = func() time.Time { return time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC) }
	run(t, m, "serve", "--listen", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "syncd.db"), "--demo")
	c := client.New(m.Server.URL(), nil)
	if _, err := c.Login(ctx(t), "operatore", demo.Password); err != nil {
		t.Fatal(err)
	}
	card, err := c.LookupCaller(ctx(t), demo.KnownCaller, "call-1")
	if err != nil {
		t.Fatal(err)
	}
	if card.Citizen == nil || len(card.Cases) == 0 {
		t.Fatalf("known caller card %+v", card)
	}
}

// TestMain_Config checks that flags override the config file.
func TestMain_Config(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "syncd.json")
	if err := os.WriteFile(config, []byte(`{"listen":"127.0.0.1:1","db":"`+filepath.Join(dir, "from-config.db")+`","demo":true,
		"board":{"sla_days":3,"fcr_target":0.75,"fcr_min_wrap_ups":20}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	m, _ := newMain("")
	if err := m.ParseFlags(context.Background(), []string{"serve", "--config", config, "--listen", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	want := main.Config{Listen: "127.0.0.1:0", DB: filepath.Join(dir, "from-config.db"), Demo: true,
		Board:         main.BoardSettings{SLADays: 3, FCRTarget: 0.75, FCRMinWrapUps: 20},
		MemoryLimitMB: main.NewMain().MemoryLimitMB} // the default (memory.go)
	if m.Config != want {
		t.Fatalf("config %+v, want %+v", m.Config, want)
	}

	if err := os.WriteFile(config, []byte(`{"listen":"127.0.0.1:1","database":"x.db"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	m, _ = newMain("")
	if err := m.ParseFlags(context.Background(), []string{"serve", "--config", config}); err == nil || !strings.Contains(err.Error(), "database") {
		t.Fatalf("misspelt key: %v", err)
	}
}

func TestMain_ParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		message string // in the error
	}{
		{"NoCommand", nil, "no command"},
		{"UnknownCommand", []string{"restore"}, `unknown command "restore"`},
		{"BackupWithoutOut", []string{"backup", "--db", "x.db"}, "--out FILE"},
		{"AuditWithoutExport", []string{"audit", "show"}, "syncd audit export"},
		{"AuditExportNoCitizen", []string{"audit", "export", "--db", "x.db"}, "--citizen ID"},
		{"AuditExportBadFormat", []string{"audit", "export", "--db", "x.db", "--citizen", "c", "--format", "xml"}, `unknown format "xml"`},
		{"PurgeNoRetention", []string{"purge", "--db", "x.db"}, "--older-than"},
		{"PurgeTooShort", []string{"purge", "--db", "x.db", "--older-than", "2h"}, "less than a day"},
		{"PurgeBadDays", []string{"purge", "--db", "x.db", "--older-than", "xd"}, "number of days"},
		{"ServeHalfTLS", []string{"serve", "--db", "x.db", "--tls-cert", "c.pem"}, "both --tls-cert and --tls-key"},
		{"ServeTwoTLS", []string{"serve", "--db", "x.db", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-self-signed"}, "either"},
		{"ServeWithoutDB", []string{"serve", "--listen", "127.0.0.1:0"}, "needs --db"},
		{"ServeBadFlag", []string{"serve", "--port", "80"}, "flag provided but not defined"},
		{"UserWithoutAdd", []string{"user", "remove"}, "syncd user add"},
		{"UserAddBadRole", []string{"user", "add", "--db", "x.db", "--username", "u", "--name", "N", "--role", "boss"}, `unknown role "boss"`},
		{"UserAddNoName", []string{"user", "add", "--db", "x.db", "--username", "u", "--role", "operator"}, "--name"},
		{"UserAddPasswordArg", []string{"user", "add", "--db", "x.db", "--username", "u", "--name", "N", "--role", "operator", "secret"}, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newMain("")
			err := m.ParseFlags(context.Background(), tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("ParseFlags(%q) = %v, want an error containing %q", tt.args, err, tt.message)
			}
		})
	}
	t.Run("Help", func(t *testing.T) {
		m, out := newMain("")
		if err := m.ParseFlags(context.Background(), []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("ParseFlags(-h) = %v", err)
		}
		for _, cmd := range []string{"serve", "user add", "backup", "audit export", "purge"} {
			if !strings.Contains(out.String(), cmd) {
				t.Fatalf("help does not list %q:\n%s", cmd, out)
			}
		}
	})
}

func TestMain_UserAddNeedsPassword(t *testing.T) {
	m, _ := newMain("")
	if err := m.ParseFlags(context.Background(), []string{"user", "add", "--db", filepath.Join(t.TempDir(), "x.db"), "--username", "u", "--name", "N", "--role", "operator"}); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "no password") {
		t.Fatalf("Run() = %v", err)
	}
}
