package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// Valid tax codes of the citizens the identity tests register.
const (
	cfBianchi  = "BNCGLI90E55F205D" // Giulia Bianchi, born in Milan
	cfVerdi    = "VRDLCU75C01H501N" // Luca Verdi, born in Rome
	pivaPirell = "00743110157"
)

// testCitizens: registering a citizen (normalized, audited, a change in
// the feed), a resend of it, refusals that write nothing (a tax code
// already registered names the record, a bad check character, a used id),
// an edit (a number added, one removed) and searches by name, tax code
// and number, each result audited.
func testCitizens(t *testing.T, e *env) {
	head := e.head(t)
	in := sportello.Citizen{ID: "01950000-0000-7000-8000-00000000c001", Kind: sportello.CitizenPerson, Name: " Giulia  Bianchi ",
		TaxCode: "bncgli90e55f205d", Phones: []string{"333 765 4321", "+39 333 7654321"}, Email: "giulia@example.it", Address: "Via Larga 12, Milano"}
	c, created, err := e.CreateCitizen(e.ctx, &Operator, in, "call-77")
	if err != nil || !created {
		t.Fatalf("create: %v (created %v)", err, created)
	}
	if c.Name != "Giulia Bianchi" || c.TaxCode != cfBianchi || !slices.Equal(c.Phones, []string{"+393337654321"}) {
		t.Fatalf("created %+v", c)
	}
	if h := e.head(t); h != head+1 {
		t.Fatalf("head %d, want %d", h, head+1)
	}
	changes, err := e.ChangesSince(e.ctx, head, 10)
	if err != nil || len(changes) != 1 || changes[0].Kind != sportello.ChangeKindCitizen || changes[0].CitizenID != c.ID || !changes[0].At.Equal(T0) {
		t.Fatalf("changes %+v, %v", changes, err)
	}
	log, err := e.AccessLog(e.ctx, c.ID)
	if err != nil || len(log) != 1 || log[0].UserID != Operator.ID || log[0].Reason != "registered the citizen: call-77" {
		t.Fatalf("access log %+v, %v", log, err)
	}
	// The screen pop finds the new citizen by number.
	card, err := e.LookupCaller(e.ctx, "3337654321", "call-78", &Operator)
	if err != nil || card.Citizen == nil || card.Citizen.ID != c.ID || card.Citizen.TaxCode != cfBianchi {
		t.Fatalf("lookup %+v, %v", card, err)
	}

	// A resend from an outbox: the same citizen, nothing written.
	head = e.head(t)
	again, created, err := e.CreateCitizen(e.ctx, &Operator, in, "call-77")
	if err != nil || created || again.ID != c.ID || e.head(t) != head {
		t.Fatalf("resend: %+v created %v, %v", again, created, err)
	}

	for name, tt := range map[string]struct {
		c    sportello.Citizen
		code string
		want string
	}{
		"TaxCodeTaken":  {sportello.Citizen{Kind: sportello.CitizenPerson, Name: "G. Bianchi", TaxCode: cfBianchi}, sportello.ECONFLICT, "already registered for Giulia Bianchi (id " + c.ID + ")"},
		"CheckChar":     {sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Luca Verdi", TaxCode: "VRDLCU75C01H501X"}, sportello.EINVALID, "tax_code: the check character should be N"},
		"PersonPIVA":    {sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Luca Verdi", TaxCode: pivaPirell}, sportello.EINVALID, "tax_code: a codice fiscale has 16 characters"},
		"BadNumber":     {sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Luca Verdi", Phones: []string{"02 1234 5678", "555"}}, sportello.EINVALID, "phones[1]:"},
		"BadEmail":      {sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Luca Verdi", Email: "luca@"}, sportello.EINVALID, "email:"},
		"UsedID":        {sportello.Citizen{ID: c.ID, Kind: sportello.CitizenPerson, Name: "Luca Verdi"}, sportello.ECONFLICT, "already used by the citizen Giulia Bianchi"},
		"NoName":        {sportello.Citizen{Kind: sportello.CitizenBusiness, TaxCode: pivaPirell}, sportello.EINVALID, "name:"},
		"MissingReason": {sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Luca Verdi"}, "", ""},
	} {
		t.Run(name, func(t *testing.T) {
			head := e.head(t)
			got, _, err := e.CreateCitizen(e.ctx, &Operator, tt.c, "")
			if tt.code == "" {
				if err != nil || e.head(t) != head+1 {
					t.Fatalf("create without a reason: %+v, %v", got, err)
				}
				return
			}
			wantCode(t, err, tt.code)
			if !strings.Contains(sportello.ErrorMessage(err), tt.want) {
				t.Fatalf("error %q, want %q", sportello.ErrorMessage(err), tt.want)
			}
			if e.head(t) != head {
				t.Fatal("a refused registration wrote a change")
			}
		})
	}
	_, _, err = e.CreateCitizen(e.ctx, nil, in, "")
	wantCode(t, err, sportello.EUNAUTHORIZED)

	// An edit: a number added at work, the email removed.
	e.clock.Set(T0.Add(time.Minute))
	edit := *c
	edit.Phones = append(slices.Clone(c.Phones), "02 8845 0000")
	edit.PhoneLabels = []string{"", sportello.PhoneWork}
	edit.Email = ""
	head = e.head(t)
	got, err := e.UpdateCitizen(e.ctx, &Specialist, edit, "case-1")
	if err != nil || !slices.Equal(got.Phones, []string{"+393337654321", "+390288450000"}) || got.Email != "" ||
		!slices.Equal(got.PhoneLabels, []string{"", sportello.PhoneWork}) {
		t.Fatalf("edit: %+v, %v", got, err)
	}
	if e.head(t) != head+1 {
		t.Fatal("an edit appends one change")
	}
	card, err = e.LookupCaller(e.ctx, "+390288450000", "call-79", &Operator)
	if err != nil || card.Citizen == nil || card.Citizen.ID != c.ID || card.Citizen.Email != "" || len(card.Citizen.Phones) != 2 ||
		card.Citizen.PhoneLabel(1) != sportello.PhoneWork || card.Citizen.PhoneLabel(0) != "" {
		t.Fatalf("lookup by the added number %+v, %v", card.Citizen, err)
	}
	// The same edit again changes nothing: audited, no change.
	if _, err := e.UpdateCitizen(e.ctx, &Specialist, edit, "case-1"); err != nil || e.head(t) != head+1 {
		t.Fatalf("empty edit: %v, head %d", err, e.head(t))
	}
	// A number removed: the lookup no longer finds the citizen by it.
	edit.Phones, edit.PhoneLabels = []string{"+390288450000"}, []string{sportello.PhoneWork}
	if _, err := e.UpdateCitizen(e.ctx, &Specialist, edit, ""); err != nil {
		t.Fatal(err)
	}
	if card, _ := e.LookupCaller(e.ctx, "+393337654321", "call-80", &Operator); card == nil || card.Citizen != nil {
		t.Fatalf("lookup by the removed number: %+v", card)
	}
	_, err = e.UpdateCitizen(e.ctx, &Specialist, sportello.Citizen{ID: c.ID, Kind: sportello.CitizenPerson, Name: "Giulia Bianchi",
		Phones: []string{"+390288450000"}, PhoneLabels: []string{"fax"}}, "")
	if sportello.ErrorCode(err) != sportello.EINVALID || !strings.Contains(sportello.ErrorMessage(err), "phone_labels[0]") {
		t.Fatalf("a bad label: %v", err)
	}
	_, err = e.UpdateCitizen(e.ctx, &Specialist, sportello.Citizen{ID: "no-such", Kind: sportello.CitizenPerson, Name: "X Y"}, "")
	wantCode(t, err, sportello.ENOTFOUND)
	edit.TaxCode = "01234567890" // the fixture's panificio's (as seeded)
	edit.Kind = sportello.CitizenBusiness
	_, err = e.UpdateCitizen(e.ctx, &Specialist, edit, "")
	wantCode(t, err, sportello.EINVALID) // the seeded code has a wrong check digit
	log, _ = e.AccessLog(e.ctx, c.ID)
	var reasons []string
	for _, l := range log {
		reasons = append(reasons, l.Reason)
	}
	if !slices.Contains(reasons, "edited the citizen: case-1") || !slices.Contains(reasons, "edited the citizen") {
		t.Fatalf("access log %q", reasons)
	}

	// Searches: by a part of the name, by tax code, by number; each
	// citizen found is audited with the reason.
	if _, _, err := e.CreateCitizen(e.ctx, &Operator, sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Luca Verdi", TaxCode: cfVerdi, Phones: []string{"+393351112233"}}, ""); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][]string{
		"bianchi":          {"Giulia Bianchi"},
		"VRDLCU75C01H501N": {"Luca Verdi"},
		"335 111 2233":     {"Luca Verdi"},
		"rossi":            {"Maria Rossi"},
		"nessuno":          {},
	} {
		found, err := e.SearchCitizens(e.ctx, &Supervisor, q, "duplicates")
		var names []string
		for _, c := range found {
			names = append(names, c.Name)
		}
		if err != nil || !slices.Equal(names, want) && len(want)+len(names) > 0 {
			t.Fatalf("search %q: %v, %v; want %v", q, names, err, want)
		}
	}
	_, err = e.SearchCitizens(e.ctx, &Supervisor, "a", "duplicates")
	wantCode(t, err, sportello.EINVALID)
	_, err = e.SearchCitizens(e.ctx, &Supervisor, "rossi", "")
	wantCode(t, err, sportello.EINVALID) // a read needs a reason
	log, _ = e.AccessLog(e.ctx, "c-rossi")
	if last := log[len(log)-1]; last.UserID != Supervisor.ID || last.Reason != "search: duplicates" {
		t.Fatalf("the search's audit row %+v", last)
	}
}

// testCitizenMerge: a supervisor merges a duplicate of Maria Rossi into
// her record, in one transaction: the duplicate's cases, callbacks,
// appointments, audit rows and numbers move to her, she takes the tax code
// she lacked, the duplicate stays as a tombstone that lookups and
// wrap-ups lead past; a repeat writes nothing; merges of two different
// people are refused.
func testCitizenMerge(t *testing.T, e *env) {
	e.offices(t)
	dup, _, err := e.CreateCitizen(e.ctx, &Operator, sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Maria Rossi",
		Phones: []string{"+393339876543", "+390212345678"}, Address: "Corso Como 1, Milano"}, "call-1")
	if err != nil {
		t.Fatal(err)
	}
	k := e.record(t, &Operator, sportello.WrapUp{CallID: "call-2", CitizenID: dup.ID, CallerNumber: "+393339876543",
		Outcome: sportello.OutcomeCallbackScheduled, Note: "Richiamare per la TARI",
		CallbackFrom: T0.Add(time.Hour), CallbackTo: T0.Add(2 * time.Hour)})
	appt, _, err := e.BookAppointment(e.ctx, &Operator, sportello.AppointmentRequest{ID: apptID(9), OfficeID: Office.ID, Service: CIE.ID, Start: slotMon0900, CitizenID: dup.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.LookupCaller(e.ctx, "+393339876543", "call-3", &Operator2); err != nil {
		t.Fatal(err)
	}
	keepLog, _ := e.AccessLog(e.ctx, "c-rossi")
	dupLog, _ := e.AccessLog(e.ctx, dup.ID)

	// Refused: different people, self, unknown, not signed in.
	other, _, err := e.CreateCitizen(e.ctx, &Operator, sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Luca Verdi", TaxCode: cfVerdi}, "")
	if err != nil {
		t.Fatal(err)
	}
	biz, _, _ := e.CreateCitizen(e.ctx, &Operator, sportello.Citizen{Kind: sportello.CitizenBusiness, Name: "Pirelli", TaxCode: pivaPirell}, "")
	head := e.head(t)
	for name, tt := range map[string]struct {
		actor          *sportello.User
		keep, dup, msg string
		code           string
	}{
		"DifferentTaxCodes": {&Supervisor, "c-rossi", other.ID, "not the same citizen", sportello.ECONFLICT},
		"DifferentKinds":    {&Supervisor, dup.ID, biz.ID, "not the same citizen", sportello.ECONFLICT},
		"Self":              {&Supervisor, "c-rossi", "c-rossi", "into itself", sportello.EINVALID},
		"Unknown":           {&Supervisor, "c-rossi", "no-such", "no citizen", sportello.ENOTFOUND},
		"SignedOut":         {nil, "c-rossi", dup.ID, "sign in", sportello.EUNAUTHORIZED},
	} {
		_, err := e.MergeCitizens(e.ctx, tt.actor, tt.keep, tt.dup, "")
		if sportello.ErrorCode(err) != tt.code || !strings.Contains(sportello.ErrorMessage(err), tt.msg) {
			t.Fatalf("%s: %v, want %s %q", name, err, tt.code, tt.msg)
		}
	}
	if e.head(t) != head {
		t.Fatal("a refused merge wrote changes")
	}

	e.clock.Set(T0.Add(time.Minute))
	kept, err := e.MergeCitizens(e.ctx, &Supervisor, "c-rossi", dup.ID, "same person, called twice")
	if err != nil {
		t.Fatal(err)
	}
	if kept.ID != "c-rossi" || kept.TaxCode != "RSSMRA80A41F205X" || kept.Address != "Corso Como 1, Milano" ||
		!slices.Equal(kept.Phones, []string{"+390212345678", "+393331234567", "+393339876543"}) {
		t.Fatalf("survivor %+v", kept)
	}
	changes, err := e.ChangesSince(e.ctx, head, 10)
	if err != nil || len(changes) != 2 || changes[0].CitizenID != "c-rossi" || changes[1].CitizenID != dup.ID || changes[1].Kind != sportello.ChangeKindCitizen {
		t.Fatalf("merge changes %+v, %v", changes, err)
	}
	// The duplicate's case, callback, appointment and audit rows are hers.
	if got, _ := e.Case(e.ctx, k.ID); got.CitizenID != "c-rossi" {
		t.Fatalf("the duplicate's case is %s's", got.CitizenID)
	}
	cbs, _ := e.Callbacks(e.ctx, Operator.ID, nil, true)
	for _, cb := range cbs {
		if cb.CaseID == k.ID && cb.CitizenID != "c-rossi" {
			t.Fatalf("callback %+v", cb)
		}
	}
	if a, _ := e.Appointment(e.ctx, appt.ID); a.CitizenID != "c-rossi" {
		t.Fatalf("appointment %+v", a)
	}
	if as, _ := e.CitizenAppointments(e.ctx, "c-rossi"); len(as) != 1 || as[0].ID != appt.ID {
		t.Fatalf("her appointments %+v", as)
	}
	log, _ := e.AccessLog(e.ctx, "c-rossi")
	if len(log) != len(keepLog)+len(dupLog)+1 {
		t.Fatalf("access log has %d rows, want %d + %d + the merge", len(log), len(keepLog), len(dupLog))
	}
	if last := log[len(log)-1]; last.UserID != Supervisor.ID || !strings.Contains(last.Reason, "merged the citizen "+dup.ID) || !strings.Contains(last.Reason, "same person") {
		t.Fatalf("merge audit row %+v", last)
	}
	if rest, _ := e.AccessLog(e.ctx, dup.ID); len(rest) != 0 {
		t.Fatalf("the duplicate kept audit rows %+v", rest)
	}
	// Lookups by the duplicate's number find her, with the moved case.
	card, err := e.LookupCaller(e.ctx, "+393339876543", "call-4", &Operator)
	if err != nil || card.Citizen == nil || card.Citizen.ID != "c-rossi" || !slices.ContainsFunc(card.Cases, func(c *sportello.Case) bool { return c.ID == k.ID }) {
		t.Fatalf("lookup by the duplicate's number %+v, %v", card.Citizen, err)
	}
	// A wrap-up queued offline for the duplicate lands on her.
	late := e.record(t, &Operator2, sportello.WrapUp{CallID: "call-5", CitizenID: dup.ID, Outcome: sportello.OutcomeResolvedFirstContact})
	if late.CitizenID != "c-rossi" {
		t.Fatalf("a wrap-up for the tombstone went to %s", late.CitizenID)
	}
	// The tombstone: not found by search, not editable, merged again is a no-op.
	if found, _ := e.SearchCitizens(e.ctx, &Supervisor, "maria rossi", "duplicates"); len(found) != 1 || found[0].ID != "c-rossi" {
		t.Fatalf("search finds %+v", found)
	}
	_, err = e.UpdateCitizen(e.ctx, &Operator, *dup, "")
	if sportello.ErrorCode(err) != sportello.ECONFLICT || !strings.Contains(sportello.ErrorMessage(err), "merged into c-rossi") {
		t.Fatalf("edit of the tombstone: %v", err)
	}
	head = e.head(t)
	again, err := e.MergeCitizens(e.ctx, &Supervisor, "c-rossi", dup.ID, "")
	if err != nil || again.ID != "c-rossi" || e.head(t) != head {
		t.Fatalf("repeat merge: %+v, %v", again, err)
	}
	_, err = e.MergeCitizens(e.ctx, &Supervisor, dup.ID, other.ID, "")
	wantCode(t, err, sportello.ECONFLICT) // into a tombstone
}

// testCitizenRace: eight desktops register the same codice fiscale at
// once, each under its own id: exactly one is registered, the others are
// told who has it, and the feed has one change.
func testCitizenRace(t *testing.T, e *env) {
	head := e.head(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = e.CreateCitizen(e.ctx, &Operator, sportello.Citizen{
				ID: fmt.Sprintf("01950000-0000-7000-8000-0000000cace%d", i), Kind: sportello.CitizenPerson, Name: "Giulia Bianchi", TaxCode: cfBianchi}, "")
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case sportello.ErrorCode(err) != sportello.ECONFLICT || !strings.Contains(sportello.ErrorMessage(err), "already registered for Giulia Bianchi"):
			t.Fatalf("a losing registration: %v", err)
		}
	}
	if won != 1 || e.head(t) != head+1 {
		t.Fatalf("%d registrations won, head %d (was %d): want exactly one", won, e.head(t), head)
	}
	if found, err := e.SearchCitizens(e.ctx, &Supervisor, cfBianchi, "check"); err != nil || len(found) != 1 {
		t.Fatalf("search by the tax code: %+v, %v", found, err)
	}
}
