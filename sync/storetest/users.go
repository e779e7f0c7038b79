package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// testSeed: a second seed is a no-op, seeded cases are state and not
// changes, seeded users can sign in.
func testSeed(t *testing.T, e *env) {
	other := Fixture()
	other.Citizens[0].Name = "Altra Persona"
	if err := e.Seed(e.ctx, other); err != nil {
		t.Fatal(err)
	}
	card, err := e.LookupCaller(e.ctx, "+390212345678", "call-1", &Operator)
	if err != nil {
		t.Fatal(err)
	}
	if card.Citizen == nil || card.Citizen.Name != "Maria Rossi" {
		t.Fatalf("citizen after a second seed: %+v", card.Citizen)
	}
	if len(card.Cases) != 1 || card.Cases[0].ID != EscalatedCase || card.Cases[0].Status != sportello.StatusEscalated || card.Cases[0].DeskID != "desk-tributi" {
		t.Fatalf("seeded cases %+v", card.Cases)
	}
	if h := e.head(t); h != 0 {
		t.Fatalf("head %d after seeding, want 0: seeded cases are not changes", h)
	}
	if n, err := e.KBTotal(e.ctx); err != nil || n != 3 {
		t.Fatalf("KBTotal() = %d, %v; want 3", n, err)
	}
}

func testAuthenticate(t *testing.T, e *env) {
	for _, tt := range []struct {
		name, username, password string
		code                     string
	}{
		{"OK", "operatore", Password, ""},
		{"Supervisor", "supervisore", Password, ""},
		{"WrongPassword", "operatore", "nope", sportello.EUNAUTHORIZED},
		{"UnknownUser", "nessuno", Password, sportello.EUNAUTHORIZED},
		{"EmptyPassword", "operatore", "", sportello.EUNAUTHORIZED},
		{"SQLInUsername", "' OR '1'='1", Password, sportello.EUNAUTHORIZED},
		{"NULInUsername", "opera\x00tore", Password, sportello.EUNAUTHORIZED},
		{"NotUTF8Username", "opera\xfftore", Password, sportello.EUNAUTHORIZED},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u, err := e.Authenticate(e.ctx, tt.username, tt.password)
			wantCode(t, err, tt.code)
			if tt.code != "" {
				if msg := sportello.ErrorMessage(err); msg != "wrong username or password" {
					t.Fatalf("message %q", msg)
				}
				return
			}
			if u.Username != tt.username || u.ID == "" || !u.Role.Valid() {
				t.Fatalf("user %+v", u)
			}
		})
	}
	u, err := e.Authenticate(e.ctx, "operatore", Password)
	if err != nil || *u != Operator {
		t.Fatalf("Authenticate() = %+v, %v; want %+v", u, err, Operator)
	}
}

func testCreateUser(t *testing.T, e *env) {
	for _, tt := range []struct {
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
		{"NotUTF8Name", sportello.User{Username: "utf", Name: "X\xff", Role: sportello.RoleOperator}, "password-lunga", sportello.EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.user
			err := e.CreateUser(e.ctx, &u, tt.password)
			wantCode(t, err, tt.code)
			if tt.code != "" {
				return
			}
			if u.ID == "" {
				t.Fatal("no id given")
			}
			got, err := e.Authenticate(e.ctx, u.Username, tt.password)
			if err != nil {
				t.Fatal(err)
			}
			if *got != u {
				t.Fatalf("authenticated %+v, want %+v", got, u)
			}
		})
	}
	t.Run("DeskMember", func(t *testing.T) {
		u := sportello.User{Username: "anna", Name: "Anna Neri", Role: sportello.RoleSpecialist}
		if err := e.CreateUser(e.ctx, &u, "password-lunga"); err != nil {
			t.Fatal(err)
		}
		if err := e.AddDeskMember(e.ctx, u.ID, "ANAGRAFE"); err != nil { // by name, any case
			t.Fatal(err)
		}
		if err := e.AddDeskMember(e.ctx, u.ID, "desk-anagrafe"); err != nil { // again: no error
			t.Fatal(err)
		}
		wantCode(t, e.AddDeskMember(e.ctx, u.ID, "Nessuno"), sportello.ENOTFOUND)
		desks, _, _, err := e.FeedScope(e.ctx, "", u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(desks, []string{"desk-anagrafe"}) {
			t.Fatalf("desks %v", desks)
		}
	})
}

