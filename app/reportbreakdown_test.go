package app_test

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// breakdownReports is a fake ReportService whose report has three facts
// by two people: Giulia resolves on the phone a Tributi case opened on
// Friday 20 March 2026 at 18:00 on Monday 23 at 09:00 (63 h, 8 business
// hours: Fri 1, Sat 6, Mon 1) and misses an Anagrafe call; Sara resolves
// at the desk a case opened on Monday at 09:00 at 11:00 (2 h, 2 h).
type breakdownReports struct{ reports }

func (r *breakdownReports) Report(_ context.Context, period sportello.ReportPeriod, date string) (*sportello.Report, error) {
	rome, _ := time.LoadLocation("Europe/Rome")
	at := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, rome) }
	giulia := func(f sportello.ReportFact) sportello.ReportFact {
		f.AuthorID, f.Author = "u-a", "Giulia Bianchi"
		return f
	}
	return sportello.NewReport(period, date, "Europe/Rome", at(23, 0), at(24, 0), at(24, 0), []sportello.ReportFact{
		giulia(sportello.ReportFact{CaseID: "k1", Category: "Tributi", Outcome: sportello.OutcomeResolvedFirstContact, At: at(23, 9), OpenedAt: at(20, 18), FirstContact: true, TrueResolved: true}),
		giulia(sportello.ReportFact{CaseID: "k2", Category: "Anagrafe", Outcome: sportello.OutcomeMissed, At: at(23, 10), OpenedAt: at(23, 10)}),
		{CaseID: "k3", Category: "Tributi", DeskID: "d-t", DeskName: "Tributi", Outcome: sportello.OutcomeResolvedAtDesk, At: at(23, 11), OpenedAt: at(23, 9), AuthorID: "u-s", Author: "Sara Conti"},
	}), nil
}

// TestReports_Breakdown: the Rapporti tab shows the average resolution
// time in business hours and a line per operator and per service, with
// the numbers worked out in breakdownReports' comment.
func TestReports_Breakdown(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{},
		Board: &boards{first: morningBoard()}, Presence: &presences{}, Reports: &breakdownReports{}, ReportDir: t.TempDir(),
		User: supervisor, Location: rome, Now: func() time.Time { return t0 },
	})
	w := d.Window
	app.WithUI(w.Show)
	t.Cleanup(d.Close)
	apptest.WaitText(t, w, wait, "Reports (Alt+R)")
	apptest.Press(w, app.ShortcutReports)
	apptest.WaitText(t, w, wait,
		"Totals: 3 cases, 1 contacts, 1 missed calls, 2 resolved, average resolution time 1 d 8 h 30 min",
		"Average resolution time in business hours: 5 h",
		"Per operator",
		"Giulia Bianchi · contacts 1 · missed 1 · resolved 1 · average 2 d 15 h, 8 h in business hours · FCR 100% (1/1), true 100% (1/1)",
		"Sara Conti · contacts 0 · missed 0 · resolved 1 · average 2 h, 2 h in business hours",
		"Per service",
		"Anagrafe · contacts 0 · missed 1 · resolved 0",
		"Tributi · contacts 1 · missed 0 · resolved 2 · average 1 d 8 h 30 min, 5 h in business hours · FCR 100% (1/1), true 100% (1/1)",
	)
}
