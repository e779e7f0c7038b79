package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// testFCR: first-contact resolution as recorded and true, on a scripted
// fortnight under the injected clock. Each wrap-up is a row of the table
// with what the store must make of it: a first contact or a repeat
// contact (same citizen and service within the 7-day window, the
// boundary included; the service from the case when the wrap-up has
// none; never for an unknown caller; missed calls not counted), and
// whether a later repeat takes back its resolution.
func testFCR(t *testing.T, e *env) {
	const unknown = "+390299999999"
	cases := map[string]string{} // row name -> case id
	type row struct {
		name   string
		at     time.Time
		w      sportello.WrapUp
		caseOf string // attach to the case of that row
	}
	resolved, transferred := sportello.OutcomeResolvedFirstContact, sportello.OutcomeTransferred
	d2 := T0.Add(48 * time.Hour)
	g := d2.Add(7 * 24 * time.Hour) // exactly the window after c
	rows := []row{
		// Friday 14 March 2025.
		{"a", T0, sportello.WrapUp{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: resolved, KBEntries: []string{"kb-cie", "kb-orari", "kb-cie"}}, ""},
		{"b", T0.Add(5 * time.Minute), sportello.WrapUp{CitizenID: "c-panificio", Category: "Tributi", Outcome: transferred}, ""},
		// No category: the case's (Tributi), so a repeat of b.
		{"c2", T0.Add(10 * time.Minute), sportello.WrapUp{Outcome: resolved, KBEntries: []string{"kb-tari"}}, "b"},
		// An unknown caller is never a repeat contact.
		{"d", T0.Add(20 * time.Minute), sportello.WrapUp{CallerNumber: unknown, Category: "Anagrafe", Outcome: resolved}, ""},
		{"e", T0.Add(25 * time.Minute), sportello.WrapUp{CallerNumber: unknown, Category: "Anagrafe", Outcome: resolved}, ""},
		// A missed call is no contact: it neither repeats nor is repeated.
		{"f", T0.Add(30 * time.Minute), sportello.WrapUp{CitizenID: "c-panificio", Category: "Tributi", Outcome: sportello.OutcomeMissed}, ""},
		// Sunday: Maria Rossi calls again on Anagrafe (a repeat of a),
		// and on another service (a first contact).
		{"c", d2, sportello.WrapUp{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: sportello.OutcomeEscalated, DeskID: "desk-anagrafe", KBEntries: []string{"kb-cie", "kb-residenza"}}, ""},
		{"h", d2.Add(5 * time.Minute), sportello.WrapUp{CitizenID: "c-rossi", Category: "Tributi", Outcome: resolved}, ""},
		// Exactly 7 days after c: still a repeat; a second later than
		// that after g: a first contact again.
		{"g", g, sportello.WrapUp{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: resolved}, ""},
		{"i", g.Add(7*24*time.Hour + time.Second), sportello.WrapUp{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: resolved, KBEntries: []string{"kb-cie"}}, ""},
	}
	if err := e.PutKB(e.ctx, []sportello.KBEntry{
		{ID: "kb-residenza", Kind: sportello.EntryService, Title: "Cambio di residenza", Summary: "Online o allo sportello.", OwnerDesk: "desk-anagrafe", UpdatedAt: T0},
		{ID: "kb-multe", Kind: sportello.EntryAnswer, Title: "Multe: come pagare", Summary: "PagoPA.", OwnerDesk: "desk-tributi", UpdatedAt: T0},
	}); err != nil {
		t.Fatal(err)
	}
	week := time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC) // the Monday before T0
	counts := func(day time.Time) (sportello.FCRCounts, sportello.FCRCounts) {
		t.Helper()
		w, d, err := e.FCRCounts(e.ctx, week, day)
		if err != nil {
			t.Fatal(err)
		}
		return w, d
	}
	for i, r := range rows {
		e.clock.Set(r.at)
		r.w.CallID = "call-" + r.name
		if r.caseOf != "" {
			r.w.CaseID = cases[r.caseOf]
		}
		cases[r.name] = e.record(t, &Operator, r.w).ID
		if r.name == "e" {
			// An hour in: a (resolved) has not been repeated yet.
			w, d := counts(T0.Add(-9 * time.Hour))
			want := sportello.FCRCounts{WrapUps: 5, Resolved: 4, FirstContacts: 4, TrueResolved: 3}
			if w != want || d != want {
				t.Fatalf("after row %d: week %+v, day %+v, want %+v", i, w, d, want)
			}
		}
		if r.name == "c" {
			// c repeats a: a's resolution is taken back.
			w, _ := counts(T0.Add(-9 * time.Hour))
			if want := (sportello.FCRCounts{WrapUps: 6, Resolved: 4, FirstContacts: 4, TrueResolved: 2}); w != want {
				t.Fatalf("after c: week %+v, want %+v", w, want)
			}
		}
	}
	// Resolved: a c2 d e h g i; first contacts: a b d e h i; truly
	// resolved: d e h i (a repeated by c; c2 and g are repeats).
	w, d := counts(T0.Add(24 * time.Hour))
	if want := (sportello.FCRCounts{WrapUps: 9, Resolved: 7, FirstContacts: 6, TrueResolved: 4}); w != want {
		t.Fatalf("all: %+v, want %+v", w, want)
	}
	// From Saturday: c h g i.
	if want := (sportello.FCRCounts{WrapUps: 4, Resolved: 3, FirstContacts: 2, TrueResolved: 2}); d != want {
		t.Fatalf("since Saturday: %+v, want %+v", d, want)
	}
	if w.Rate() != 7.0/9 || w.TrueRate() != 4.0/6 {
		t.Fatalf("rates %v %v", w.Rate(), w.TrueRate())
	}

	t.Run("Replayed", func(t *testing.T) {
		e.clock.Set(g.Add(30 * 24 * time.Hour))
		late := time.Date(2025, 4, 14, 0, 0, 0, 0, time.UTC)
		w := sportello.WrapUp{ID: "01950000-0000-7000-8000-00000000fc01", CallID: "call-r", CitizenID: "c-panificio", Category: "Multe", Outcome: resolved, KBEntries: []string{"kb-multe"}}
		for range 2 {
			e.record(t, &Operator, w)
		}
		if got, _, err := e.FCRCounts(e.ctx, late, late); err != nil || got.WrapUps != 1 {
			t.Fatalf("a wrap-up sent twice counts %+v, %v", got, err)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		head := e.head(t)
		many := make([]string, sportello.MaxWrapUpKBEntries+1)
		for i := range many {
			many[i] = "kb-" + strings.Repeat("x", i+1)
		}
		for _, kb := range [][]string{many, {"kb\x01"}, {""}, {strings.Repeat("k", 65)}} {
			_, err := e.RecordWrapUp(e.ctx, &Operator, sportello.WrapUp{CallID: "call-x", CitizenID: "c-rossi", Outcome: resolved, KBEntries: kb})
			wantCode(t, err, sportello.EINVALID)
		}
		if e.head(t) != head {
			t.Fatal("a refused wrap-up wrote changes")
		}
	})

	t.Run("Window", func(t *testing.T) {
		// A window of one hour: an hour and a second later is a first contact.
		e.SetRepeatContactWindow(time.Hour)
		defer e.SetRepeatContactWindow(0)
		at := time.Date(2025, 5, 5, 8, 0, 0, 0, time.UTC)
		for i, off := range []time.Duration{0, time.Hour, 2*time.Hour + time.Second} {
			e.clock.Set(at.Add(off))
			e.record(t, &Operator2, sportello.WrapUp{CallID: "call-w" + string(rune('0'+i)), CitizenID: "c-rossi", Category: "Commercio", Outcome: resolved})
		}
		got, _, err := e.FCRCounts(e.ctx, at, at)
		if want := (sportello.FCRCounts{WrapUps: 3, Resolved: 3, FirstContacts: 2, TrueResolved: 1}); err != nil || got != want {
			t.Fatalf("one-hour window: %+v, %v; want %+v", got, err, want)
		}
	})

	t.Run("KBUsefulness", func(t *testing.T) {
		since := T0.Add(-time.Hour)
		u, err := e.KBUsefulness(e.ctx, since, nil, true, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !u.Since.Equal(since) {
			t.Fatalf("since %v", u.Since)
		}
		// cie: a c i (resolved a i, truly i); orari: a; tari: c2 (a
		// repeat); residenza: c only, escalated: it never helped. Multe
		// (used in Replayed, a month later) counts too.
		want := []sportello.KBUse{
			{ID: "kb-cie", Uses: 3, Resolved: 2, TrueResolved: 1, LastUsed: g.Add(7*24*time.Hour + time.Second)},
			{ID: "kb-multe", Uses: 1, Resolved: 1, TrueResolved: 1},
			{ID: "kb-orari", Uses: 1, Resolved: 1, TrueResolved: 0, LastUsed: T0},
			{ID: "kb-tari", Uses: 1, Resolved: 1, TrueResolved: 0, LastUsed: T0.Add(10 * time.Minute)},
			{ID: "kb-residenza", Uses: 1, Resolved: 0, LastUsed: d2},
		}
		wantUses(t, u.Used, want)
		if !u.Used[4].NeverHelped() || u.Used[0].NeverHelped() || u.Used[4].Title != "Cambio di residenza" || u.Used[4].OwnerDesk != "desk-anagrafe" || u.Used[0].Kind != sportello.EntryService {
			t.Fatalf("used %+v", u.Used)
		}
		if u.NeverUsedTotal != 0 || len(u.NeverUsed) != 0 {
			t.Fatalf("never used %+v (%d)", u.NeverUsed, u.NeverUsedTotal)
		}
		services := map[string]sportello.FCRCounts{}
		var names []string
		for _, s := range u.Services {
			services[s.Service] = s.FCRCounts
			names = append(names, s.Service)
		}
		if !slices.Equal(names, []string{"Anagrafe", "Commercio", "Multe", "Tributi"}) ||
			services["Anagrafe"] != (sportello.FCRCounts{WrapUps: 6, Resolved: 5, FirstContacts: 4, TrueResolved: 3}) ||
			services["Tributi"] != (sportello.FCRCounts{WrapUps: 3, Resolved: 2, FirstContacts: 2, TrueResolved: 1}) {
			t.Fatalf("services %+v", u.Services)
		}

		// From Saturday on: cie c i; the entries used only on Friday
		// (orari, tari) are never used in the period, listed by title up
		// to the limit (1), counted all.
		u, err = e.KBUsefulness(e.ctx, T0.Add(24*time.Hour), nil, true, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(u.Used) < 1 || u.Used[0].ID != "kb-cie" || u.Used[0].Uses != 2 || u.Used[0].Resolved != 1 {
			t.Fatalf("used since Saturday %+v", u.Used)
		}
		if u.NeverUsedTotal != 2 || len(u.NeverUsed) != 1 || u.NeverUsed[0].ID != "kb-orari" || u.NeverUsed[0].Uses != 0 || !u.NeverUsed[0].NeverHelped() {
			t.Fatalf("never used since Saturday %+v (%d)", u.NeverUsed, u.NeverUsedTotal)
		}

		// A specialist of Anagrafe: only Anagrafe's entries.
		u, err = e.KBUsefulness(e.ctx, since, []string{"desk-anagrafe"}, false, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(u.Used) != 1 || u.Used[0].ID != "kb-residenza" || len(u.NeverUsed) != 0 || len(u.Services) != 4 {
			t.Fatalf("Anagrafe's entries: %+v %+v", u.Used, u.NeverUsed)
		}
		if u, err := e.KBUsefulness(e.ctx, since, nil, false, 10); err != nil || len(u.Used)+len(u.NeverUsed) != 0 {
			t.Fatalf("no desk: %+v, %v", u, err)
		}
	})

	t.Run("DeskMembers", func(t *testing.T) {
		if err := e.AddDeskMember(e.ctx, Operator2.ID, "desk-tributi"); err != nil {
			t.Fatal(err)
		}
		members, err := e.DeskMembers(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(members, wire.DeskMember{DeskID: "desk-tributi", UserID: Operator2.ID}) {
			t.Fatalf("members %+v", members)
		}
		if !slices.IsSortedFunc(members, func(a, b wire.DeskMember) int {
			return strings.Compare(a.DeskID+"/"+a.UserID, b.DeskID+"/"+b.UserID)
		}) {
			t.Fatalf("members not in order: %+v", members)
		}
	})
}

// wantUses compares entries' ids and counts, in order (LastUsed when set).
func wantUses(t *testing.T, got, want []sportello.KBUse) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("used %+v, want %+v", got, want)
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.ID || g.Uses != w.Uses || g.Resolved != w.Resolved || g.TrueResolved != w.TrueResolved ||
			(!w.LastUsed.IsZero() && !g.LastUsed.Equal(w.LastUsed)) {
			t.Fatalf("used[%d] = %+v, want %+v (all %+v)", i, g, w, got)
		}
	}
}
