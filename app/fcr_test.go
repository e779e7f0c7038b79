package app_test

import (
	"context"
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

// availability is a fake DeskAvailabilityService; offline makes it
// answer as a client does when syncd is unreachable.
type availability struct {
	mu      sync.Mutex
	desks   []sportello.DeskAvailability
	offline bool
	reads   int
}

func (a *availability) DeskAvailability(context.Context) ([]sportello.DeskAvailability, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reads++
	if a.offline {
		return nil, sportello.Errorf(sportello.EUNAVAILABLE, "syncd unreachable at http://127.0.0.1:1")
	}
	return a.desks, nil
}

// clock is a settable clock for the desktop.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestDirectory_DeskAvailability: a desk's entry in the Rubrica says who
// is available there now, asks syncd again once what it has is old, and
// says the availability is unknown when syncd is unreachable. Other
// entries say nothing of it.
func TestDirectory_DeskAvailability(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	dir := &directory{entries: []sportello.DirectoryEntry{
		{ID: "d1", Name: "Sportello Tributi (secondo livello)", Number: "+390288450001", DeskID: "desk-tributi", Keywords: []string{"tributi"}},
		{ID: "d2", Name: "Municipio 3", Number: "+390288463000"},
		{ID: "d3", Name: "Sportello Multe (secondo livello)", Number: "+390288450002", DeskID: "desk-multe", Keywords: []string{"multe"}},
	}}
	av := &availability{desks: []sportello.DeskAvailability{
		{DeskID: "desk-tributi", DeskName: "Tributi", Members: 3, Available: []string{"Aldo Riva", "Sara Conti"}, OnCall: 1},
		{DeskID: "desk-multe", DeskName: "Multe", Members: 2, Available: []string{}},
	}}
	clk := &clock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, rome)}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{cards: map[string]*sportello.CallerCard{}}, Cases: &cases{}, Directory: dir, Availability: av,
		User:     &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator},
		Location: rome, Now: clk.Now,
	})
	t.Cleanup(d.Close)
	w := d.Window
	w.Show()

	apptest.Press(w, app.ShortcutDirectory)
	apptest.TypeFocused(w, "tributi")
	apptest.WaitText(t, w, wait, "▶ Sportello Tributi", "Available now: Aldo Riva, Sara Conti (2 of 3 members; 1 on a call)")

	apptest.Press(w, app.ShortcutDirectory)
	apptest.TypeFocused(w, "multe")
	apptest.WaitText(t, w, wait, "▶ Sportello Multe", "Available now: nobody (2 members)")

	apptest.Press(w, app.ShortcutDirectory)
	apptest.TypeFocused(w, "municipio")
	apptest.WaitText(t, w, wait, "▶ Municipio 3")
	if strings.Contains(apptest.Text(w), "Available now") {
		t.Fatal("an entry that is not a desk shows an availability")
	}

	// syncd goes away; once what the Rubrica read is old, it asks again
	// and says it cannot know.
	av.mu.Lock()
	av.offline = true
	reads := av.reads
	av.mu.Unlock()
	clk.add(time.Minute)
	apptest.Press(w, app.ShortcutDirectory)
	apptest.TypeFocused(w, "tributi")
	apptest.WaitText(t, w, wait, "▶ Sportello Tributi", "Available now: availability unknown (offline)")
	if strings.Contains(apptest.Text(w), "Aldo Riva") {
		t.Fatal("offline, the Rubrica still names who was available")
	}
	av.mu.Lock()
	defer av.mu.Unlock()
	if av.reads <= reads {
		t.Fatal("the Rubrica did not ask syncd again")
	}
}

// usefulness is a fake KBUsefulnessService.
type usefulness struct {
	mu    sync.Mutex
	since []time.Time
}

