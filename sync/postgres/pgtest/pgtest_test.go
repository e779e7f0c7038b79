package pgtest_test

import (
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/sportello/sportello/sync/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestDSN starts the server and gets two separate databases from it.
func TestDSN(t *testing.T) {
	a, b := pgtest.DSN(t), pgtest.DSN(t)
	if a == b {
		t.Fatalf("one database twice: %s", a)
	}
	for _, dsn := range []string{a, b} {
		conn, err := pgx.Connect(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		var v string
		if err := conn.QueryRow(t.Context(), "SHOW server_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		var host string
		conn.QueryRow(t.Context(), "SELECT inet_server_addr()::text").Scan(&host)
		t.Logf("%s: PostgreSQL %s on %s", dsn, v, host)
		conn.Close(t.Context())
	}
}
