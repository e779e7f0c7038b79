package demo_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Rome on machines without a tz database

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
)

// now is the reference time of the tests: a Tuesday in summer time.
var now = time.Date(2026, time.June, 16, 10, 30, 0, 0, time.UTC)

func TestGenerate_Deterministic(t *testing.T) {
	a, b := mustJSON(t, demo.Generate(42, now)), mustJSON(t, demo.Generate(42, now))
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed and time gave different data")
	}
	if c := mustJSON(t, demo.Generate(43, now)); bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same data")
	}

	t.Run("StableAcrossNow", func(t *testing.T) {
		x, y := demo.Generate(42, now), demo.Generate(42, now.AddDate(0, 1, 3))
		for _, part := range []struct {
			name string
			a, b any
		}{
			{"users", x.Users, y.Users},
			{"desks", x.Desks, y.Desks},
			{"offices", x.Offices, y.Offices},
			{"directory", x.Directory, y.Directory},
			{"citizens", x.Citizens, y.Citizens},
		} {
			if !bytes.Equal(mustJSON(t, part.a), mustJSON(t, part.b)) {
				t.Errorf("%s depend on the reference time", part.name)
			}
		}
	})
}

var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestGenerate_Users(t *testing.T) {
	d := demo.Generate(1, now)
	want := map[string]sportello.Role{
		"operatore": sportello.RoleOperator, "operatore2": sportello.RoleOperator,
		"specialista": sportello.RoleSpecialist, "supervisore": sportello.RoleSupervisor,
		"admin": sportello.RoleAdmin,
	}
	if len(d.Users) != len(want) {
		t.Fatalf("got %d users, want %d", len(d.Users), len(want))
	}
	for _, u := range d.Users {
		if want[u.Username] != u.Role {
			t.Errorf("user %q has role %q, want %q", u.Username, u.Role, want[u.Username])
		}
		if !uuidV7.MatchString(u.ID) || u.Name == "" || u.Password != demo.Password {
			t.Errorf("user %+v is incomplete", u)
		}
	}
	if u := d.Users[0]; u.Username != "operatore" || u.Name != "Giulia Bianchi" {
		t.Errorf("first user is %s (%s), want operatore (Giulia Bianchi)", u.Username, u.Name)
	}
	if u := d.Users[1]; u.Username != "operatore2" || u.Name != "Marco Ferri" {
		t.Errorf("second user is %s (%s), want operatore2 (Marco Ferri)", u.Username, u.Name)
	}
}

var e164 = regexp.MustCompile(`^\+39(3[0-9]{8,9}|0[0-9]{5,10})$`)

func TestGenerate_CityAndDirectory(t *testing.T) {
	d := demo.Generate(1, now)
	if len(d.Desks) < 4 {
		t.Errorf("got %d desks, want at least 4", len(d.Desks))
	}
	if len(d.Offices) < 5 {
		t.Errorf("got %d offices, want at least 5", len(d.Offices))
	}
	for _, o := range d.Offices {
		if o.Name == "" || o.Hours == "" || !strings.Contains(o.Address, demo.City) || !e164.MatchString(o.Phone) {
			t.Errorf("office %+v is incomplete", o)
		}
	}
	if len(d.Directory) < 10 {
		t.Errorf("got %d directory entries, want at least 10", len(d.Directory))
	}
	groups := map[string]int{}
	for _, e := range d.Directory {
		groups[e.Group]++
		if e.Name == "" || !e164.MatchString(e.Number) {
			t.Errorf("directory entry %+v is incomplete", e)
		}
	}
	for _, g := range []string{demo.GroupCity, demo.GroupMunicipio, demo.GroupCompany} {
		if groups[g] == 0 {
			t.Errorf("no directory entry in group %q", g)
		}
	}
	ids := map[string]bool{}
	for _, id := range allIDs(d) {
		if ids[id] {
			t.Errorf("id %s used twice", id)
		}
		ids[id] = true
	}
}

var (
	cfShape   = regexp.MustCompile(`^[A-Z]{6}[0-9]{2}[ABCDEHLMPRST][0-9]{2}[A-Z][0-9]{3}[A-Z]$`)
	pivaShape = regexp.MustCompile(`^[0-9]{11}$`)
)

