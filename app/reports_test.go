package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// reports is a fake ReportService: it records what it was asked and,
// while gate is open (not closed), holds exports back so that the test
// sees the progress.
type reports struct {
	mu      sync.Mutex
	asked   []string
	exports []string
	gate    chan struct{}
}

func (r *reports) Report(_ context.Context, period sportello.ReportPeriod, date string) (*sportello.Report, error) {
	r.mu.Lock()
	r.asked = append(r.asked, string(period)+" "+date)
	r.mu.Unlock()
	if date == "bad" {
		return nil, sportello.Errorf(sportello.EINVALID, "the date %q is not YYYY-MM-DD", date)
	}
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	return sportello.NewReport(period, date, "Europe/Rome", at, at.Add(24*time.Hour), at, []sportello.ReportFact{
		{CaseID: "k1", Category: "Attività produttive", Outcome: sportello.OutcomeResolvedFirstContact, At: at.Add(2 * time.Hour), OpenedAt: at, FirstContact: true, TrueResolved: true},
		{CaseID: "k2", Category: "Attività produttive", DeskID: "d-t", DeskName: "Tributi", Outcome: sportello.OutcomeEscalated, At: at, OpenedAt: at, FirstContact: true},
		{CaseID: "k2", Category: "Attività produttive", DeskID: "d-t", DeskName: "Tributi", Outcome: sportello.OutcomeResolvedAtDesk, At: at.Add(26 * time.Hour), OpenedAt: at},
	}), nil
}

func (r *reports) ExportReport(_ context.Context, period sportello.ReportPeriod, date, format, _ string) ([]byte, error) {
	r.mu.Lock()
	r.exports = append(r.exports, string(period)+" "+date+" "+format)
	gate := r.gate
	r.mu.Unlock()
	if gate != nil {
		<-gate
	}
	return []byte(format + " of " + date), nil
}

// TestReports_Supervisor: a supervisor's Rapporti tab (Alt+R, also in the
// Supervisione menu) reads the day's report and shows its rows, totals and
// first-contact resolution per desk; Alt+P exports the month's PDF with
// the progress shown while syncd builds it, and Alt+C the CSV, both saved
// in the report folder; a bad date says why. An operator has no tab.
func TestReports_Supervisor(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	dir := t.TempDir()
	r := &reports{}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{},
		Board: &boards{first: morningBoard()}, Presence: &presences{}, Reports: r, ReportDir: dir,
		User: supervisor, Location: rome, Now: func() time.Time { return t0 },
	})
	w := d.Window
	app.WithUI(w.Show)
	t.Cleanup(d.Close)

	apptest.WaitText(t, w, wait, "Reports (Alt+R)")
	apptest.Press(w, app.ShortcutReports)
	apptest.WaitText(t, w, wait,
		"Reports · Day 2026-11-20 (Europe/Rome)",
		"Attività produttive", "First level", "Resolved at first contact", "2 h",
		"Tributi", "Escalated to a desk", "Resolved by the desk", "1 d 2 h",
		"Totals: 2 cases, 2 contacts, 0 missed calls, 2 resolved, average resolution time 14 h",
		"First-contact resolution: as recorded 50% (1/2), true 50% (1/2)",
		"Attività produttive · 2", "First level · 100% (1/1)", "Tributi · 0% (0/1)")
	if !menuHas(w, "Reports", app.ShortcutReports) || !menuHas(w, "Export CSV", app.ShortcutExportCSV) || !menuHas(w, "Export PDF", app.ShortcutExportPDF) {
		t.Fatal("the Supervisione menu lacks the reports' entries")
	}
	if got := apptest.Text(w); !strings.Contains(got, "Export CSV  [Alt+C]") || !strings.Contains(got, "Export PDF  [Alt+P]") {
		t.Fatalf("the export buttons do not show their keys:\n%s", got)
	}

	// The month's PDF: the progress shows until syncd answers.
	gate := make(chan struct{})
	r.mu.Lock()
	r.gate = gate
	r.mu.Unlock()
	app.WithUI(func() { selectOption(t, w, "Month") })
	apptest.Press(w, app.ShortcutExportPDF)
	apptest.WaitText(t, w, wait, "Building the report...")
	close(gate)
	pdf := filepath.Join(dir, "sportello-report-month-2026-11.pdf")
	apptest.WaitText(t, w, wait, "Report saved: "+pdf)
	if b, err := os.ReadFile(pdf); err != nil || string(b) != "pdf of 2026-11-20" {
		t.Fatalf("saved PDF %q, %v", b, err)
	}
	apptest.Press(w, app.ShortcutExportCSV)
	csv := filepath.Join(dir, "sportello-report-month-2026-11.csv")
	apptest.WaitText(t, w, wait, "Report saved: "+csv)
	r.mu.Lock()
	if strings.Join(r.asked, "|") != "day 2026-11-20" || strings.Join(r.exports, "|") != "month 2026-11-20 pdf|month 2026-11-20 csv" {
		t.Fatalf("asked %q, exports %q", r.asked, r.exports)
	}
	r.mu.Unlock()

	app.WithUI(func() { setEntry(t, w, "2026-11-20", "bad") })
	apptest.Press(w, app.ShortcutReports)
	apptest.WaitText(t, w, wait, "Reports · Check the data: the date \"bad\" is not YYYY-MM-DD")

	// An operator has neither the tab nor the shortcuts.
	op := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{},
		Board: &boards{first: morningBoard()}, Presence: &presences{}, Reports: r, ReportDir: dir,
		User: &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator}, Location: rome,
	})
	app.WithUI(op.Window.Show)
	t.Cleanup(op.Close)
	apptest.WaitText(t, op.Window, wait, "Information (Ctrl+K)")
	apptest.Press(op.Window, app.ShortcutReports)
	apptest.Press(op.Window, app.ShortcutExportCSV)
	time.Sleep(100 * time.Millisecond)
	if strings.Contains(apptest.Text(op.Window), "Reports") {
		t.Fatal("an operator has the Rapporti tab")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.asked) != 2 || len(r.exports) != 2 {
		t.Fatalf("an operator's desktop asked for reports: %q %q", r.asked, r.exports)
	}
}

// eachObject calls f on every object under the window's content (call on
// Fyne's goroutine).
func eachObject(w fyne.Window, f func(fyne.CanvasObject)) {
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil {
			return
		}
		f(o)
		switch v := o.(type) {
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	root := w.Canvas().Content()
	test.LaidOutObjects(root)
	walk(root)
}

// selectOption chooses option in the visible select that offers it.
func selectOption(t *testing.T, w fyne.Window, option string) {
	t.Helper()
	found := false
	eachObject(w, func(o fyne.CanvasObject) {
		if s, ok := o.(*widget.Select); ok && !found && o.Visible() {
			for _, opt := range s.Options {
				if opt == option {
					s.SetSelected(option)
					found = true
				}
			}
		}
	})
	if !found {
		t.Fatalf("no select offers %q", option)
	}
}

// setEntry replaces the text of the entry that holds from.
func setEntry(t *testing.T, w fyne.Window, from, to string) {
	t.Helper()
	found := false
	eachObject(w, func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok && !found && e.Text == from {
			e.SetText(to)
			found = true
		}
	})
	if !found {
		t.Fatalf("no entry holds %q", from)
	}
}
