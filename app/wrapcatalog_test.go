package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/softphone/phonetest"
	"github.com/sportello/sportello/sync/sqlite"
)

// TestOperator_CategoryFromCatalogue: with the demo catalogue in a real
// replica, the wrap-up's category picker offers every service of the
// catalogue with its desk: "Informazioni" first, the caller's open case's
// service next, then the rest by name. Typing in the filter (Shift+Tab
// twice from the note) narrows it and chooses the first match; Tab and
// Right choose among the matches; the wrap-up records the service's name.
func TestOperator_CategoryFromCatalogue(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, rome)
	city := demo.Generate(1, now)
	replica := sqlite.NewReplica(filepath.Join(t.TempDir(), "replica.db"))
	if err := replica.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { replica.Close() })
	if err := replica.PutKB(context.Background(), city.KB); err != nil {
		t.Fatal(err)
	}
	deskName := map[string]string{}
	for _, d := range city.Desks {
		deskName[d.ID] = d.Name
	}
	var services []string // label of every service, by name
	for _, e := range city.KB {
		if e.Kind == sportello.EntryService {
			label := e.Title
			if n := deskName[e.OwnerDesk]; n != "" {
				label += " · " + n
			}
			services = append(services, label)
		}
	}
	slices.SortFunc(services, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	if len(services) < 10 {
		t.Fatalf("the demo catalogue has %d services", len(services))
	}

	open, err := sportello.Replay("case-m", "cit-m", []*sportello.CaseEvent{
		{ID: "m1", CaseID: "case-m", Kind: sportello.EventOpened, At: now.Add(-time.Hour), Note: "Verbale di settembre"},
	})
	if err != nil {
		t.Fatal(err)
	}
	open.Category = "Pagamento di una multa"
	card := &sportello.CallerCard{Number: "+390233334444", Cases: []*sportello.Case{open},
		Citizen: &sportello.Citizen{ID: "cit-m", Name: "Luca Verdi", Phones: []string{"+390233334444"}}}
	ph := phonetest.New()
	ph.HangupFn = func(string) error { return nil }
	ph.AnswerFn = func(string) error { return nil }
	cases := &cases{result: func(w sportello.WrapUp) *sportello.Case { return &sportello.Case{ID: "k"} }}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: ph, Citizens: &citizens{cards: map[string]*sportello.CallerCard{"+390233334444": card}}, Cases: cases,
		KB: replica, Desks: &desks{desks: city.Desks},
		User:     &sportello.User{ID: "u-g", Name: "Giulia Bianchi", Role: sportello.RoleOperator},
		Location: rome, Now: func() time.Time { return now },
	})
	t.Cleanup(d.Close)
	w := d.Window
	w.Show()
	wrapUp := func(n int) sportello.WrapUp {
		t.Helper()
		deadline := time.Now().Add(wait)
		for {
			cases.mu.Lock()
			l := len(cases.got)
			var wu sportello.WrapUp
			if l >= n {
				wu = cases.got[n-1]
			}
			cases.mu.Unlock()
			if l >= n {
				return wu
			}
			if time.Now().After(deadline) {
				t.Fatalf("wrap-up %d never recorded", n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	endCall := func() {
		t.Helper()
		ph.CallsCh <- call(sportello.CallRinging, "+390233334444")
		ph.CallsCh <- call(sportello.CallActive, "+390233334444")
		apptest.WaitText(t, w, wait, "In conversation")
		ph.CallsCh <- call(sportello.CallEnded, "+390233334444")
		apptest.WaitText(t, w, wait, "Call ended")
	}
	// toFilter puts the cursor in the filter: Shift+Tab twice from the note.
	toFilter := func() *widget.Entry {
		t.Helper()
		apptest.Press(w, app.ShortcutNote)
		app.WithUI(func() { w.Canvas().FocusPrevious(); w.Canvas().FocusPrevious() })
		e, ok := apptest.Focused(w).(*widget.Entry)
		if !ok {
			t.Fatalf("Shift+Tab twice from the note focused %T, want the category filter", apptest.Focused(w))
		}
		return e
	}
	var sel *widget.Select
	options := func() (string, []string) {
		var selected string
		var opts []string
		app.WithUI(func() { selected, opts = sel.Selected, slices.Clone(sel.Options) })
		return selected, opts
	}

	endCall()
	apptest.Press(w, app.ShortcutNote)
	app.WithUI(func() { w.Canvas().FocusPrevious() })
	var ok bool
	if sel, ok = apptest.Focused(w).(*widget.Select); !ok {
		t.Fatalf("Shift+Tab from the note focused %T, want the category select", apptest.Focused(w))
	}
	met := "Pagamento di una multa · Multe"
	want := append([]string{"Informazioni", met}, slices.DeleteFunc(slices.Clone(services), func(s string) bool { return s == met })...)
	deadline := time.Now().Add(wait)
	for {
		selected, got := options()
		if slices.Equal(got, want) && selected == "Informazioni" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("category options %q (selected %q),\nwant %q", got, selected, want)
		}
		time.Sleep(10 * time.Millisecond)
	}

	toFilter()
	apptest.TypeFocused(w, "ricorso")
	if selected, got := options(); !slices.Equal(got, []string{"Ricorso contro una multa · Multe"}) || selected != got[0] {
		t.Fatalf("filtered by \"ricorso\": %q (selected %q)", got, selected)
	}
	apptest.Press(w, app.ShortcutSave)
	if c := wrapUp(1).Category; c != "Ricorso contro una multa" {
		t.Fatalf("first wrap-up category %q, want the service's name", c)
	}

	// Next call: the filter is empty again; "tari" finds the two TARI
	// services; Tab to the select and Right takes the second.
	endCall()
	if e := toFilter(); e.Text != "" {
		t.Fatalf("the filter kept %q", e.Text)
	}
	if selected, _ := options(); selected != "Informazioni" {
		t.Fatalf("a new call starts on %q", selected)
	}
	apptest.TypeFocused(w, "tari")
	selected, got := options()
	if len(got) != 2 || !strings.HasPrefix(got[0], "TARI - pagamento") || !strings.HasPrefix(got[1], "TARI - riduzioni") || selected != got[0] {
		t.Fatalf("filtered by \"tari\": %q (selected %q)", got, selected)
	}
	app.WithUI(func() { w.Canvas().FocusNext() })
	apptest.Key(w, fyne.KeyRight)
	apptest.Press(w, app.ShortcutSave)
	if c := wrapUp(2).Category; c != "TARI - riduzioni e rimborsi" {
		t.Fatalf("second wrap-up category %q, want the second match chosen with Right", c)
	}
}

// bigCatalog is a KB service whose catalogue has n services.
type bigCatalog struct{ n int }

func (bigCatalog) SearchKB(context.Context, string, int) ([]sportello.KBHit, error) { return nil, nil }

func (c bigCatalog) Services(context.Context) ([]sportello.KBEntry, error) {
	out := make([]sportello.KBEntry, c.n)
	for i := range out {
		out[i] = sportello.KBEntry{ID: fmt.Sprint(i), Kind: sportello.EntryService, Title: fmt.Sprintf("Servizio %04d", i)}
	}
	return out, nil
}

// TestOperator_CategoryLargeCatalogue: a catalogue of 5,000 services
// offers the first 200 and is narrowed by typing: a service far past
// them is found and recorded.
func TestOperator_CategoryLargeCatalogue(t *testing.T) {
	ph := phonetest.New()
	ph.HangupFn = func(string) error { return nil }
	ph.AnswerFn = func(string) error { return nil }
	cases := &cases{result: func(w sportello.WrapUp) *sportello.Case { return &sportello.Case{ID: "k"} }}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: ph, Citizens: &citizens{cards: map[string]*sportello.CallerCard{}}, Cases: cases, KB: bigCatalog{5000},
		User: &sportello.User{ID: "u-g", Name: "Giulia Bianchi", Role: sportello.RoleOperator},
	})
	t.Cleanup(d.Close)
	w := d.Window
	w.Show()
	ph.CallsCh <- call(sportello.CallRinging, "+390299999999")
	ph.CallsCh <- call(sportello.CallActive, "+390299999999")
	apptest.WaitText(t, w, wait, "In conversation")
	ph.CallsCh <- call(sportello.CallEnded, "+390299999999")
	apptest.WaitText(t, w, wait, "Call ended")
	apptest.Press(w, app.ShortcutNote)
	app.WithUI(func() { w.Canvas().FocusPrevious() })
	sel, ok := apptest.Focused(w).(*widget.Select)
	if !ok {
		t.Fatalf("focused %T, want the category select", apptest.Focused(w))
	}
	options := func() []string {
		var o []string
		app.WithUI(func() { o = slices.Clone(sel.Options) })
		return o
	}
	deadline := time.Now().Add(wait)
	for len(options()) < 200 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := options(); len(got) != 200 || got[0] != "Informazioni" || got[199] != "Servizio 0198" {
		t.Fatalf("%d options from %q to %q, want the first 200", len(got), got[0], got[len(got)-1])
	}
	app.WithUI(func() { w.Canvas().FocusPrevious() })
	apptest.TypeFocused(w, "4321")
	if got := options(); !slices.Equal(got, []string{"Servizio 4321"}) {
		t.Fatalf("filtered %q", got)
	}
	apptest.Press(w, app.ShortcutSave)
	deadline = time.Now().Add(wait)
	for {
		cases.mu.Lock()
		n := len(cases.got)
		var c string
		if n > 0 {
			c = cases.got[0].Category
		}
		cases.mu.Unlock()
		if n > 0 {
			if c != "Servizio 4321" {
				t.Fatalf("recorded %q", c)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no wrap-up recorded")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
