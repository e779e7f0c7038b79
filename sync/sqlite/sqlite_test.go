package sqlite_test

import (
	"context"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/sqlite"
)

var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// fixture is a small city: one operator, two citizens, no cases.
var fixture = &demo.Data{
	Users: []demo.User{{
		User:     sportello.User{ID: "u-operatore", Username: "operatore", Name: "Giulia Bianchi", Role: sportello.RoleOperator},
		Password: "demo",
	}},
	Desks: []sportello.Desk{{ID: "desk-anagrafe", Name: "Anagrafe"}},
	Citizens: []sportello.Citizen{
		{ID: "c-rossi", Kind: sportello.CitizenPerson, Name: "Maria Rossi", TaxCode: "RSSMRA80A41F205X", Phones: []string{"+390212345678", "+393331234567"}},
		{ID: "c-panificio", Kind: sportello.CitizenBusiness, Name: "Panificio Colombo", TaxCode: "01234567890", Phones: []string{"+390287654321"}},
	},
}

var operator = &sportello.User{ID: "u-operatore", Username: "operatore", Name: "Giulia Bianchi", Role: sportello.RoleOperator}

// mustOpen opens a store in a temp dir with a fixed clock, seeded with data
// when data is not nil, and closes it at the end of the test.
func mustOpen(t testing.TB, data *demo.Data) *sqlite.DB {
	t.Helper()
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	db.Now = func() time.Time { return t0 }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if data != nil {
		if err := db.Seed(context.Background(), data); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := sportello.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}

func TestDB_Open(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "syncd.db")
	for i := range 2 { // the second open finds the migrations applied
		db := sqlite.New(path)
		if err := db.Open(); err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		v, err := db.SchemaVersion(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if v != latestMigration(t) {
			t.Fatalf("schema version %d, want %d", v, latestMigration(t))
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDB_Authenticate(t *testing.T) {
	db := mustOpen(t, fixture)
	ctx := context.Background()
	tests := []struct {
		name, username, password string
		code                     string
	}{
		{"OK", "operatore", "demo", ""},
		{"WrongPassword", "operatore", "nope", sportello.EUNAUTHORIZED},
		{"UnknownUser", "nessuno", "demo", sportello.EUNAUTHORIZED},
		{"EmptyPassword", "operatore", "", sportello.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := db.Authenticate(ctx, tt.username, tt.password)
			wantCode(t, err, tt.code)
			if tt.code != "" {
				if msg := sportello.ErrorMessage(err); msg != "wrong username or password" {
					t.Fatalf("message %q", msg)
				}
				return
			}
			if *u != *operator {
				t.Fatalf("user %+v, want %+v", u, operator)
			}
		})
	}
}

func TestDB_CreateUser(t *testing.T) {
	db := mustOpen(t, fixture)
	ctx := context.Background()
	tests := []struct {
		name     string
		user     sportello.User
		password string
		code     string
	}{
		{"OK", sportello.User{Username: "nuovo", Name: "Anna Neri", Role: sportello.RoleSpecialist}, "password-lunga", ""},
		{"Taken", sportello.User{Username: "operatore", Name: "Altra", Role: sportello.RoleOperator}, "password-lunga", sportello.ECONFLICT},
		{"ShortPassword", sportello.User{Username: "corto", Name: "Corto", Role: sportello.RoleOperator}, "1234567", sportello.EINVALID},
		{"BadRole", sportello.User{Username: "ruolo", Name: "Ruolo", Role: "boss"}, "password-lunga", sportello.EINVALID},
		{"NoName", sportello.User{Username: "anonimo", Role: sportello.RoleOperator}, "password-lunga", sportello.EINVALID},
		{"SpaceInUsername", sportello.User{Username: "due parole", Name: "X", Role: sportello.RoleOperator}, "password-lunga", sportello.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.user
			err := db.CreateUser(ctx, &u, tt.password)
			wantCode(t, err, tt.code)
			if tt.code != "" {
				return
			}
			if u.ID == "" {
				t.Fatal("no id given")
			}
			got, err := db.Authenticate(ctx, u.Username, tt.password)
			if err != nil {
				t.Fatal(err)
			}
			if *got != u {
				t.Fatalf("authenticated %+v, want %+v", got, u)
			}
		})
	}
}

func TestDB_Session(t *testing.T) {
	db := mustOpen(t, fixture)
	ctx := context.Background()
	if err := db.CreateSession(ctx, "token-1", operator.ID, t0.Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	t.Run("Valid", func(t *testing.T) {
		u, exp, err := db.UserBySession(ctx, "token-1")
		if err != nil {
			t.Fatal(err)
		}
		if *u != *operator || !exp.Equal(t0.Add(12*time.Hour)) {
			t.Fatalf("user %+v until %v", u, exp)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		_, _, err := db.UserBySession(ctx, "token-2")
		wantCode(t, err, sportello.EUNAUTHORIZED)
	})
	t.Run("Expired", func(t *testing.T) {
		db.Now = func() time.Time { return t0.Add(12 * time.Hour) }
		defer func() { db.Now = func() time.Time { return t0 } }()
		_, _, err := db.UserBySession(ctx, "token-1")
		wantCode(t, err, sportello.EUNAUTHORIZED)
		if !strings.Contains(sportello.ErrorMessage(err), "expired") {
			t.Fatalf("message %q", sportello.ErrorMessage(err))
		}
	})
	t.Run("Deleted", func(t *testing.T) {
		if err := db.DeleteSession(ctx, "token-1"); err != nil {
			t.Fatal(err)
		}
		_, _, err := db.UserBySession(ctx, "token-1")
		wantCode(t, err, sportello.EUNAUTHORIZED)
	})
}

func TestNormalizeNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+390212345678", "+390212345678"},
		{"+39 02 1234 5678", "+390212345678"},
		{"00390212345678", "+390212345678"},
		{"02 12345678", "+390212345678"},
		{"333-123.4567", "+393331234567"},
		{"", ""},
		{"anonymous", ""},
		{"+0123456", ""},
		{"+39 02 12++", ""},
		{"+1234567890123456", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := sqlite.NormalizeNumber(tt.in)
			if tt.want == "" {
				wantCode(t, err, sportello.EINVALID)
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizeNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestDB_LookupCaller(t *testing.T) {
	db := mustOpen(t, fixture)
	ctx := context.Background()
	// One case for Maria Rossi so that the card has history.
	k, err := db.RecordWrapUp(ctx, operator, sportello.WrapUp{
		CallID: "call-0", CallerNumber: "+390212345678", Outcome: sportello.OutcomeTransferred, Note: "Trasferita all'Anagrafe",
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Known", func(t *testing.T) {
		card, err := db.LookupCaller(ctx, "+39 333 1234567", "call-1", operator)
		if err != nil {
			t.Fatal(err)
		}
		if card.Citizen == nil || card.Citizen.ID != "c-rossi" {
			t.Fatalf("citizen %+v, want c-rossi", card.Citizen)
		}
		if card.Number != "+393331234567" {
			t.Fatalf("number %q", card.Number)
		}
		if len(card.Citizen.Phones) != 2 {
			t.Fatalf("phones %v", card.Citizen.Phones)
		}
		if len(card.Cases) != 1 || card.Cases[0].ID != k.ID || len(card.Cases[0].Events) != 3 {
			t.Fatalf("cases %+v, want the one recorded", card.Cases)
		}
		log, err := db.AccessLog(ctx, "c-rossi")
		if err != nil {
			t.Fatal(err)
		}
		want := sqlite.AccessEntry{At: t0, UserID: operator.ID, CitizenID: "c-rossi", Number: "+393331234567", Reason: "call-1"}
		if len(log) != 1 || log[0] != want {
			t.Fatalf("access log %+v, want [%+v]", log, want)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		card, err := db.LookupCaller(ctx, "+390299999999", "call-2", operator)
		if err != nil {
			t.Fatal(err)
		}
		if card.Citizen != nil || len(card.Cases) != 0 {
			t.Fatalf("card %+v, want no citizen", card)
		}
		log, err := db.AccessLog(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 || log[0].Number != "+390299999999" || log[0].Reason != "call-2" {
			t.Fatalf("access log %+v", log)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		tests := []struct {
			name, number, reason string
			actor                *sportello.User
			code                 string
		}{
			{"NoReason", "+390212345678", " ", operator, sportello.EINVALID},
			{"LongReason", "+390212345678", strings.Repeat("r", sqlite.MaxReasonLen+1), operator, sportello.EINVALID},
			{"BadNumber", "not-a-number", "call-3", operator, sportello.EINVALID},
			{"NoActor", "+390212345678", "call-3", nil, sportello.EUNAUTHORIZED},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := db.LookupCaller(ctx, tt.number, tt.reason, tt.actor)
				wantCode(t, err, tt.code)
			})
		}
		log, err := db.AccessLog(ctx, "c-rossi")
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 {
			t.Fatalf("refused lookups wrote audit rows: %+v", log)
		}
	})
}

func TestDB_RecordWrapUp(t *testing.T) {
	ctx := context.Background()

	t.Run("OpensCase", func(t *testing.T) {
		db := mustOpen(t, fixture)
		k, err := db.RecordWrapUp(ctx, operator, sportello.WrapUp{
			CallID: "call-1", CallerNumber: "02 12345678", Category: "Tributi",
			Outcome: sportello.OutcomeResolvedFirstContact, Note: "Spiegata la TARI\nsecondo rigo",
		})
		if err != nil {
			t.Fatal(err)
		}
		if k.CitizenID != "c-rossi" || k.Status != sportello.StatusResolved || k.Subject != "Spiegata la TARI" || k.Category != "Tributi" {
			t.Fatalf("case %+v", k)
		}
		kinds := []sportello.EventKind{sportello.EventOpened, sportello.EventCall, sportello.EventWrapUp}
		if len(k.Events) != len(kinds) {
			t.Fatalf("%d events, want %d", len(k.Events), len(kinds))
		}
		for i, e := range k.Events {
			if e.Kind != kinds[i] || e.AuthorID != operator.ID || e.Author != operator.Name || !e.At.Equal(t0) || len(e.ID) != 36 || e.ID[14] != '7' {
				t.Fatalf("event %d: %+v", i, e)
			}
		}
		if k.Events[1].Number != "+390212345678" || k.Events[1].CallID != "call-1" {
			t.Fatalf("call event %+v", k.Events[1])
		}
		stored, err := db.Case(ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Status != k.Status || len(stored.Events) != 3 {
			t.Fatalf("stored case %+v", stored)
		}
		changes, err := db.ChangesSince(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) != 3 {
			t.Fatalf("%d changes, want 3", len(changes))
		}
		for i, c := range changes {
			if c.Seq != int64(i+1) || c.Kind != sportello.ChangeKindCaseEvent || c.CaseID != k.ID || c.CitizenID != "c-rossi" || c.Event == nil || c.Event.ID != k.Events[i].ID {
				t.Fatalf("change %d: %+v", i, c)
			}
		}
	})

	t.Run("UnknownCaller", func(t *testing.T) {
		db := mustOpen(t, fixture)
		k, err := db.RecordWrapUp(ctx, operator, sportello.WrapUp{CallID: "call-1", CallerNumber: "+390299999999", Outcome: sportello.OutcomeTransferred})
		if err != nil {
			t.Fatal(err)
		}
		if k.CitizenID != "" || k.Status != sportello.StatusOpen {
			t.Fatalf("case %+v", k)
		}
	})

	t.Run("AppendsToCase", func(t *testing.T) {
		db := mustOpen(t, fixture)
		k, err := db.RecordWrapUp(ctx, operator, sportello.WrapUp{CallID: "call-1", CitizenID: "c-panificio", Outcome: sportello.OutcomeTransferred, Note: "Trasferita"})
		if err != nil {
			t.Fatal(err)
		}
		k2, err := db.RecordWrapUp(ctx, operator, sportello.WrapUp{CallID: "call-2", CaseID: k.ID, CallerNumber: "+390287654321", Outcome: sportello.OutcomeResolvedFirstContact, Note: "Risolta"})
		if err != nil {
			t.Fatal(err)
		}
		if k2.ID != k.ID || len(k2.Events) != 5 || k2.Status != sportello.StatusResolved || k2.Subject != "Trasferita" {
			t.Fatalf("case %+v with %d events", k2, len(k2.Events))
		}
		head, _ := db.Head(ctx)
		if head != 5 {
			t.Fatalf("head %d, want 5", head)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		db := mustOpen(t, fixture)
		resolved, err := db.RecordWrapUp(ctx, operator, sportello.WrapUp{CallID: "call-1", CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name  string
			actor *sportello.User
			w     sportello.WrapUp
			code  string
		}{
			{"ResolvedCase", operator, sportello.WrapUp{CallID: "call-2", CaseID: resolved.ID, Outcome: sportello.OutcomeTransferred}, sportello.ECONFLICT},
			{"EscalatedWithoutDesk", operator, sportello.WrapUp{CallID: "call-2", CitizenID: "c-rossi", Outcome: sportello.OutcomeEscalated}, sportello.EINVALID},
			{"UnknownCase", operator, sportello.WrapUp{CallID: "call-2", CaseID: "nope", Outcome: sportello.OutcomeTransferred}, sportello.ENOTFOUND},
			{"UnknownCitizen", operator, sportello.WrapUp{CallID: "call-2", CitizenID: "nope", Outcome: sportello.OutcomeTransferred}, sportello.ENOTFOUND},
			{"OtherCitizensCase", operator, sportello.WrapUp{CallID: "call-2", CaseID: resolved.ID, CitizenID: "c-panificio", Outcome: sportello.OutcomeTransferred}, sportello.EINVALID},
			{"NoOutcome", operator, sportello.WrapUp{CallID: "call-2", CitizenID: "c-rossi"}, sportello.EINVALID},
			{"BadNumber", operator, sportello.WrapUp{CallID: "call-2", CallerNumber: "x", Outcome: sportello.OutcomeTransferred}, sportello.EINVALID},
			{"NoActor", nil, sportello.WrapUp{CallID: "call-2", CitizenID: "c-rossi", Outcome: sportello.OutcomeTransferred}, sportello.EUNAUTHORIZED},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := db.RecordWrapUp(ctx, tt.actor, tt.w)
				wantCode(t, err, tt.code)
			})
		}
		// Nothing refused was written.
		head, _ := db.Head(ctx)
		if head != 3 {
			t.Fatalf("head %d after refusals, want 3", head)
		}
		stored, err := db.Case(ctx, resolved.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored.Events) != 3 {
			t.Fatalf("resolved case has %d events, want 3", len(stored.Events))
		}
	})
}

// TestDB_ChangesSince_GapFree records wrap-ups from many goroutines and
// checks that the change log numbers them 1..N without gaps, and that
// pages cover it exactly.
func TestDB_ChangesSince_GapFree(t *testing.T) {
	db := mustOpen(t, fixture)
	ctx := context.Background()
	const writers, each = 6, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*each+1)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				outcome := sportello.OutcomeTransferred
				if (w+i)%2 == 0 {
					outcome = sportello.OutcomeResolvedFirstContact
				}
				if _, err := db.RecordWrapUp(ctx, operator, sportello.WrapUp{CallID: "c", CitizenID: "c-rossi", Outcome: outcome}); err != nil {
					errs <- err
				}
			}
		})
	}
	// A refused write in the middle must not burn a seq.
	if _, err := db.RecordWrapUp(ctx, operator, sportello.WrapUp{CallID: "c", CaseID: "nope", Outcome: sportello.OutcomeTransferred}); err == nil {
		errs <- err
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	const total = writers * each * 3
	var all []sportello.Change
	cursor := int64(0)
	for pages := 0; ; pages++ {
		page, err := db.ChangesSince(ctx, cursor, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 7 || pages > total {
			t.Fatalf("page of %d", len(page))
		}
		all = append(all, page...)
		cursor = page[len(page)-1].Seq
	}
	if len(all) != total {
		t.Fatalf("%d changes, want %d", len(all), total)
	}
	for i, c := range all {
		if c.Seq != int64(i+1) {
			t.Fatalf("change %d has seq %d: gap", i, c.Seq)
		}
	}
	head, _ := db.Head(ctx)
	if head != total {
		t.Fatalf("head %d, want %d", head, total)
	}
	if _, err := db.ChangesSince(ctx, -1, 1); sportello.ErrorCode(err) != sportello.EINVALID {
		t.Fatalf("negative cursor: %v", err)
	}
}

func TestDB_Seed(t *testing.T) {
	db := mustOpen(t, nil)
	ctx := context.Background()
	empty, err := db.IsEmpty(ctx)
	if err != nil || !empty {
		t.Fatalf("IsEmpty() = %v, %v before seeding", empty, err)
	}
	data := demo.Generate(1, t0)
	if err := db.Seed(ctx, data); err != nil {
		t.Fatal(err)
	}
	if empty, _ := db.IsEmpty(ctx); empty {
		t.Fatal("still empty after seeding")
	}
	// A second seed is a no-op, even with other data.
	if err := db.Seed(ctx, demo.Generate(2, t0)); err != nil {
		t.Fatal(err)
	}
	for _, u := range data.Users {
		if _, err := db.Authenticate(ctx, u.Username, demo.Password); err != nil {
			t.Fatalf("demo user %s: %v", u.Username, err)
		}
	}
	card, err := db.LookupCaller(ctx, demo.KnownCaller, "call-1", &data.Users[0].User)
	if err != nil {
		t.Fatal(err)
	}
	if card.Citizen == nil || card.Citizen.ID != data.Citizens[0].ID {
		t.Fatalf("known caller gave %+v", card.Citizen)
	}
	if len(card.Cases) == 0 {
		t.Fatal("the known caller has no cases")
	}
	// Seeded history is state, not changes.
	if head, _ := db.Head(ctx); head != 0 {
		t.Fatalf("head %d after seeding, want 0", head)
	}
}

// latestMigration is the version of the newest migration file.
func latestMigration(t *testing.T) int {
	t.Helper()
	names, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	sort.Strings(names)
	v, err := strconv.Atoi(strings.SplitN(filepath.Base(names[len(names)-1]), "_", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	return v
}
