package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
)

// Shortcuts of the Rapporti tab: show it and read the report, and save it
// as CSV or as PDF.
var (
	ShortcutReports   = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierAlt}
	ShortcutExportCSV = &desktop.CustomShortcut{KeyName: fyne.KeyC, Modifier: fyne.KeyModifierAlt}
	ShortcutExportPDF = &desktop.CustomShortcut{KeyName: fyne.KeyP, Modifier: fyne.KeyModifierAlt}
)

// reportsPanel is the *Rapporti* tab of supervisors and admins: a period
// (day or month) and a date, the report's table and totals as syncd
// computes them, and exports to CSV and PDF saved in the report folder,
// with a progress bar while syncd builds them.
type reportsPanel struct {
	s         *operatorScreen
	tab       *container.TabItem
	head      *widget.Label
	period    *widget.Select
	date      *widget.Entry
	show      *tipButton
	exportCSV *tipButton
	exportPDF *tipButton
	progress  *widget.ProgressBarInfinite
	status    *widget.Label
	table     *fyne.Container
	totals    *fyne.Container

	// State, touched only on Fyne's goroutine.
	data *sportello.Report
	err  string
	busy bool
}

// newReports makes the tab when the desktop can read reports.
func (s *operatorScreen) newReports() {
	if s.cfg.Reports == nil {
		return
	}
	p := &reportsPanel{s: s, table: container.NewVBox(), totals: container.NewVBox()}
	p.head = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.period = widget.NewSelect([]string{tr("Day"), tr("Month")}, nil)
	p.period.SetSelectedIndex(0)
	p.date = widget.NewEntry()
	p.date.SetPlaceHolder(tr("YYYY-MM-DD"))
	p.date.SetText(s.cfg.Now().In(s.cfg.Location).Format(time.DateOnly))
	p.date.OnSubmitted = func(string) { p.read() }
	p.show = newTipButton(tr("Show"), ShortcutReports, p.read)
	p.exportCSV = newTipButton(tr("Export CSV"), ShortcutExportCSV, func() { p.export("csv") })
	p.exportPDF = newTipButton(tr("Export PDF"), ShortcutExportPDF, func() { p.export("pdf") })
	p.progress = widget.NewProgressBarInfinite()
	p.progress.Stop()
	p.progress.Hide()
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	controls := container.NewHBox(widget.NewLabel(tr("Period")), p.period, widget.NewLabel(tr("Date")), p.date, p.show, p.exportCSV, p.exportPDF)
	body := container.NewVBox(p.table, widget.NewSeparator(), p.totals)
	p.tab = container.NewTabItem(tr("Reports")+" ("+shortcutText(ShortcutReports)+")",
		container.NewBorder(container.NewVBox(p.head, controls, p.progress, p.status), nil, nil, nil, container.NewVScroll(body)))
	s.reports = p
	p.render()
}

// reportsView reports whether the signed-in user has the tab:
// supervisors and admins.
func (s *operatorScreen) reportsView() bool {
	u := s.user
	return s.reports != nil && u != nil && (u.Role == sportello.RoleSupervisor || u.Role == sportello.RoleAdmin)
}

// reportsSignedIn adds the tab for a supervisor or an admin.
func (s *operatorScreen) reportsSignedIn() {
	if s.reportsView() && indexOfTab(s.tabs, s.reports.tab) < 0 {
		s.tabs.Append(s.reports.tab)
	}
}

// reportsSignedOut removes the tab and forgets the report it showed.
func (s *operatorScreen) reportsSignedOut() {
	p := s.reports
	if p == nil {
		return
	}
	if indexOfTab(s.tabs, p.tab) >= 0 {
		s.tabs.Remove(p.tab)
	}
	p.data, p.err = nil, ""
	p.status.SetText("")
	p.render()
}

// focusReports shows the tab and reads the report of the chosen period.
func (s *operatorScreen) focusReports() {
	if !s.reportsView() {
		return
	}
	s.tabs.Select(s.reports.tab)
	s.reports.read()
}

// reportsMenuItems are the Supervisione menu's entries.
func (s *operatorScreen) reportsMenuItems(item func(string, fyne.Shortcut, func()) *fyne.MenuItem) []*fyne.MenuItem {
	if !s.reportsView() {
		return nil
	}
	p := s.reports
	return []*fyne.MenuItem{
		item(tr("Reports"), ShortcutReports, s.focusReports),
		item(tr("Export CSV"), ShortcutExportCSV, func() { p.export("csv") }),
		item(tr("Export PDF"), ShortcutExportPDF, func() { p.export("pdf") }),
	}
}

