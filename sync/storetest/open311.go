package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
)

// open311Admin is how a city manages Open311 in the store: the service
// mapping and the apps' API keys (both stores have it; syncd's commands
// use it).
type open311Admin interface {
	PutOpen311Services(ctx context.Context, services []sportello.Open311Service) error
	AddOpen311Key(ctx context.Context, name, key string) (*sportello.Open311Key, error)
}

func ptr(f float64) *float64 { return &f }

// testOpen311 runs the Open311 part of the store: the services seeded from
// the demo catalogue for the fixture's desks and changed by the city, the
// API keys, requests that open cases on the right desk's queue (with the
// reporter matched to a citizen by phone, by email, or kept on the case),
// refused requests that write nothing, and the status a resolved case
// shows, with its answer and never a working note.
func testOpen311(t *testing.T, e *env) {
	admin, ok := e.Store.(open311Admin)
	if !ok {
		t.Fatal("the store cannot manage Open311 services and keys")
	}
	services, err := e.Open311Services(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, s := range services {
		codes = append(codes, s.Code)
	}
	// The fixture has Anagrafe and Tributi: their categories only.
	if want := []string{"certificati", "cie", "imu", "residenza", "tari"}; !slices.Equal(codes, want) {
		t.Fatalf("service codes %v, want %v", codes, want)
	}
	tari, err := e.Open311Service(e.ctx, "tari")
	if err != nil {
		t.Fatal(err)
	}
	if tari.DeskID != "desk-tributi" || tari.Category != "TARI" || tari.Group != "Tributi" || len(tari.Attributes) != 2 ||
		tari.Attributes[0].Datatype != sportello.Open311SingleValueList || len(tari.Attributes[0].Values) != 3 {
		t.Fatalf("tari = %+v", tari)
	}
	_, err = e.Open311Service(e.ctx, "multe")
	wantCode(t, err, sportello.ENOTFOUND)

	// The city moves IMU to the Anagrafe desk and adds a service.
	imu, _ := e.Open311Service(e.ctx, "imu")
	imu.DeskID = "desk-anagrafe"
	if err := admin.PutOpen311Services(e.ctx, []sportello.Open311Service{*imu,
		{Code: "buche", Name: "Buche stradali", Category: "Strade", DeskID: "desk-anagrafe", Group: "Strade"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.Open311Service(e.ctx, "imu"); got == nil || got.DeskID != "desk-anagrafe" {
		t.Fatalf("imu after the change: %+v", got)
	}
	wantCode(t, admin.PutOpen311Services(e.ctx, []sportello.Open311Service{{Code: "x", Name: "X", Category: "X"}}), sportello.EINVALID)
	wantCode(t, admin.PutOpen311Services(e.ctx, []sportello.Open311Service{{Code: "x", Name: "X", Category: "X", DeskID: "desk-nessuna"}}), sportello.ENOTFOUND)
	wantCode(t, admin.PutOpen311Services(e.ctx, []sportello.Open311Service{{Code: "a/b", Name: "X", Category: "X", DeskID: "desk-anagrafe"}}), sportello.EINVALID)

	// Keys: the demo's, a new one, refusals.
	key, err := e.Open311KeyFor(e.ctx, demo.Open311Key)
	if err != nil || key.Name != demo.Open311KeyName {
		t.Fatalf("demo key: %+v, %v", key, err)
	}
	_, err = e.Open311KeyFor(e.ctx, "not-a-key-at-all-really")
	wantCode(t, err, sportello.EFORBIDDEN)
	added, err := admin.AddOpen311Key(e.ctx, "App Municipio 3", "a-long-random-secret-key")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.Open311KeyFor(e.ctx, "a-long-random-secret-key"); err != nil || got.ID != added.ID || got.Name != "App Municipio 3" {
		t.Fatalf("added key read back as %+v, %v", got, err)
	}
	_, err = admin.AddOpen311Key(e.ctx, "App Municipio 3", "another-long-secret-key")
	wantCode(t, err, sportello.ECONFLICT)
	_, err = admin.AddOpen311Key(e.ctx, "Corta", "short")
	wantCode(t, err, sportello.EINVALID)
	_, err = admin.AddOpen311Key(e.ctx, " ", "another-long-secret-key")
	wantCode(t, err, sportello.EINVALID)

	// Refused requests write nothing.
	head := e.head(t)
	for name, r := range map[string]sportello.Open311Request{
		"unknown service":   {ServiceCode: "multe", AddressString: "Via Roma 1"},
		"no location":       {ServiceCode: "tari"},
		"bad topic":         {ServiceCode: "tari", AddressString: "Via Roma 1", Attributes: map[string][]string{"argomento": {"t9"}}},
		"unknown attribute": {ServiceCode: "tari", AddressString: "Via Roma 1", Attributes: map[string][]string{"colore": {"rosso"}}},
		"bad phone":         {ServiceCode: "tari", AddressString: "Via Roma 1", Reporter: sportello.Open311Reporter{Phone: "chiamami"}},
		"lat out of range":  {ServiceCode: "tari", Lat: ptr(95), Long: ptr(9)},
	} {
		if _, err := e.CreateOpen311Request(e.ctx, key, r); sportello.ErrorCode(err) != sportello.EINVALID {
			t.Fatalf("%s: error %v, want invalid", name, err)
		}
	}
	if e.head(t) != head {
		t.Fatal("a refused request wrote changes")
	}

	// By phone (written nationally): Maria Rossi's case at Tributi.
	e.clock.Set(T0.Add(time.Hour))
	st, err := e.CreateOpen311Request(e.ctx, key, sportello.Open311Request{
		ServiceCode: "tari", Lat: ptr(45.4642), Long: ptr(9.19), Description: "Avviso TARI con superficie sbagliata",
		Reporter:   sportello.Open311Reporter{FirstName: "Maria", LastName: "Rossi", Phone: "02 1234 5678"},
		Attributes: map[string][]string{"argomento": {"t1"}, "codice_contribuente": {"RSSMRA80"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.ID == "" || st.Token == "" || st.Status != sportello.Open311Open || st.ServiceName != "TARI" || st.AgencyResponsible != "Tributi" ||
		st.StatusNotes != "" || st.Lat == nil || *st.Lat != 45.4642 || *st.Long != 9.19 || !st.RequestedAt.Equal(T0.Add(time.Hour)) ||
		!strings.Contains(st.ServiceNotice, "Tributi") || st.Description != "Avviso TARI con superficie sbagliata" {
		t.Fatalf("created request %+v", st)
	}
	k, err := e.Case(e.ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if k.CitizenID != "c-rossi" || k.Status != sportello.StatusEscalated || k.DeskID != "desk-tributi" || k.Category != "TARI" || len(k.Events) != 3 {
		t.Fatalf("case %+v", k)
	}
	if note := k.Events[1].Note; !strings.Contains(note, "Avviso TARI con superficie sbagliata") || !strings.Contains(note, "Avviso TARI con importo errato") ||
		!strings.Contains(note, "RSSMRA80") || !strings.Contains(note, "45.4642") || strings.Contains(note, "Segnalante") {
		t.Fatalf("case note %q", note)
	}
	changes, err := e.ChangesSince(e.ctx, head, 10)
	if err != nil || len(changes) != 3 {
		t.Fatalf("changes %+v, %v", changes, err)
	}
	for _, ch := range changes {
		if ch.CaseID != st.ID || ch.DeskID != "desk-tributi" || ch.CitizenID != "c-rossi" {
			t.Fatalf("change %+v", ch)
		}
	}
	queue, err := e.Queue(e.ctx, Specialist.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(queue, func(c *sportello.Case) bool { return c.ID == st.ID && c.CitizenName == "Maria Rossi" }) {
		t.Fatalf("the request is not in the desk's queue: %+v", queue)
	}

	// By email in another case: Maria Rossi again. An unknown reporter
	// stays on the case's note.
	e.clock.Set(T0.Add(2 * time.Hour))
	byMail, err := e.CreateOpen311Request(e.ctx, key, sportello.Open311Request{ServiceCode: "certificati", AddressString: "Via Larga 12",
		Reporter: sportello.Open311Reporter{Email: "Maria.Rossi@Example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := e.Case(e.ctx, byMail.ID); k == nil || k.CitizenID != "c-rossi" || k.DeskID != "desk-anagrafe" {
		t.Fatalf("case by email %+v", k)
	}
	e.clock.Set(T0.Add(3 * time.Hour))
	stranger, err := e.CreateOpen311Request(e.ctx, added, sportello.Open311Request{ServiceCode: "buche", AddressString: "Corso Como 5",
		Reporter: sportello.Open311Reporter{FirstName: "Ugo", LastName: "Sconosciuto", Email: "ugo@example.org", Phone: "+393471234567"}})
	if err != nil {
		t.Fatal(err)
	}
	k, _ = e.Case(e.ctx, stranger.ID)
	if k == nil || k.CitizenID != "" || !strings.Contains(k.Events[1].Note, "Ugo Sconosciuto, ugo@example.org, +393471234567") ||
		k.Events[0].Author != "Open311: App Municipio 3" {
		t.Fatalf("case of an unknown reporter %+v", k)
	}

	// The specialist works the first case: a working note is not
	// public, the answer and the resolution are.
	for _, ev := range []sportello.CaseEvent{
		{Kind: sportello.EventClaimed},
		{Kind: sportello.EventAnswerReady, Note: "Superficie corretta: nuovo avviso in arrivo."},
	} {
		if _, _, err := e.RecordCaseEvent(e.ctx, &Specialist, st.ID, ev, nil); err != nil {
			t.Fatal(err)
		}
	}
	got := e.open311One(t, st.ID)
	if got.Status != sportello.Open311Open || got.StatusNotes != "Superficie corretta: nuovo avviso in arrivo." {
		t.Fatalf("answered request %+v", got)
	}
	e.clock.Set(T0.Add(4 * time.Hour))
	for _, ev := range []sportello.CaseEvent{
		{Kind: sportello.EventResolved, Note: "Avviso riemesso con la superficie corretta."},
		{Kind: sportello.EventNote, Note: "Nota interna: la cittadina è molto arrabbiata."},
	} {
		if _, _, err := e.RecordCaseEvent(e.ctx, &Specialist, st.ID, ev, nil); err != nil {
			t.Fatal(err)
		}
	}
	got = e.open311One(t, st.ID)
	if got.Status != sportello.Open311Closed || got.StatusNotes != "Avviso riemesso con la superficie corretta." || !got.UpdatedAt.Equal(T0.Add(4*time.Hour)) {
		t.Fatalf("resolved request %+v", got)
	}
	if tok, err := e.Open311Token(e.ctx, st.Token); err != nil || tok.ID != st.ID {
		t.Fatalf("token lookup %+v, %v", tok, err)
	}
	_, err = e.Open311Token(e.ctx, "no-such-token")
	wantCode(t, err, sportello.ENOTFOUND)

	// Filters: newest first; by status, service and time.
	for _, tc := range []struct {
		name string
		f    sportello.Open311Filter
		want []string
	}{
		{"all", sportello.Open311Filter{}, []string{stranger.ID, byMail.ID, st.ID}},
		{"closed", sportello.Open311Filter{Statuses: []string{"closed"}}, []string{st.ID}},
		{"open", sportello.Open311Filter{Statuses: []string{"open"}}, []string{stranger.ID, byMail.ID}},
		{"both", sportello.Open311Filter{Statuses: []string{"open", "closed"}}, []string{stranger.ID, byMail.ID, st.ID}},
		{"services", sportello.Open311Filter{ServiceCodes: []string{"tari", "buche"}}, []string{stranger.ID, st.ID}},
		{"window", sportello.Open311Filter{Start: T0.Add(90 * time.Minute), End: T0.Add(2 * time.Hour)}, []string{byMail.ID}},
		{"ids override", sportello.Open311Filter{IDs: []string{st.ID, "nessuno"}, Statuses: []string{"open"}}, []string{st.ID}},
		{"limit", sportello.Open311Filter{Limit: 1}, []string{stranger.ID}},
	} {
		found, err := e.Open311Requests(e.ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range found {
			ids = append(ids, f.ID)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, ids, tc.want)
		}
	}
}

func (e *env) open311One(t *testing.T, id string) sportello.Open311Status {
	t.Helper()
	found, err := e.Open311Requests(e.ctx, sportello.Open311Filter{IDs: []string{id}})
	if err != nil || len(found) != 1 {
		t.Fatalf("request %s: %+v, %v", id, found, err)
	}
	return found[0]
}