func TestGenerate_Citizens(t *testing.T) {
	d := demo.Generate(7, now)
	if len(d.Citizens) < 200 {
		t.Fatalf("got %d citizens, want at least 200", len(d.Citizens))
	}
	taxCodes := map[string]bool{}
	kinds := map[sportello.CitizenKind]int{}
	for _, c := range d.Citizens {
		kinds[c.Kind]++
		if taxCodes[c.TaxCode] {
			t.Errorf("tax code %s used twice", c.TaxCode)
		}
		taxCodes[c.TaxCode] = true
		switch c.Kind {
		case sportello.CitizenPerson:
			checkCodiceFiscale(t, c)
		case sportello.CitizenBusiness:
			if !pivaShape.MatchString(c.TaxCode) || !validPartitaIVA(c.TaxCode) {
				t.Errorf("%s: partita IVA %s does not verify", c.Name, c.TaxCode)
			}
		default:
			t.Errorf("%s: unknown kind %q", c.Name, c.Kind)
		}
		if c.Email != "" && !strings.Contains(c.Email, "@") {
			t.Errorf("%s: email %q", c.Name, c.Email)
		}
	}
	if kinds[sportello.CitizenBusiness] < 3 || kinds[sportello.CitizenPerson] < 200 {
		t.Errorf("got %v, want at least 200 persons and a few businesses", kinds)
	}
}

// checkCodiceFiscale verifies c's codice fiscale against its name, with an
// encoding written apart from the package's.
func checkCodiceFiscale(t *testing.T, c sportello.Citizen) {
	t.Helper()
	cf := c.TaxCode
	if !cfShape.MatchString(cf) {
		t.Errorf("%s: codice fiscale %q is malformed", c.Name, cf)
		return
	}
	if got := cfCheck(cf[:15]); got != cf[15] {
		t.Errorf("%s: codice fiscale %s has check character %c, want %c", c.Name, cf, cf[15], got)
	}
	first, last, _ := strings.Cut(c.Name, " ")
	if want := cfPart(last, false) + cfPart(first, true); cf[:6] != want {
		t.Errorf("%s: codice fiscale %s starts with %s, want %s", c.Name, cf, cf[:6], want)
	}
	day := int(cf[9]-'0')*10 + int(cf[10]-'0')
	if !(day >= 1 && day <= 31 || day >= 41 && day <= 71) {
		t.Errorf("%s: codice fiscale %s has birth day %d", c.Name, cf, day)
	}
}

// cfCheck is the check character of the official algorithm: characters in
// odd positions (1st, 3rd, ...) are worth cfOdd, those in even positions
// their place among 0-9 or A-Z.
func cfCheck(body string) byte {
	const cfOdd = "BAFHJNPRTVCESULDGIMOQKWZYX" // value of A..Z (and 0..9) as a letter, A=0
	sum := 0
	for i, r := range body {
		idx := int(r - 'A')
		if r >= '0' && r <= '9' {
			idx = int(r - '0')
		}
		if (i+1)%2 == 1 {
			sum += int(cfOdd[idx] - 'A')
		} else {
			sum += idx
		}
	}
	return byte('A' + sum%26)
}

// cfPart encodes a surname, or a name (where four or more consonants give
// the 1st, 3rd and 4th).
func cfPart(s string, isName bool) string {
	var cons, vows []rune
	for _, r := range strings.ToUpper(s) {
		if r < 'A' || r > 'Z' {
			continue
		}
		if strings.ContainsRune("AEIOU", r) {
			vows = append(vows, r)
		} else {
			cons = append(cons, r)
		}
	}
	if isName && len(cons) > 3 {
		return string([]rune{cons[0], cons[2], cons[3]})
	}
	out := append(append(cons, vows...), 'X', 'X', 'X')
	return string(out[:3])
}

// validPartitaIVA checks the last digit of a partita IVA: digits in even
// positions are doubled (minus 9 past 9) and the total is a multiple of 10.
func validPartitaIVA(p string) bool {
	sum := 0
	for i, r := range p {
		d := int(r - '0')
		if i%2 == 1 {
			d = (2*d)/10 + (2*d)%10
		}
		sum += d
	}
	return sum%10 == 0
}

