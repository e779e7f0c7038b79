package main_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/sportello/sportello"
	main "github.com/sportello/sportello/cmd/syncd"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestMain_Postgres runs syncd on a postgres:// URL: two nodes serve the
// demo city from one database (seeded once), "user add" adds a user both
// sign in, "audit export" reads the lookups made through either, and
// "backup" points to pg_dump; the URL's password never reaches the log.
func TestMain_Postgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	var nodes []*main.Main
	for range 2 {
		m, _ := newMain("")
		log := &bytes.Buffer{}
		m.Stderr = log
		run(t, m, "serve", "--listen", "127.0.0.1:0", "--db", dsn, "--demo")
		nodes = append(nodes, m)
	}

	add, out := newMain("una-password-lunga\n")
	run(t, add, "user", "add", "--db", dsn, "--username", "anna", "--name", "Anna Neri", "--role", "specialist", "--desk", "Anagrafe")
	if !strings.Contains(out.String(), `added specialist "anna"`) {
		t.Fatalf("user add said %q", out.String())
	}
	add.Close()

	var citizen string
	for i, n := range nodes {
		c := client.New(n.Server.URL(), nil)
		if _, err := c.Login(ctx(t), "anna", "una-password-lunga"); err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		op := client.New(n.Server.URL(), nil)
		if _, err := op.Login(ctx(t), "operatore", demo.Password); err != nil {
			t.Fatalf("node %d: demo user: %v", i, err)
		}
		card, err := op.LookupCaller(ctx(t), demo.KnownCaller, "call-"+string(rune('a'+i)))
		if err != nil || card.Citizen == nil {
			t.Fatalf("node %d: known caller: %+v, %v", i, card, err)
		}
		citizen = card.Citizen.ID
	}

	audit, out := newMain("")
	run(t, audit, "audit", "export", "--db", dsn, "--citizen", citizen, "--format", "csv")
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 3 || !strings.Contains(lines[1], "call-a") || !strings.Contains(lines[2], "call-b") {
		t.Fatalf("audit export wrote %q", out.String())
	}

	purge, out := newMain("")
	run(t, purge, "purge", "--db", dsn, "--older-than", "3650d")
	if !strings.Contains(out.String(), "purged 0 resolved cases") {
		t.Fatalf("purge said %q", out.String())
	}

	backup, _ := newMain("")
	if err := backup.ParseFlags(context.Background(), []string{"backup", "--db", dsn, "--out", t.TempDir() + "/x.db"}); err != nil {
		t.Fatal(err)
	}
	if err := backup.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup of a PostgreSQL database: %v", err)
	}

	withPassword := strings.Replace(dsn, "sportello@", "sportello:s3cret@", 1)
	m, _ := newMain("")
	log := &bytes.Buffer{}
	m.Stderr = log
	run(t, m, "serve", "--listen", "127.0.0.1:0", "--db", withPassword)
	m.Logger.Info("flush")
	if strings.Contains(log.String(), "s3cret") || !strings.Contains(log.String(), "sportello:xxxxx@") {
		t.Fatalf("the log shows the URL's password or no URL:\n%s", log)
	}
	if _, err := m.Store.Case(ctx(t), "nope"); sportello.ErrorCode(err) != sportello.ENOTFOUND {
		t.Fatalf("Case(nope): %v", err)
	}
}