func (s *operatorScreen) addReportsShortcuts() {
	if s.reports == nil {
		return
	}
	c := s.win.Canvas()
	c.AddShortcut(ShortcutReports, func(fyne.Shortcut) { s.focusReports() })
	c.AddShortcut(ShortcutExportCSV, func(fyne.Shortcut) { s.reports.export("csv") })
	c.AddShortcut(ShortcutExportPDF, func(fyne.Shortcut) { s.reports.export("pdf") })
}

// chosen returns the period and date the controls name.
func (p *reportsPanel) chosen() (sportello.ReportPeriod, string) {
	period := sportello.ReportDay
	if p.period.SelectedIndex() == 1 {
		period = sportello.ReportMonth
	}
	return period, strings.TrimSpace(p.date.Text)
}

// start marks the panel busy with a message and shows the progress bar;
// it reports false when something is already being built.
func (p *reportsPanel) start(msg string) bool {
	if p.busy || !p.s.reportsView() {
		return false
	}
	p.busy = true
	p.status.SetText(msg)
	p.progress.Show()
	p.progress.Start()
	p.enable()
	return true
}

// finish ends a build, leaving msg in the status line.
func (p *reportsPanel) finish(msg string) {
	p.busy = false
	p.progress.Stop()
	p.progress.Hide()
	p.status.SetText(msg)
	p.enable()
}

func (p *reportsPanel) enable() {
	for _, b := range []*tipButton{p.show, p.exportCSV, p.exportPDF} {
		if p.busy {
			b.Disable()
		} else {
			b.Enable()
		}
	}
}

// read asks syncd for the report, off Fyne's goroutine.
func (p *reportsPanel) read() {
	s := p.s
	if !p.start(tr("Building the report...")) {
		return
	}
	period, date := p.chosen()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 60*time.Second)
		defer cancel()
		r, err := s.cfg.Reports.Report(ctx, period, date)
		do(func() {
			if !s.reportsView() {
				p.busy = false
				return // signed out meanwhile
			}
			if err != nil {
				p.err = errorText(err)
				s.cfg.Logger.Warn("read the report", "period", string(period), "date", date, "error", err)
			} else {
				p.data, p.err = r, ""
			}
			p.finish("")
			p.render()
		})
	}()
}

// export has syncd build the report as format ("csv" or "pdf") and saves
// it in the report folder, off Fyne's goroutine.
func (p *reportsPanel) export(format string) {
	s := p.s
	if !s.reportsView() {
		return
	}
	s.tabs.Select(p.tab)
	if !p.start(tr("Building the report...")) {
		return
	}
	period, date := p.chosen()
	language := reportLanguage()
	dir := s.cfg.ReportDir
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.ctx, 120*time.Second)
		defer cancel()
		data, err := s.cfg.Reports.ExportReport(ctx, period, date, format, language)
		path := ""
		if err == nil {
			path, err = saveReport(dir, reportFileName(period, date, format), data)
		}
		do(func() {
			if !s.reportsView() {
				p.busy = false
				return
			}
			if err != nil {
				s.cfg.Logger.Warn("export the report", "period", string(period), "date", date, "format", format, "error", err)
				p.finish(errorText(err))
				return
			}
			p.finish(tr("Report saved:") + " " + path)
		})
	}()
}

// reportLanguage is the PDF's language: English for an English desktop,
// Italian otherwise.
func reportLanguage() string {
	if strings.HasPrefix(lang.SystemLocale().LanguageString(), "en") {
		return sportello.LangEnglish
	}
	return sportello.LangItalian
}

