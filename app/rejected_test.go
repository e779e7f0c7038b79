package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// rejectingFeed is a fake SyncService that also lists the changes syncd
// refused (sportello.RejectedService).
type rejectingFeed struct {
	syncFeed
	mu   sync.Mutex
	list []sportello.RejectedChange
}

func (f *rejectingFeed) Rejected(context.Context) ([]sportello.RejectedChange, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sportello.RejectedChange(nil), f.list...), nil
}

// TestRejected_CountAndList: no count while nothing was refused; once
// syncd refuses a change the status bar says "1 not sent" with its
// shortcut, and the shortcut opens the list of what and why.
func TestRejected_CountAndList(t *testing.T) {
	test.NewTempApp(t)
	feed := &rejectingFeed{}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{cards: map[string]*sportello.CallerCard{}}, Cases: &cases{}, Sync: feed,
		User: &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator},
	})
	w := d.Window
	w.Show()
	t.Cleanup(d.Close)
	apptest.WaitText(t, w, wait, "syncd: online · in sync through 7")
	if text := apptest.Text(w); strings.Contains(text, "not sent") {
		t.Fatalf("a count with nothing refused: %q", text)
	}
	apptest.Press(w, app.ShortcutRejected) // nothing to list: nothing opens
	if text := apptest.Text(w); strings.Contains(text, "Changes not sent") {
		t.Fatal("the list opened with nothing refused")
	}

	feed.mu.Lock()
	feed.list = []sportello.RejectedChange{{ID: "op-1", Kind: "wrap_up", Summary: "call-77 · +390212345678 · transferred", Reason: "no case has id k-9"}}
	feed.mu.Unlock()
	feed.onState(sportello.SyncState{Online: true, Cursor: 8})
	apptest.WaitText(t, w, wait, "1 not sent  [Alt+X]")

	apptest.Press(w, app.ShortcutRejected)
	apptest.WaitText(t, w, wait, "Changes not sent", "Wrap-up: call-77 · +390212345678 · transferred", "Refused by syncd: no case has id k-9")
	if !apptest.Tap(w, "Close") {
		t.Fatal("no Close button in the list")
	}

	feed.mu.Lock()
	feed.list = nil
	feed.mu.Unlock()
	feed.onState(sportello.SyncState{Online: true, Cursor: 9})
	apptest.WaitText(t, w, wait, "in sync through 9")
	if text := apptest.Text(w); strings.Contains(text, "not sent") {
		t.Fatalf("the count stays after the refused change went: %q", text)
	}
}
