package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/storetest"
	"github.com/sportello/sportello/sync/wire"
)

// TestBoard_TrueFCR checks the board's first-contact resolution, as
// recorded and true, today and this week, against numbers worked out by
// hand, with syncd's repeat-contact window set to 48 hours:
//
//	Mon 28 09:00 Giulia  Rossi  Anagrafe resolved   first contact; repeated Tue 10:00 -> not true
//	Mon 28 09:10 Giulia  Verdi  Tributi  resolved   first contact, true
//	Tue 29 10:00 Marco   Rossi  Anagrafe escalated  repeat of Mon 09:00 (25 h)
//	Tue 29 10:30 Marco   Rossi  Multe    resolved   first contact (another service), true
//	Fri  2 10:00 Giulia  Verdi  Tributi  resolved   first contact: 96 h after Monday's, outside 48 h
//	Mon  5 09:00         a new week: nothing yet
func TestBoard_TrueFCR(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(morning(8, 0))
	e := boardEnv(t, clk, nil, server.BoardConfig{Location: rome, RepeatContactWindow: 48 * time.Hour})
	wrap := func(at time.Time, user string, w sportello.WrapUp) {
		t.Helper()
		clk.Set(at)
		w.CallID = "call-" + at.Format("0102-1504")
		e.wrapUp(t, e.login(t, user), w)
	}
	read := func(at time.Time) *sportello.Board {
		t.Helper()
		clk.Set(at)
		return e.board(t, e.login(t, "supervisore"))
	}
	wantTrue := func(b *sportello.Board, today, week sportello.FCRCounts) {
		t.Helper()
		got := sportello.FCRCounts{WrapUps: b.FCR.WrapUps, Resolved: b.FCR.Resolved, FirstContacts: b.FCR.FirstContacts, TrueResolved: b.FCR.TrueResolved}
		if got != today || b.FCR.Week != week {
			t.Fatalf("today %+v week %+v, want today %+v week %+v", got, b.FCR.Week, today, week)
		}
	}
	resolved := sportello.OutcomeResolvedFirstContact
	wrap(morning(9, 0), "operatore", sportello.WrapUp{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: resolved})
	wrap(morning(9, 10), "operatore", sportello.WrapUp{CitizenID: "c-verdi", Category: "Tributi", Outcome: resolved})
	b := read(morning(9, 30))
	wantTrue(b, sportello.FCRCounts{WrapUps: 2, Resolved: 2, FirstContacts: 2, TrueResolved: 2}, sportello.FCRCounts{WrapUps: 2, Resolved: 2, FirstContacts: 2, TrueResolved: 2})

	wrap(april(29, 10, 0), "operatore2", sportello.WrapUp{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: sportello.OutcomeEscalated, DeskID: "desk-anagrafe"})
	wrap(april(29, 10, 30), "operatore2", sportello.WrapUp{CitizenID: "c-rossi", Category: "Multe", Outcome: resolved})
	b = read(april(29, 11, 0))
	wantTrue(b, sportello.FCRCounts{WrapUps: 2, Resolved: 1, FirstContacts: 1, TrueResolved: 1}, sportello.FCRCounts{WrapUps: 4, Resolved: 3, FirstContacts: 3, TrueResolved: 2})
	if b.FCR.TrueRate() != 1 || b.FCR.Week.Rate() != 0.75 || b.FCR.Week.TrueRate() != 2.0/3 {
		t.Fatalf("rates: today true %v, week %v / %v", b.FCR.TrueRate(), b.FCR.Week.Rate(), b.FCR.Week.TrueRate())
	}

	wrap(time.Date(2025, 5, 2, 10, 0, 0, 0, rome), "operatore", sportello.WrapUp{CitizenID: "c-verdi", Category: "Tributi", Outcome: resolved})
	b = read(time.Date(2025, 5, 2, 11, 0, 0, 0, rome))
	wantTrue(b, sportello.FCRCounts{WrapUps: 1, Resolved: 1, FirstContacts: 1, TrueResolved: 1}, sportello.FCRCounts{WrapUps: 5, Resolved: 4, FirstContacts: 4, TrueResolved: 3})

	b = read(time.Date(2025, 5, 5, 9, 0, 0, 0, rome))
	wantTrue(b, sportello.FCRCounts{}, sportello.FCRCounts{})
}

