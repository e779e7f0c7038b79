package app_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// liveDirectory is a fake DirectoryService whose entries a test changes,
// as a pushed edit changes the replica.
type liveDirectory struct {
	mu      sync.Mutex
	entries []sportello.DirectoryEntry
}

func (d *liveDirectory) SearchDirectory(_ context.Context, typed string, limit int) ([]sportello.DirectoryEntry, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []sportello.DirectoryEntry
	for _, e := range d.entries {
		if strings.Contains(sportello.FoldText(e.Name+" "+strings.Join(e.Keywords, " ")), sportello.FoldText(strings.TrimSpace(typed))) {
			out = append(out, e)
		}
	}
	return out, nil
}

// TestDirectoryEdit_EditCreateRetire: on the Rubrica tab an admin edits
// the chosen number with Alt+E (the button says so; a bad hours text is
// refused in the form, which stays open), creates one with Alt+N and
// retires one with Alt+Delete after confirming; each edit names the
// version it started from and the list shows the result. An operator sees
// no edit action and the keys do nothing there.
func TestDirectoryEdit_EditCreateRetire(t *testing.T) {
	hours, _ := sportello.ParseHours("lun-ven 8:30-12:30")
	live := &liveDirectory{entries: []sportello.DirectoryEntry{
		{ID: "d1", Name: "Ufficio Tributi", Number: "+390288452000", Group: "Comune", Hours: &hours, HoursText: "lun-ven 8:30-12:30", Version: 3},
	}}
	f := &edits{}
	f.saveFn = func(e sportello.Edit) (*sportello.EntryVersion, error) {
		live.mu.Lock()
		defer live.mu.Unlock()
		d := *e.Directory
		switch {
		case e.Retire:
			live.entries = slices.DeleteFunc(live.entries, func(x sportello.DirectoryEntry) bool { return x.ID == d.ID })
			return &sportello.EntryVersion{Kind: "directory", EntryID: d.ID, Version: e.Base + 1, Action: sportello.EditRetired}, nil
		case e.Base == 0:
			d.ID, d.Version = "d-new", 1
			live.entries = append(live.entries, d)
			return &sportello.EntryVersion{Kind: "directory", EntryID: d.ID, Version: 1, Action: sportello.EditCreated, Directory: &d}, nil
		}
		d.Version = e.Base + 1
		for i := range live.entries {
			if live.entries[i].ID == d.ID {
				live.entries[i] = d
			}
		}
		return &sportello.EntryVersion{Kind: "directory", EntryID: d.ID, Version: d.Version, Action: sportello.EditUpdated, Directory: &d}, nil
	}
	open := func(role sportello.Role) *app.Desktop {
		d := app.Create(test.NewTempApp(t), app.Config{
			Phone: phonetest.New(), Citizens: &citizens{cards: map[string]*sportello.CallerCard{}}, Cases: &cases{},
			Directory: live, Edits: f,
			User: &sportello.User{ID: "u-" + string(role), Name: "Paolo Galli", Role: role},
		})
		t.Cleanup(d.Close)
		d.Window.Show()
		apptest.Press(d.Window, app.ShortcutDirectory)
		apptest.WaitText(t, d.Window, wait, "Ufficio Tributi · +39")
		return d
	}
	w := open(sportello.RoleAdmin).Window
	apptest.WaitText(t, w, wait, "Edit number  [Alt+E]", "New number  [Alt+N]", "Retire number  [Alt+Delete]")

	// Edit: a bad hours text is refused in the form, then fixed.
	apptest.Press(w, app.ShortcutEditKB)
	apptest.WaitText(t, w, wait, "Edit number: Ufficio Tributi · version 3", "lun-ven 8:30-12:30", "Not an internal desk")
	setField(t, w, "+390288452000", "+39 02 8845 2100")
	setField(t, w, "lun-ven 8:30-12:30", "lun-xyz 8:30")
	apptest.Press(w, app.ShortcutSave)
	apptest.WaitText(t, w, wait, "Hours:")
	if len(f.saved()) != 0 {
		t.Fatalf("bad hours were sent: %+v", f.saved())
	}
	setField(t, w, "lun-xyz 8:30", "lun-ven 8:30-12:30; gio 14:00-16:00")
	apptest.Press(w, app.ShortcutSave)
	apptest.WaitText(t, w, wait, "Ufficio Tributi · +39 02 8845 2100")
	got := f.saved()
	if len(got) != 1 || got[0].Base != 3 || got[0].Directory.ID != "d1" || got[0].Directory.Number != "+390288452100" ||
		got[0].Directory.Hours == nil || len(got[0].Directory.Hours.Days[time.Thursday]) != 2 || got[0].Directory.Group != "Comune" {
		t.Fatalf("saved %+v", got)
	}

	// Its history, newest first (Alt+H on the Rubrica tab).
	f.mu.Lock()
	f.hist = []sportello.EntryVersion{
		{Kind: "directory", EntryID: "d1", Version: 3, Action: sportello.EditCreated, At: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), Author: "syncd import"},
		{Kind: "directory", EntryID: "d1", Version: 4, Action: sportello.EditUpdated, At: time.Date(2026, 11, 25, 13, 3, 0, 0, time.UTC), Author: "Paolo Galli", Changed: []string{"number", "hours_text"}},
	}
	f.mu.Unlock()
	apptest.Press(w, app.ShortcutKBHistory)
	apptest.WaitText(t, w, wait, "Versions: Ufficio Tributi", "version 4 · ", "Paolo Galli · changed: number, hours", "version 3 · ", "syncd import · created")
	apptest.Press(w, app.ShortcutKBHistory)

	// Create.
	apptest.Press(w, app.ShortcutNewKB)
	apptest.WaitText(t, w, wait, "New number", "When to send callers here")
	apptest.TypeFocused(w, "AMSA - Rifiuti ingombranti") // the name has the focus
	setField(t, w, "", "+39 02 0202")
	apptest.Press(w, app.ShortcutSave)
	apptest.WaitText(t, w, wait, "AMSA - Rifiuti ingombranti · +39 02 0202")
	if got = f.saved(); len(got) != 2 || got[1].Base != 0 || got[1].Directory.Name != "AMSA - Rifiuti ingombranti" || got[1].Directory.Hours != nil || got[1].Directory.Number != "+39020202" {
		t.Fatalf("created %+v", got[1:])
	}

	// Retire the new number, after confirming.
	apptest.Press(w, app.ShortcutRetireKB)
	apptest.WaitText(t, w, wait, `Retire "AMSA - Rifiuti ingombranti"?`)
	if !apptest.Tap(w, "Yes, retire") {
		t.Fatal("no Yes, retire button")
	}
	apptest.WaitText(t, w, wait, "Retired: AMSA - Rifiuti ingombranti")
	if got = f.saved(); len(got) != 3 || !got[2].Retire || got[2].Directory.ID != "d-new" || got[2].Base != 1 {
		t.Fatalf("retired %+v", got[2:])
	}

	// An operator: no actions, the keys do nothing on the Rubrica tab.
	op := open(sportello.RoleOperator).Window
	apptest.Press(op, app.ShortcutEditKB)
	apptest.Press(op, app.ShortcutNewKB)
	apptest.Press(op, app.ShortcutRetireKB)
	time.Sleep(100 * time.Millisecond)
	if text := apptest.Text(op); strings.Contains(text, "number  [Alt") || strings.Contains(text, "Ctrl+S saves") || strings.Contains(text, "Retire") {
		t.Fatalf("an operator is offered directory editing:\n%s", text)
	}
	if len(f.saved()) != 3 {
		t.Fatalf("an operator's keys saved %+v", f.saved()[3:])
	}
}

