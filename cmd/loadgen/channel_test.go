package main_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sportello/sportello"
	main "github.com/sportello/sportello/cmd/loadgen"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/postgres"
	"github.com/sportello/sportello/sync/postgres/pgtest"
	"github.com/sportello/sportello/sync/sqlite"
)

type queuer interface {
	caller
	Queue(ctx context.Context, userID string, all bool) ([]*sportello.Case, error)
}

// wantChannels fails t unless every escalated case, from the demo seed
// (waiting at the desks) and from the bulk loader (on the generated
// citizens' cards), carries its citizen's preferred reply channel on its
// escalating wrap-up, as stored and read back.
func wantChannels(t *testing.T, db queuer, citizens int) {
	t.Helper()
	ctx := context.Background()
	queue, err := db.Queue(ctx, "", true)
	if err != nil {
		t.Fatal(err)
	}
	actor, err := db.Authenticate(ctx, "lg-op0001", main.Password)
	if err != nil {
		t.Fatal(err)
	}
	for i := range citizens {
		card, err := db.LookupCaller(ctx, main.CitizenNumber(i, 0), "test", actor)
		if err != nil {
			t.Fatal(err)
		}
		queue = append(queue, card.Cases...)
	}
	seeded, bulk := 0, 0
	for _, k := range queue {
		var w *sportello.CaseEvent
		for _, e := range k.Events {
			if e.Kind == sportello.EventWrapUp && e.Outcome == sportello.OutcomeEscalated {
				w = e
			}
		}
		if w == nil {
			continue
		}
		if got, want := k.PreferredChannel(), demo.PreferredChannel(k.ID); got == "" || got != want {
			t.Fatalf("case %s: preferred channel %q, want %q", k.ID, got, want)
		}
		if strings.HasPrefix(w.CallID, "lg-") {
			bulk++
		} else {
			seeded++
		}
	}
	if seeded == 0 || bulk == 0 {
		t.Fatalf("%d seeded and %d bulk-loaded cases at the desks: want some of both", seeded, bulk)
	}
}

// TestData_PreferredChannel_SQLite: the demo seed and the bulk loader
// write the preferred reply channel on SQLite.
func TestData_PreferredChannel_SQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "city.db")
	run(t, "data", "--db", path, "--citizens", "300", "--events", "3000", "--desktops", "10")
	db := sqlite.New(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wantChannels(t, db, 300)
}

// TestData_PreferredChannel_Postgres: the same with COPY on PostgreSQL.
func TestData_PreferredChannel_Postgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	run(t, "data", "--db", dsn, "--citizens", "300", "--events", "3000", "--desktops", "5")
	db := postgres.New(dsn)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wantChannels(t, db, 300)
}
