// Package demo generates the fictional city that the embedded default and the tests run on.
//
// Everything is fictional: people, firms, streets and numbers of "Città di
// Esempio". Codici fiscali and partite IVA are well formed (their check
// characters verify) but are produced from invented people and firms. The
// same seed gives the same data; users, desks, offices, the directory and
// citizens depend on the seed alone, cases also on the reference time.
package demo

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/sportello/sportello"
)

// Password is the password of every demo user.
const Password = "demo"

// KnownCaller is the landline of Maria Rossi, the first citizen, who has an
// open and a resolved case: call from it to see a populated caller card.
const KnownCaller = "+390212345678"

// City is the name of the fictional city.
const City = "Città di Esempio"

// Directory groups: the City's offices, the zone councils and the companies
// of the City's group.
const (
	GroupCity      = "Comune"
	GroupMunicipio = "Municipi"
	GroupCompany   = "Società del gruppo"
)

// User is a demo user with the password to sign in with.
type User struct {
	sportello.User
	Password string `json:"password"`
}

// Data is the demo city: who signs in, where calls go and who calls.
type Data struct {
	Users     []User                     `json:"users"`
	Desks     []sportello.Desk           `json:"desks"`
	Offices   []sportello.Office         `json:"offices"`
	Directory []sportello.DirectoryEntry `json:"directory"`
	Citizens  []sportello.Citizen        `json:"citizens"` // Maria Rossi first
	Cases     []*sportello.Case          `json:"cases"`    // oldest first, each with its events
	KB        []sportello.KBEntry        `json:"kb"`       // services, offices, answers
	// Services are the offices' services given by appointment (appointments.go).
	Services []sportello.OfficeService `json:"services,omitempty"`
}

// persons is how many persons are generated besides Maria Rossi.
const persons = 227

// PCG streams: one for what depends on the seed alone, one for cases, so
// that the reference time never changes a citizen's id.
const (
	streamCity  = 0x5e1d_c17e
	streamCases = 0xca5e_5e1d
)

// Generate builds the demo city for seed, with case histories in the 180
// days before now. It is deterministic: the same seed and now give the same
// data, byte for byte.
func Generate(seed int64, now time.Time) *Data {
	now = now.UTC().Truncate(time.Second)
	city := &cityGen{
		r:      rand.New(rand.NewPCG(uint64(seed), streamCity)),
		phones: make(map[string]bool),
		taxIDs: make(map[string]bool),
		emails: make(map[string]bool),
	}
	d := &Data{}
	d.Users = city.users()
	d.Desks = city.desks()
	d.Directory = city.directory()
	d.Offices = city.offices()
	d.Services = OfficeServices(d.Offices)
	d.Citizens = city.citizens()
	d.Directory = append(d.Directory, city.moreDirectory(d.Desks)...)

	cases := &caseGen{
		r:     rand.New(rand.NewPCG(uint64(seed), streamCases)),
		now:   now,
		desks: make(map[string]string),
	}
	for _, u := range d.Users {
		switch u.Role {
		case sportello.RoleOperator:
			cases.operators = append(cases.operators, u.User)
		case sportello.RoleSpecialist:
			cases.specialist = u.User
		case sportello.RoleSupervisor:
			cases.supervisor = u.User
		}
	}
	for i, k := range deskKeys {
		cases.desks[k] = d.Desks[i].ID
	}
	d.Cases = cases.all(d.Citizens)
	d.KB = knowledgeBase(d, now)
	return d
}

// idEpoch stamps the ids of what exists before any case: users, desks,
// offices, directory entries and citizens.
var idEpoch = time.Date(2025, time.January, 7, 8, 0, 0, 0, time.UTC)