func TestCheckAlgorithms(t *testing.T) {
	// Textbook examples, to keep the test's own checks honest.
	if got := cfCheck("RSSMRA85T10A562"); got != 'S' {
		t.Errorf("check of RSSMRA85T10A562 = %c, want S", got)
	}
	if got := cfPart("Rossi", false) + cfPart("Maria", true); got != "RSSMRA" {
		t.Errorf("Maria Rossi encodes as %s, want RSSMRA", got)
	}
	if got := cfPart("Gianfranco", true); got != "GFR" {
		t.Errorf("Gianfranco encodes as %s, want GFR", got)
	}
	if got := cfPart("Fo", false); got != "FOX" {
		t.Errorf("Fo encodes as %s, want FOX", got)
	}
	if !validPartitaIVA("12345678903") || validPartitaIVA("12345678904") {
		t.Error("partita IVA check is wrong on 12345678903/4")
	}
}

func TestGenerate_Phones(t *testing.T) {
	d := demo.Generate(7, now)
	seen := map[string]string{}
	for _, e := range d.Directory {
		seen[e.Number] = e.Name
	}
	for _, c := range d.Citizens {
		if len(c.Phones) < 1 || len(c.Phones) > 3 {
			t.Errorf("%s has %d phones, want 1-3", c.Name, len(c.Phones))
		}
		for _, p := range c.Phones {
			if !e164.MatchString(p) {
				t.Errorf("%s: phone %q is not an Italian E.164 number", c.Name, p)
			}
			if other, ok := seen[p]; ok {
				t.Errorf("%s: phone %s is also %s's", c.Name, p, other)
			}
			seen[p] = c.Name
		}
	}
}

func TestGenerate_Cases(t *testing.T) {
	for _, tc := range []struct {
		name string
		seed int64
		now  time.Time
	}{
		{"Summer", 7, now},
		{"AfterNewYear", 1, time.Date(2026, time.January, 2, 7, 5, 0, 0, time.UTC)},
		{"AfterEasterAndDST", 99, time.Date(2026, time.April, 7, 6, 59, 59, 0, time.FixedZone("CEST", 2*3600))},
	} {
		t.Run(tc.name, func(t *testing.T) { checkCases(t, demo.Generate(tc.seed, tc.now), tc.now) })
	}
}

func checkCases(t *testing.T, d *demo.Data, now time.Time) {
	users := map[string]string{}
	for _, u := range d.Users {
		users[u.ID] = u.Name
	}
	desks := map[string]bool{}
	for _, k := range d.Desks {
		desks[k.ID] = true
	}
	citizens := map[string]bool{}
	for _, c := range d.Citizens {
		citizens[c.ID] = true
	}

	perCitizen := map[string]int{}
	categories := map[string]bool{}
	statuses := map[sportello.CaseStatus]int{}
	outcomes := map[sportello.Outcome]int{}
	var prev time.Time
	for _, c := range d.Cases {
		perCitizen[c.CitizenID]++
		categories[c.Category] = true
		statuses[c.Status]++
		if !citizens[c.CitizenID] {
			t.Errorf("case %s: unknown citizen %s", c.ID, c.CitizenID)
		}
		if c.OpenedAt.Before(prev) {
			t.Errorf("case %s is out of order", c.ID)
		}
		prev = c.OpenedAt

		r, err := sportello.Replay(c.ID, c.CitizenID, c.Events)
		if err != nil {
			t.Errorf("case %s does not replay: %v", c.ID, err)
			continue
		}
		r.Events = nil
		got := *c
		got.Events = nil
		if !bytes.Equal(mustJSON(t, r), mustJSON(t, &got)) {
			t.Errorf("case %s replays to\n%s\nbut is\n%s", c.ID, mustJSON(t, r), mustJSON(t, &got))
		}
		if c.Status == sportello.StatusEscalated || c.Status == sportello.StatusClaimed {
			if !desks[c.DeskID] {
				t.Errorf("case %s: unknown desk %q", c.ID, c.DeskID)
			}
		}

		for i, e := range c.Events {
			if e.At.Location() != time.UTC || e.At.After(now) || !e.At.After(now.AddDate(0, 0, -180)) {
				t.Errorf("case %s event %d at %v: not UTC in the 180 days before %v", c.ID, i, e.At, now)
			}
			if i > 0 && e.At.Before(c.Events[i-1].At) {
				t.Errorf("case %s event %d goes back in time", c.ID, i)
			}
			if users[e.AuthorID] == "" || users[e.AuthorID] != e.Author {
				t.Errorf("case %s event %d: author %s (%s) is not a demo user", c.ID, i, e.AuthorID, e.Author)
			}
			if !uuidV7.MatchString(e.ID) {
				t.Errorf("case %s event %d: id %q", c.ID, i, e.ID)
			}
			if (e.Kind == sportello.EventOpened || e.Kind == sportello.EventClaimed) && !serviceOpen(t, e.At) {
				t.Errorf("case %s event %d (%s) at %v: the service is closed then", c.ID, i, e.Kind, e.At)
			}
			if e.Kind == sportello.EventWrapUp {
				outcomes[e.Outcome]++
				if e.Note == "" {
					t.Errorf("case %s event %d: wrap-up without a note", c.ID, i)
				}
			}
			if e.Kind == sportello.EventCall && !e164.MatchString(e.Number) {
				t.Errorf("case %s event %d: call from %q", c.ID, i, e.Number)
			}
		}
	}

	if len(categories) < 5 || len(categories) > 12 {
		t.Errorf("got %d categories, want a small catalogue of 5-12", len(categories))
	}
	withCases := 0
	for _, c := range d.Citizens {
		n := perCitizen[c.ID]
		if n > 4 {
			t.Errorf("%s has %d cases, want at most 4", c.Name, n)
		}
		if n > 0 {
			withCases++
		}
	}
	if withCases*100 < len(d.Citizens)*80 {
		t.Errorf("%d of %d citizens have cases, want most", withCases, len(d.Citizens))
	}
	for _, s := range []sportello.CaseStatus{sportello.StatusOpen, sportello.StatusEscalated, sportello.StatusClaimed, sportello.StatusResolved} {
		if statuses[s] == 0 {
			t.Errorf("no case is %s; got %v", s, statuses)
		}
	}
	total := 0
	for _, n := range outcomes {
		total += n
	}
	if fcr := outcomes[sportello.OutcomeResolvedFirstContact] * 100 / total; fcr < 50 || fcr > 90 {
		t.Errorf("first-contact resolution is %d%%, want around the 80%% target", fcr)
	}
	t.Logf("%d cases; statuses %v; outcomes %v", len(d.Cases), statuses, outcomes)
}