// TestDirectoryEdit_PushRefreshesRubrica: a directory edit pushed by
// syncd (the client has put it in the replica) shows in the open Rubrica
// at once, and a pushed retirement takes the number out.
func TestDirectoryEdit_PushRefreshesRubrica(t *testing.T) {
	live := &liveDirectory{entries: []sportello.DirectoryEntry{
		{ID: "d1", Name: "Ufficio Tributi", Number: "+390288452000", Note: "Rimborsi TARI."},
		{ID: "d2", Name: "Municipio 3 - Città Studi", Number: "+390288463000"},
	}}
	feed := &syncFeed{}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{cards: map[string]*sportello.CallerCard{}}, Cases: &cases{}, Sync: feed, Directory: live,
		User: &sportello.User{ID: "u-a", Name: "Giulia Bianchi", Role: sportello.RoleOperator},
	})
	t.Cleanup(d.Close)
	w := d.Window
	w.Show()
	apptest.Press(w, app.ShortcutDirectory)
	apptest.WaitText(t, w, wait, "Ufficio Tributi · +39 02 8845 2000", "Municipio 3 - Città Studi")

	edited := sportello.DirectoryEntry{ID: "d1", Name: "Ufficio Tributi e IMU", Number: "+390288452100", Note: "Rimborsi TARI e IMU.", Version: 2}
	live.mu.Lock()
	live.entries[0] = edited
	live.mu.Unlock()
	feed.onChange(sportello.Change{Seq: 9, Kind: sportello.ChangeKindDirectory, EntryID: "d1", Directory: &edited})
	apptest.WaitText(t, w, wait, "Ufficio Tributi e IMU · +39 02 8845 2100", "Rimborsi TARI e IMU.")

	live.mu.Lock()
	live.entries = live.entries[:1]
	live.mu.Unlock()
	feed.onChange(sportello.Change{Seq: 10, Kind: sportello.ChangeKindDirectory, EntryID: "d2"})
	deadline := time.Now().Add(wait)
	for strings.Contains(apptest.Text(w), "Municipio 3") {
		if time.Now().After(deadline) {
			t.Fatalf("the retired number still shows:\n%s", apptest.Text(w))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