// reportFileName names an export as syncd does:
// sportello-report-day-2026-10-25.pdf, sportello-report-month-2026-10.csv.
func reportFileName(period sportello.ReportPeriod, date, format string) string {
	if period == sportello.ReportMonth && len(date) > 7 {
		date = date[:7]
	}
	return "sportello-report-" + string(period) + "-" + strings.NewReplacer("/", "-", `\`, "-").Replace(date) + "." + format
}

// saveReport writes an export in dir (the user's Documents folder, or
// home, when empty) and returns its path.
func saveReport(dir, name string, data []byte) (string, error) {
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", sportello.Errorf(sportello.EINTERNAL, "no folder to save the report in: %v", err)
		}
		dir = filepath.Join(home, "Documents")
		if _, err := os.Stat(dir); err != nil {
			dir = home
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("save the report: %w", err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", fmt.Errorf("save the report: %w", err)
	}
	return path, nil
}

// render shows the report: a row per category x desk x outcome, then the
// totals, cases per category and first-contact resolution per desk.
func (p *reportsPanel) render() {
	p.table.RemoveAll()
	p.totals.RemoveAll()
	head := tr("Reports")
	switch {
	case p.err != "":
		head += " · " + p.err
	case p.data == nil:
		head += " · " + shortcutText(ShortcutReports) + " " + tr("reads the report")
	default:
		r := p.data
		which := tr("Day")
		if r.Period == sportello.ReportMonth {
			which = tr("Month")
		}
		head += " · " + which + " " + r.Date + " (" + r.Zone + ")"
	}
	p.head.SetText(head)
	r := p.data
	if r == nil {
		return
	}
	if len(r.Rows) == 0 {
		p.table.Add(widget.NewLabel(tr("No calls and no cases resolved in this period.")))
		return
	}
	grid := container.NewGridWithColumns(7)
	for _, h := range []string{tr("Category"), tr("Desk"), tr("Outcome"), tr("Contacts"), tr("Cases"), tr("Resolutions"), tr("Average time")} {
		grid.Add(widget.NewLabelWithStyle(h, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	for _, row := range r.Rows {
		avg := ""
		if row.Resolved > 0 {
			avg = resolutionText(row.AvgResolution())
		}
		for _, c := range []string{row.Category, reportDeskText(row.DeskID, row.DeskName), reportOutcomeText(row.Outcome),
			fmt.Sprint(row.Count), fmt.Sprint(row.Cases), fmt.Sprint(row.Resolved), avg} {
			grid.Add(widget.NewLabel(c))
		}
	}
	p.table.Add(grid)

	t := r.Totals
	p.totals.Add(widget.NewLabel(fmt.Sprintf(tr("Totals: %d cases, %d contacts, %d missed calls, %d resolved, average resolution time %s"),
		t.Cases, t.Contacts, t.Missed, t.Resolved, resolutionText(t.AvgResolution()))))
	p.totals.Add(widget.NewLabel(fmt.Sprintf(tr("First-contact resolution: as recorded %s (%d/%d), true %s (%d/%d)"),
		percentText(t.FCR.Rate()), t.FCR.Resolved, t.FCR.WrapUps, percentText(t.FCR.TrueRate()), t.FCR.TrueResolved, t.FCR.FirstContacts)))
	p.totals.Add(widget.NewLabelWithStyle(tr("Cases per category"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, c := range r.Categories {
		p.totals.Add(widget.NewLabel(fmt.Sprintf("%s · %d", c.Category, c.Cases)))
	}
	p.totals.Add(widget.NewLabelWithStyle(tr("First-contact resolution per desk"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, d := range r.Desks {
		l := widget.NewLabel(fmt.Sprintf("%s · %s (%d/%d)", reportDeskText(d.DeskID, d.DeskName), percentText(d.Rate()), d.Resolved, d.WrapUps))
		if d.WrapUps > 0 && d.Rate() < 0.8 {
			l.Importance = widget.WarningImportance
		}
		p.totals.Add(l)
	}
	p.renderBreakdowns(r) // reportbreakdown.go
}

func reportOutcomeText(o sportello.Outcome) string {
	if o == sportello.OutcomeResolvedAtDesk {
		return tr("Resolved by the desk")
	}
	return outcomeText(o)
}

func reportDeskText(id, name string) string {
	switch {
	case id == "":
		return tr("First level")
	case name == "":
		return id
	}
	return name
}

func percentText(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }

// resolutionText writes a resolution time: "2 d 3 h 5 min" ("g" in Italian).
func resolutionText(d time.Duration) string {
	mins := int64(d / time.Minute)
	days, hours, m := mins/(24*60), mins/60%24, mins%60
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf(tr("%d d"), days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%d h", hours))
	}
	if m > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d min", m))
	}
	return strings.Join(parts, " ")
}