func (u *usefulness) KBUsefulness(_ context.Context, since time.Time) (*sportello.KBUsefulness, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.since = append(u.since, since)
	return &sportello.KBUsefulness{
		Since: since,
		Used: []sportello.KBUse{
			{ID: "kb-cie", Title: "Carta d'identità elettronica", Uses: 12, Resolved: 10, TrueResolved: 8, LastUsed: t0},
			{ID: "kb-res", Title: "Cambio di residenza", Uses: 4, Resolved: 0, LastUsed: t0.Add(-time.Hour)},
		},
		NeverUsed:      []sportello.KBUse{{ID: "kb-tosap", Title: "Occupazione suolo pubblico"}},
		NeverUsedTotal: 7,
		Services: []sportello.ServiceFCR{
			{Service: "Anagrafe", FCRCounts: sportello.FCRCounts{WrapUps: 20, Resolved: 16, FirstContacts: 15, TrueResolved: 9}},
		},
	}, nil
}

// TestUsefulness_Supervisor: a supervisor has the KB usefulness tab, whose
// shortcut (also in the Supervisione menu) reads the last 30 days: the
// entries most useful first, the ones that never helped marked, the count
// of entries never used, and each service's first-contact resolution as
// recorded and true. The board shows true FCR today and this week. An
// operator has no such tab.
func TestUsefulness_Supervisor(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	b := &boards{first: morningBoard()}
	b.first.FCR.FirstContacts, b.first.FCR.TrueResolved = 4, 2
	b.first.FCR.Week = sportello.FCRCounts{WrapUps: 40, Resolved: 30, FirstContacts: 36, TrueResolved: 24}
	u := &usefulness{}
	now := t0
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{},
		Board: b, Presence: &presences{}, Usefulness: u, User: supervisor, Location: rome, Now: func() time.Time { return now },
	})
	w := d.Window
	app.WithUI(w.Show)
	t.Cleanup(d.Close)

	apptest.WaitText(t, w, wait,
		"Resolved at first contact today: 60% (3/5) · target 80%",
		"True today (repeat contacts removed): 50% (2/4) · This week: as recorded 75% (30/40), true 67% (24/36)",
		"KB usefulness (Ctrl+U)")
	apptest.Press(w, app.ShortcutUsefulness)
	apptest.WaitText(t, w, wait,
		"Carta d'identità elettronica · used: 12 · resolved at first contact: 10 (true: 8) · last used",
		"NEVER HELPED · Cambio di residenza · used: 4 · resolved at first contact: 0 (true: 0)",
		"Never used: 7", "NEVER HELPED · Occupazione suolo pubblico", "... and others: 6",
		"Anagrafe · as recorded 80% (16/20) · true 60% (9/15)")
	got := apptest.Text(w)
	if strings.Index(got, "Carta d'identità") > strings.Index(got, "Cambio di residenza") {
		t.Fatal("the entry that never helped comes before the useful one")
	}
	u.mu.Lock()
	if len(u.since) != 1 || !u.since[0].Equal(now.Add(-app.UsefulnessPeriod)) {
		t.Fatalf("read since %v, want 30 days back", u.since)
	}
	u.mu.Unlock()
	if !menuHas(w, "KB usefulness", app.ShortcutUsefulness) {
		t.Fatal("no KB usefulness menu item with Ctrl+U")
	}

	// An operator has neither the tab nor the shortcut.
	op := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{},
		Board: b, Presence: &presences{}, Usefulness: u, User: &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator}, Location: rome,
	})
	app.WithUI(op.Window.Show)
	t.Cleanup(op.Close)
	apptest.WaitText(t, op.Window, wait, "Information (Ctrl+K)")
	apptest.Press(op.Window, app.ShortcutUsefulness)
	time.Sleep(100 * time.Millisecond)
	if strings.Contains(apptest.Text(op.Window), "KB usefulness") {
		t.Fatal("an operator has the KB usefulness tab")
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.since) != 1 {
		t.Fatalf("an operator's desktop read the usefulness: %v", u.since)
	}
}