func testSession(t *testing.T, e *env) {
	if err := e.CreateSession(e.ctx, "token-1", Operator.ID, T0.Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.CreateSession(e.ctx, "", Operator.ID, T0.Add(time.Hour)), sportello.EINVALID)
	t.Run("Valid", func(t *testing.T) {
		u, exp, err := e.UserBySession(e.ctx, "token-1")
		if err != nil {
			t.Fatal(err)
		}
		if *u != Operator || !exp.Equal(T0.Add(12*time.Hour)) {
			t.Fatalf("user %+v until %v", u, exp)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		for _, tok := range []string{"token-2", "tok\x00en", "\xff"} {
			_, _, err := e.UserBySession(e.ctx, tok)
			wantCode(t, err, sportello.EUNAUTHORIZED)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		e.clock.Set(T0.Add(12 * time.Hour))
		defer e.clock.Set(T0)
		_, _, err := e.UserBySession(e.ctx, "token-1")
		wantCode(t, err, sportello.EUNAUTHORIZED)
		if !strings.Contains(sportello.ErrorMessage(err), "expired") {
			t.Fatalf("message %q", sportello.ErrorMessage(err))
		}
	})
	t.Run("Deleted", func(t *testing.T) {
		if err := e.DeleteSession(e.ctx, "token-1"); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.UserBySession(e.ctx, "token-1")
		wantCode(t, err, sportello.EUNAUTHORIZED)
		if err := e.DeleteSession(e.ctx, "token-1"); err != nil {
			t.Fatalf("deleting an unknown session: %v", err)
		}
	})
}

// testKBPage pages through the knowledge base in id order.
func testKBPage(t *testing.T, e *env) {
	more := []sportello.KBEntry{
		{ID: "kb-a", Kind: sportello.EntryAnswer, Title: "Primo", Keywords: []string{"x"}},
		{ID: "kb-tari", Kind: sportello.EntryAnswer, Title: "Scadenze TARI 2025", Summary: "Nuove date."}, // replaces
	}
	if err := e.PutKB(e.ctx, more); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.PutKB(e.ctx, []sportello.KBEntry{{ID: "kb-x"}}), sportello.EINVALID)
	total, err := e.KBTotal(e.ctx)
	if err != nil || total != 4 {
		t.Fatalf("KBTotal() = %d, %v; want 4", total, err)
	}
	var ids []string
	after := ""
	for pages := 0; ; pages++ {
		page, err := e.KBPage(e.ctx, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 || pages > 4 {
			break
		}
		if len(page) > 3 {
			t.Fatalf("page of %d", len(page))
		}
		for _, k := range page {
			ids = append(ids, k.ID)
		}
		after = page[len(page)-1].ID
	}
	if want := []string{"kb-a", "kb-cie", "kb-orari", "kb-tari"}; !slices.Equal(ids, want) {
		t.Fatalf("ids %v, want %v", ids, want)
	}
	page, err := e.KBPage(e.ctx, "kb-orari", 10)
	if err != nil || len(page) != 1 {
		t.Fatalf("page after kb-orari: %+v, %v", page, err)
	}
	if k := page[0]; k.Title != "Scadenze TARI 2025" || k.Summary != "Nuove date." || k.UpdatedAt.IsZero() {
		t.Fatalf("replaced entry %+v", k)
	}
	page, _ = e.KBPage(e.ctx, "kb-b", 1)
	if k := page[0]; k.ID != "kb-cie" || !slices.Equal(k.Documents, []string{"foto", "vecchio documento"}) || k.Kind != sportello.EntryService {
		t.Fatalf("entry %+v", k)
	}
}