// uuid7 makes a UUIDv7-shaped id from t and r: deterministic, unlike the
// ids the desktop makes, but ordered by time in the same way.
func uuid7(t time.Time, r *rand.Rand) string {
	var b [16]byte
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	hi, lo := r.Uint64(), r.Uint64()
	for i := range 2 {
		b[6+i] = byte(hi >> (8 * i))
	}
	for i := range 8 {
		b[8+i] = byte(lo >> (8 * i))
	}
	b[6] = 0x70 | b[6]&0x0f
	b[8] = 0x80 | b[8]&0x3f
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// cityGen draws everything that depends on the seed alone.
type cityGen struct {
	r      *rand.Rand
	seq    int
	phones map[string]bool // numbers in use: directory, offices, citizens
	taxIDs map[string]bool
	emails map[string]bool
}

func (g *cityGen) id() string {
	g.seq++
	return uuid7(idEpoch.Add(time.Duration(g.seq)*time.Second), g.r)
}

func (g *cityGen) users() []User {
	people := []struct {
		username, name string
		role           sportello.Role
	}{
		{"operatore", "Giulia Bianchi", sportello.RoleOperator},
		{"operatore2", "Marco Ferri", sportello.RoleOperator},
		{"specialista", "Luca Esposito", sportello.RoleSpecialist},
		{"supervisore", "Francesca Romano", sportello.RoleSupervisor},
		{"admin", "Paolo Galli", sportello.RoleAdmin},
	}
	users := make([]User, len(people))
	for i, p := range people {
		users[i] = User{
			User:     sportello.User{ID: g.id(), Username: p.username, Name: p.name, Role: p.role},
			Password: Password,
		}
	}
	return users
}

// deskKeys orders the desks; deskNames names them.
var (
	deskKeys  = []string{deskAnagrafe, deskTributi, deskMulte, deskCommercio, deskSociali}
	deskNames = map[string]string{
		deskAnagrafe:  "Anagrafe",
		deskTributi:   "Tributi",
		deskMulte:     "Multe",
		deskCommercio: "Commercio",
		deskSociali:   "Servizi sociali",
	}
)

func (g *cityGen) desks() []sportello.Desk {
	desks := make([]sportello.Desk, len(deskKeys))
	for i, k := range deskKeys {
		desks[i] = sportello.Desk{ID: g.id(), Name: deskNames[k]}
	}
	return desks
}

// Numbers of the City and its group, shared by the directory and the offices.
const (
	numCentralino   = "+390288450000"
	numAnagrafe     = "+390288451000"
	numTributi      = "+390288452000"
	numSUAP         = "+390288453000"
	numPolizia      = "+390277270000"
	numVerbali      = "+390277271100"
	numSociali      = "+390288454000"
	numOggetti      = "+390288455000"
	numAnagrafeMun3 = "+390288463100"
)

func (g *cityGen) directory() []sportello.DirectoryEntry {
	entries := []struct{ name, number, group string }{
		{"Centralino del Comune", numCentralino, GroupCity},
		{"Polizia Locale - Centrale operativa", numPolizia, GroupCity},
		{"Anagrafe centrale - back office", numAnagrafe, GroupCity},
		{"Ufficio Tributi - back office", numTributi, GroupCity},
		{"SUAP - Sportello unico attività produttive", numSUAP, GroupCity},
		{"Municipio 1 - Centro storico", "+390288461000", GroupMunicipio},
		{"Municipio 3 - Città Studi", "+390288463000", GroupMunicipio},
		{"Municipio 5 - Porta Sud", "+390288465000", GroupMunicipio},
		{"Municipio 8 - Quartiere Fiera", "+390288468000", GroupMunicipio},
		{"Esempio Casa - agenzia per la casa", "+390273900000", GroupCompany},
		{"Esempio Ambiente - raccolta rifiuti", "+390289470000", GroupCompany},
		{"Esempio Trasporti - trasporto pubblico", "+390248600000", GroupCompany},
	}
	dir := make([]sportello.DirectoryEntry, len(entries))
	for i, e := range entries {
		g.phones[e.number] = true
		dir[i] = sportello.DirectoryEntry{ID: g.id(), Name: e.name, Number: e.number, Group: e.group}
		detail(&dir[i], directoryDetails[e.number])
	}
	return dir
}

func (g *cityGen) offices() []sportello.Office {
	list := []struct{ name, street, cap, hours, phone string }{
		{"Anagrafe centrale", "Via dei Mille 4", "20121", "lun-ven 8:30-15:30, solo su appuntamento", numAnagrafe},
		{"Anagrafe - sede del Municipio 3", "Via dei Cedri 21", "20133", "lun-ven 8:30-13:30; gio anche 14:30-16:30", numAnagrafeMun3},
		{"Stato civile", "Via dei Mille 4", "20121", "lun-ven 8:30-12:00", numAnagrafe},
		{"Ufficio Tributi", "Via del Lavoro 18", "20125", "lun-gio 8:30-12:30 e 14:00-16:00; ven 8:30-12:30", numTributi},
		{"Polizia Locale - Ufficio Verbali", "Piazza della Vittoria 2", "20122", "lun-ven 8:30-12:30; mar e gio anche 14:00-16:00", numVerbali},
		{"SUAP - Sportello unico attività produttive", "Corso della Repubblica 30", "20124", "lun, mer, ven 9:00-12:30, su appuntamento", numSUAP},
		{"Servizi sociali - Sportello cittadini", "Via San Carlo 7", "20123", "lun-ven 9:00-12:00; mer anche 14:00-16:30", numSociali},
		{"Ufficio oggetti smarriti", "Via della Stazione 1", "20124", "lun-ven 8:30-16:00", numOggetti},
		{"Ufficio Relazioni con il Pubblico", "Piazza del Comune 1", "20121", "lun-ven 8:30-16:30; sab 9:00-12:00", numCentralino},
	}
	offices := make([]sportello.Office, len(list))
	for i, o := range list {
		g.phones[o.phone] = true
		offices[i] = sportello.Office{
			ID: g.id(), Name: o.name, Address: o.street + ", " + o.cap + " " + City,
			Hours: o.hours, Phone: o.phone,
		}
	}
	return offices
}

// citizens makes Maria Rossi, then the persons, then the businesses.
func (g *cityGen) citizens() []sportello.Citizen {
	var out []sportello.Citizen

	maria := sportello.Citizen{
		ID: g.id(), Kind: sportello.CitizenPerson, Name: "Maria Rossi",
		TaxCode: codiceFiscale("Rossi", "Maria", time.Date(1968, time.March, 14, 0, 0, 0, 0, time.UTC), true, "F205"),
		Phones:  []string{KnownCaller, "+393471234567"},
		Email:   "maria.rossi@posta.example",
		Address: "Via dei Tigli 12, 20121 " + City,
	}
	g.taxIDs[maria.TaxCode] = true
	g.emails[maria.Email] = true
	for _, p := range maria.Phones {
		g.phones[p] = true
	}
	out = append(out, maria)

	for range persons {
		out = append(out, g.person())
	}
	for _, b := range businesses {
		out = append(out, g.business(b))
	}
	return out
}

func (g *cityGen) person() sportello.Citizen {
	female := g.r.IntN(2) == 0
	first := pick(g.r, maleNames)
	if female {
		first = pick(g.r, femaleNames)
	}
	last := pick(g.r, surnames)
	var cf string
	for cf == "" || g.taxIDs[cf] {
		birth := time.Date(1936+g.r.IntN(70), time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.r.IntN(365))
		cf = codiceFiscale(last, first, birth, female, pick(g.r, birthPlaces))
	}
	g.taxIDs[cf] = true

	c := sportello.Citizen{
		ID: g.id(), Kind: sportello.CitizenPerson, Name: first + " " + last, TaxCode: cf,
		Phones: g.phoneNumbers(0.65),
	}
	if g.r.IntN(100) < 55 {
		c.Email = g.email(strings.ToLower(ascii(first)+"."+ascii(last)), pick(g.r, mailDomains))
	}
	if g.r.IntN(100) < 85 {
		c.Address = g.address(pick(g.r, streets))
	}
	return c
}

func (g *cityGen) business(b business) sportello.Citizen {
	var piva string
	for piva == "" || g.taxIDs[piva] {
		office := "015" // Milano
		if g.r.IntN(4) == 0 {
			office = "108" // Monza e Brianza
		}
		piva = partitaIVA(1+g.r.IntN(9_999_999), office)
	}
	g.taxIDs[piva] = true
	return sportello.Citizen{
		ID: g.id(), Kind: sportello.CitizenBusiness, Name: b.name, TaxCode: piva,
		Phones:  g.phoneNumbers(0.25),
		Email:   g.email(b.mail, "pec.example"),
		Address: g.address(b.street),
	}
}

// phoneNumbers gives one to three numbers never used before, each a mobile
// with probability mobile and a landline of the City otherwise.
func (g *cityGen) phoneNumbers(mobile float64) []string {
	n := 1
	switch x := g.r.IntN(100); {
	case x >= 90:
		n = 3
	case x >= 60:
		n = 2
	}
	phones := make([]string, 0, n)
	for len(phones) < n {
		var p string
		if g.r.Float64() < mobile {
			p = fmt.Sprintf("+39%s%07d", pick(g.r, mobilePrefixes), g.r.IntN(10_000_000))
		} else {
			p = fmt.Sprintf("+3902%08d", 10_000_000+g.r.IntN(90_000_000))
		}
		if !g.phones[p] {
			g.phones[p] = true
			phones = append(phones, p)
		}
	}
	return phones
}

// email makes local@domain unique with a number after local when needed.
func (g *cityGen) email(local, domain string) string {
	addr := local + "@" + domain
	for i := 2; g.emails[addr]; i++ {
		addr = fmt.Sprintf("%s%d@%s", local, i, domain)
	}
	g.emails[addr] = true
	return addr
}

func (g *cityGen) address(street string) string {
	return fmt.Sprintf("%s %d, %d %s", street, 1+g.r.IntN(120), 20121+g.r.IntN(42), City)
}

// ascii keeps the letters and digits of s that make an email address.
func ascii(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return -1
	}, s)
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// sortCases orders cases oldest first, by id on a tie.
func sortCases(cases []*sportello.Case) {
	slices.SortFunc(cases, func(a, b *sportello.Case) int {
		return cmp.Or(a.OpenedAt.Compare(b.OpenedAt), strings.Compare(a.ID, b.ID))
	})
}
