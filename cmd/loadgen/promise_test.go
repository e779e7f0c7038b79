package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
)

// TestPromise_MakesTheCallbackItScheduled: an operator's first promise
// schedules a callback, the second makes it, against syncd in-process, so
// that a day of load leaves about one scheduled callback an operator.
func TestPromise_MakesTheCallbackItScheduled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "city.db")
	m := NewMain()
	if err := m.ParseFlags(ctx, []string{"data", "--db", path, "--citizens", "20", "--events", "40", "--desktops", "3"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	db := sqlite.New(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := server.New(db, nil)
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := client.New(srv.URL(), nil)
	defer c.Close()
	u, err := c.Login(ctx, plannedUsers(3)[0].Username, Password)
	if err != nil {
		t.Fatal(err)
	}
	op := &desktop{c: c, user: u}
	r := &run{cfg: DesktopsConfig{Citizens: 20}}
	scheduled := func() []*sportello.Callback {
		t.Helper()
		cbs, err := c.Callbacks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return cbs
	}

	if err := r.promise(ctx, nil, op, false); err != nil {
		t.Fatal(err)
	}
	cbs := scheduled()
	if len(cbs) != 1 || len(op.calls) != 1 || op.calls[0] != cbs[0].ID {
		t.Fatalf("after the first promise: scheduled %v, the operator's %v", cbs, op.calls)
	}
	if err := r.promise(ctx, nil, op, false); err != nil {
		t.Fatal(err)
	}
	if cbs := scheduled(); len(cbs) != 0 || len(op.calls) != 0 {
		t.Fatalf("after the second promise: scheduled %v, the operator's %v", cbs, op.calls)
	}
	cb, err := db.Callback(ctx, cbs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if cb.State != sportello.CallbackDone || len(cb.Attempts) != 1 {
		t.Fatalf("the callback made: %+v", cb)
	}
	// An appointment leaves the callbacks alone.
	if err := r.promise(ctx, nil, op, true); err != nil {
		t.Fatal(err)
	}
	if cbs := scheduled(); len(cbs) != 0 {
		t.Fatalf("after an appointment: scheduled %v", cbs)
	}
}