// TestServer_KBUsefulness: the entries that answered calls, per role, and
// the endpoint's refusals.
func TestServer_KBUsefulness(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(morning(8, 0))
	e := boardEnv(t, clk, nil, server.BoardConfig{Location: rome})
	ctx := context.Background()
	if err := e.db.PutKB(ctx, []sportello.KBEntry{
		{ID: "kb-cie", Kind: sportello.EntryService, Title: "Carta d'identità elettronica", Summary: "Su appuntamento.", OwnerDesk: "desk-anagrafe", UpdatedAt: morning(7, 0)},
		{ID: "kb-multe", Kind: sportello.EntryAnswer, Title: "Pagare una multa", Summary: "PagoPA.", OwnerDesk: "desk-multe", UpdatedAt: morning(7, 0)},
		{ID: "kb-tari", Kind: sportello.EntryAnswer, Title: "Scadenze TARI", Summary: "16 aprile.", OwnerDesk: "desk-tributi", UpdatedAt: morning(7, 0)},
	}); err != nil {
		t.Fatal(err)
	}
	spec := &sportello.User{ID: "u-spec", Username: "specialista", Name: "Sara Conti", Role: sportello.RoleSpecialist}
	if err := e.db.CreateUserInDesks(ctx, spec, "password-lunga", []string{"desk-anagrafe"}); err != nil {
		t.Fatal(err)
	}
	op := e.login(t, "operatore")
	clk.Set(morning(9, 0))
	e.wrapUp(t, op, sportello.WrapUp{CallID: "c1", CitizenID: "c-rossi", Category: "Anagrafe", Outcome: sportello.OutcomeResolvedFirstContact, KBEntries: []string{"kb-cie"}})
	e.wrapUp(t, op, sportello.WrapUp{CallID: "c2", CitizenID: "c-verdi", Category: "Multe", Outcome: sportello.OutcomeTransferred, KBEntries: []string{"kb-multe"}})

	get := func(token, query string) (int, *sportello.KBUsefulness, []byte) {
		t.Helper()
		status, body := e.call(t, "GET", "/v1/kb/usefulness"+query, token, nil)
		var u sportello.KBUsefulness
		if status == http.StatusOK {
			if err := json.Unmarshal(body, &u); err != nil {
				t.Fatal(err)
			}
		}
		return status, &u, body
	}
	since := "?since=" + url.QueryEscape(morning(0, 0).Format(time.RFC3339))
	status, u, body := get(e.login(t, "supervisore"), since)
	if status != http.StatusOK || len(u.Used) != 2 || u.Used[0].ID != "kb-cie" || u.Used[0].Resolved != 1 || u.Used[1].ID != "kb-multe" || !u.Used[1].NeverHelped() ||
		u.NeverUsedTotal != 1 || u.NeverUsed[0].ID != "kb-tari" || len(u.Services) != 2 || u.Services[0].Service != "Anagrafe" {
		t.Fatalf("supervisor: %d %s", status, body)
	}
	// The default period (30 days) holds this morning too.
	if status, u, body := get(e.login(t, "admin"), ""); status != http.StatusOK || len(u.Used) != 2 || !u.Since.Equal(morning(9, 0).Add(-server.DefaultUsefulnessPeriod)) {
		t.Fatalf("admin, default period: %d %s", status, body)
	}
	// A specialist of Anagrafe sees Anagrafe's entry only.
	if status, u, body := get(e.signIn(t, "specialista"), since); status != http.StatusOK || len(u.Used) != 1 || u.Used[0].ID != "kb-cie" || u.NeverUsedTotal != 0 {
		t.Fatalf("specialist: %d %s", status, body)
	}
	sup := e.login(t, "supervisore")
	status, _, body = get(sup, "?since=yesterday")
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "since")
	status, _, body = get(sup, "?never_limit=999999")
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "never_limit")
	if status, u, body := get(sup, since+"&never_limit=0"); status != http.StatusOK || len(u.NeverUsed) != 0 || u.NeverUsedTotal != 1 {
		t.Fatalf("never_limit=0: %d %s", status, body)
	}
}

// TestServer_DeskAvailability: who is available at each desk, from the
// states the desk's members report, for an operator who transfers.
func TestServer_DeskAvailability(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(morning(8, 0))
	e := boardEnv(t, clk, nil, server.BoardConfig{Location: rome})
	ctx := context.Background()
	for _, u := range []struct{ id, username, name, desk string }{
		{"u-s1", "sara", "Sara Conti", "desk-anagrafe"},
		{"u-s2", "aldo", "Aldo Riva", "desk-anagrafe"},
		{"u-s3", "bruno", "Bruno Villa", "desk-anagrafe"},
		{"u-s4", "carla", "Carla Neri", "desk-multe"},
	} {
		if err := e.db.CreateUserInDesks(ctx, &sportello.User{ID: u.id, Username: u.username, Name: u.name, Role: sportello.RoleSpecialist}, "password-lunga", []string{u.desk}); err != nil {
			t.Fatal(err)
		}
	}
	e.presence(t, e.signIn(t, "sara"), `{"state":"available"}`)
	e.presence(t, e.signIn(t, "aldo"), `{"state":"available"}`)
	e.presence(t, e.signIn(t, "bruno"), `{"state":"on_call"}`)
	e.presence(t, e.signIn(t, "carla"), `{"state":"break","reason":"pranzo"}`)

	read := func() map[string]sportello.DeskAvailability {
		t.Helper()
		status, body := e.call(t, "GET", "/v1/desks/availability", e.login(t, "operatore"), nil)
		var resp wire.DeskAvailabilityResponse
		if status != http.StatusOK || json.Unmarshal(body, &resp) != nil {
			t.Fatalf("availability: %d %s", status, body)
		}
		out := map[string]sportello.DeskAvailability{}
		for _, d := range resp.Desks {
			out[d.DeskID] = d
		}
		return out
	}
	got := read()
	if a := got["desk-anagrafe"]; a.DeskName != "Anagrafe" || a.Members != 3 || !slices.Equal(a.Available, []string{"Aldo Riva", "Sara Conti"}) || a.OnCall != 1 {
		t.Fatalf("Anagrafe: %+v", a)
	}
	if m := got["desk-multe"]; m.Members != 1 || len(m.Available) != 0 || m.OnCall != 0 {
		t.Fatalf("Multe: %+v", m)
	}
	if tr, ok := got["desk-tributi"]; !ok || tr.Members != 0 || tr.Available == nil {
		t.Fatalf("Tributi: %+v", tr)
	}
	// Sara takes a call: one available left.
	e.presence(t, e.signIn(t, "sara"), `{"state":"on_call"}`)
	if a := read()["desk-anagrafe"]; !slices.Equal(a.Available, []string{"Aldo Riva"}) || a.OnCall != 2 {
		t.Fatalf("Anagrafe after Sara's call: %+v", a)
	}
}
