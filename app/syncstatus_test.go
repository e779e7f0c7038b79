package app_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
)

// TestStatus_SyncPosition: the status bar says how far the desktop is in
// sync with its digits grouped, the changes waiting, and offline how far
// it got, when it tries again and why; no position while syncd has none.
func TestStatus_SyncPosition(t *testing.T) {
	test.NewTempApp(t)
	feed := &syncFeed{}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{cards: map[string]*sportello.CallerCard{}}, Cases: &cases{}, Sync: feed,
		User: &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator}, Location: time.UTC,
	})
	w := d.Window
	w.Show()
	t.Cleanup(d.Close)
	apptest.WaitText(t, w, wait, "syncd: online · in sync through 7")
	feed.onState(sportello.SyncState{Online: true, Cursor: 1234567, Pending: 3})
	apptest.WaitText(t, w, wait, "syncd: online · in sync through 1,234,567 · 3 changes waiting")
	feed.onState(sportello.SyncState{Cursor: 1234567, Pending: 3, RetryAt: t0, Err: "connection refused"})
	apptest.WaitText(t, w, wait, "syncd: offline · 3 changes waiting · in sync through 1,234,567 · retrying at 09:30:00 · connection refused")
	feed.onState(sportello.SyncState{Online: true, Cursor: 999})
	apptest.WaitText(t, w, wait, "syncd: online · in sync through 999")
	// syncd's change log is empty (a seeded demo store): no "through 0".
	feed.onState(sportello.SyncState{Online: true, Pending: 2})
	apptest.WaitText(t, w, wait, "syncd: online · 2 changes waiting")
}

// TestStatus_SyncPositionFromSyncd: a real syncd that pushes each desktop
// only what its user may see, and a real client. Another operator's calls
// are never pushed to this desktop, yet its status bar follows syncd's
// head, not the 0 of the last change it received; its own wrap-up
// arrives and is counted as well.
func TestStatus_SyncPositionFromSyncd(t *testing.T) {
	test.NewTempApp(t)
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.Seed(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	srv := server.New(db, nil)
	srv.Addr, srv.FilterChanges = "127.0.0.1:0", true
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	signIn := func(username string) (*client.Client, *sportello.User) {
		t.Helper()
		c := client.New(srv.URL(), nil)
		c.Backoff = func(int) time.Duration { return 20 * time.Millisecond }
		c.PositionInterval = 50 * time.Millisecond
		t.Cleanup(func() { c.Close() })
		u, err := c.Login(ctx, username, storetest.Password)
		if err != nil {
			t.Fatal(err)
		}
		return c, u
	}
	other, _ := signIn("operatore")
	c, u := signIn("operatore2")
	if err := c.Open(ctx); err != nil {
		t.Fatal(err)
	}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: c, Cases: c, Sync: c, User: u, Location: time.UTC,
	})
	w := d.Window
	w.Show()
	t.Cleanup(d.Close)
	head := func() string {
		t.Helper()
		n, err := db.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return strconv.FormatInt(n, 10)
	}
	wrapUp := func(by *client.Client, call string) {
		t.Helper()
		if _, err := by.RecordWrapUp(ctx, sportello.WrapUp{CallID: call, CallerNumber: "+390212345678", Outcome: sportello.OutcomeTransferred}); err != nil {
			t.Fatal(err)
		}
	}
	apptest.WaitText(t, w, wait, "syncd: online\n") // the store has no change yet: the whole line, no position
	wrapUp(other, "call-1")
	apptest.WaitText(t, w, wait, "syncd: online · in sync through "+head())
	wrapUp(other, "call-2")
	apptest.WaitText(t, w, wait, "syncd: online · in sync through "+head())
	wrapUp(c, "call-3")
	apptest.WaitText(t, w, wait, "syncd: online · in sync through "+head())
	srv.Close()
	apptest.WaitText(t, w, wait, "syncd: offline · in sync through "+head())
}