// serviceOpen reports whether at falls in the service's hours (DOMAIN.md):
// Monday to Friday 08:00-19:00, Saturday 08:00-14:00, Europe/Rome.
func serviceOpen(t *testing.T, at time.Time) bool {
	t.Helper()
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	local := at.In(rome)
	switch local.Weekday() {
	case time.Sunday:
		return false
	case time.Saturday:
		return local.Hour() >= 8 && local.Hour() < 14
	}
	return local.Hour() >= 8 && local.Hour() < 19
}

func TestGenerate_KnownCaller(t *testing.T) {
	d := demo.Generate(7, now)
	var maria *sportello.Citizen
	for i, c := range d.Citizens {
		for _, p := range c.Phones {
			if p == demo.KnownCaller {
				maria = &d.Citizens[i]
			}
		}
	}
	if maria == nil {
		t.Fatalf("no citizen has %s", demo.KnownCaller)
	}
	if maria.Name != "Maria Rossi" || d.Citizens[0].ID != maria.ID {
		t.Errorf("the known caller is %s, want Maria Rossi as the first citizen", maria.Name)
	}
	card := &sportello.CallerCard{Number: demo.KnownCaller, Citizen: maria}
	for _, c := range d.Cases {
		if c.CitizenID == maria.ID {
			card.Cases = append(card.Cases, c)
		}
	}
	open := len(card.OpenCases())
	if open == 0 || open == len(card.Cases) {
		t.Errorf("Maria Rossi has %d cases, %d open: want open and resolved ones", len(card.Cases), open)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func allIDs(d *demo.Data) []string {
	var ids []string
	for _, u := range d.Users {
		ids = append(ids, u.ID)
	}
	for _, k := range d.Desks {
		ids = append(ids, k.ID)
	}
	for _, o := range d.Offices {
		ids = append(ids, o.ID)
	}
	for _, e := range d.Directory {
		ids = append(ids, e.ID)
	}
	for _, c := range d.Citizens {
		ids = append(ids, c.ID)
	}
	for _, c := range d.Cases {
		ids = append(ids, c.ID)
		for _, e := range c.Events {
			ids = append(ids, e.ID)
		}
	}
	return ids
}
