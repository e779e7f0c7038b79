package main

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/password"
	"github.com/sportello/sportello/sync/postgres"
	"github.com/sportello/sportello/sync/sqlite"
)

// Password is the password of every user loadgen creates.
const Password = "loadgen-password"

// DeskCount is how many desks the load model's specialists work in.
const DeskCount = 25

// DataConfig is what "loadgen data" generates.
type DataConfig struct {
	// DB is an SQLite file or a postgres:// URL.
	DB string
	// Citizens and Events are the size of the city: each citizen has 1-3
	// phone numbers (CitizenNumber(i, 0) is always one of them), and
	// Events case events are spread over their cases.
	Citizens, Events int
	// Desktops is how many desktops' users to create (DESIGN.md's mix:
	// 85% operators, 12.5% specialists in 25 desks, 2.5% supervisors).
	Desktops int
	// Seed makes the data reproducible.
	Seed uint64
	// Progress is how often to print progress; 0 never.
	Progress time.Duration
}

// DefaultDataConfig is DESIGN.md's load model.
func DefaultDataConfig() DataConfig {
	return DataConfig{Citizens: 1_000_000, Events: 10_000_000, Desktops: 2000, Seed: 1, Progress: 10 * time.Second}
}

// DataResult is what a data run wrote and how long it took.
type DataResult struct {
	Citizens, Phones, Cases, Events, Users int
	Elapsed                                time.Duration
}

func (m *Main) parseData(args []string) error {
	fs := m.newFlagSet(CommandData)
	c := &m.Data
	fs.StringVar(&c.DB, "db", "", "SQLite database file (created if missing), or a postgres:// URL")
	fs.IntVar(&c.Citizens, "citizens", c.Citizens, "citizens to generate (needs a store with no citizens yet; 0 for users only)")
	fs.IntVar(&c.Events, "events", c.Events, "case events to spread over the citizens' cases")
	fs.IntVar(&c.Desktops, "desktops", c.Desktops, "desktops to create users for (skipped when they exist)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "random seed")
	fs.DurationVar(&c.Progress, "progress", c.Progress, "how often to print progress (0: never)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case c.DB == "":
		return errors.New("loadgen data needs --db PATH or --db postgres://URL")
	case c.Citizens < 0 || c.Events < 0 || c.Desktops < 0:
		return errors.New("--citizens, --events and --desktops must not be negative")
	case c.Citizens == 0 && c.Events > 0:
		return errors.New("--events needs citizens to belong to")
	}
	return nil
}

// loadStore is what loadgen needs of a store: sync/sqlite or sync/postgres.
type loadStore interface {
	IsEmpty(ctx context.Context) (bool, error)
	Seed(ctx context.Context, d *demo.Data) error
	Desks(ctx context.Context, userID string) ([]sportello.Desk, error)
	Close() error
	bulk(ctx context.Context) (bulkLoader, error)
}

// bulkLoader is sqlite.Bulk or postgres.Bulk.
type bulkLoader interface {
	HasUser(username string) (bool, error)
	User(u *sportello.User, passwordHash string, desks []string) error
	Desk(d sportello.Desk) error
	Citizen(c *sportello.Citizen) error
	Case(c *sportello.Case) error
	Flush() error
	Close() error
}

type sqliteStore struct{ *sqlite.DB }

func (s sqliteStore) bulk(ctx context.Context) (bulkLoader, error) { return s.DB.Bulk(ctx) }

type postgresStore struct{ *postgres.DB }

func (s postgresStore) bulk(ctx context.Context) (bulkLoader, error) { return s.DB.Bulk(ctx) }

// openStore opens an SQLite file or a postgres:// URL.
func openStore(dsn string) (loadStore, error) {
	if postgres.IsDSN(dsn) {
		db := postgres.New(dsn)
		if err := db.Open(); err != nil {
			return nil, err
		}
		return postgresStore{db}, nil
	}
	db := sqlite.New(dsn)
	if err := db.Open(); err != nil {
		return nil, err
	}
	return sqliteStore{db}, nil
}

// CitizenNumber is the i-th generated citizen's k-th phone number (k < 3),
// an Italian mobile number in E.164 form; every citizen has k = 0.
func CitizenNumber(i, k int) string {
	n := i*3 + k
	return fmt.Sprintf("+393%02d%07d", 99-n/10_000_000, n%10_000_000)
}

// plannedUser is a user loadgen creates for a desktop.
type plannedUser struct {
	sportello.User
	desk int // index of a specialist's desk
}

// plannedUsers are the users of n desktops in DESIGN.md's mix. Their
// usernames depend on n and the position alone, so that "desktops" signs
// in as the users "data" made.
func plannedUsers(n int) []plannedUser {
	if n == 0 {
		return nil
	}
	supervisors := max(1, n*25/1000)
	specialists := max(1, n*125/1000)
	operators := max(0, n-supervisors-specialists)
	users := make([]plannedUser, 0, n)
	for i := range operators {
		users = append(users, plannedUser{User: sportello.User{Username: fmt.Sprintf("lg-op%04d", i+1), Name: fmt.Sprintf("Operatore %d", i+1), Role: sportello.RoleOperator}})
	}
	for i := range specialists {
		users = append(users, plannedUser{User: sportello.User{Username: fmt.Sprintf("lg-sp%04d", i+1), Name: fmt.Sprintf("Specialista %d", i+1), Role: sportello.RoleSpecialist}, desk: i % DeskCount})
	}
	for i := range supervisors {
		users = append(users, plannedUser{User: sportello.User{Username: fmt.Sprintf("lg-sv%04d", i+1), Name: fmt.Sprintf("Supervisore %d", i+1), Role: sportello.RoleSupervisor}})
	}
	return users[:min(n, len(users))]
}

func (m *Main) runData(ctx context.Context) (*DataResult, error) {
	c := m.Data
	start := time.Now()
	store, err := openStore(c.DB)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	empty, err := store.IsEmpty(ctx)
	if err != nil {
		return nil, err
	}
	if !empty && c.Citizens > 0 {
		return nil, fmt.Errorf("%s holds citizens already: generate into a new database (or use --citizens 0 for users only)", redact(c.DB))
	}
	if empty {
		// The demo city gives the knowledge base, offices, directory and
		// the demo users; the big city goes beside it.
		if err := store.Seed(ctx, demo.Generate(1, m.Now())); err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
	}
	fmt.Fprintf(m.Stdout, "data: scale %d citizens, %d events, users of %d desktops into %s\n", c.Citizens, c.Events, c.Desktops, redact(c.DB))
	res := &DataResult{}
	desks, authors, err := m.ensureUsers(ctx, store, c.Desktops, res)
	if err != nil {
		return nil, err
	}
	if c.Citizens > 0 {
		if err := m.generateCity(ctx, store, desks, authors, res); err != nil {
			return nil, err
		}
	}
	res.Elapsed = time.Since(start)
	fmt.Fprintf(m.Stdout, "data: wrote %d citizens, %d phones, %d cases, %d events, %d users in %s (%.0f events/s)\n",
		res.Citizens, res.Phones, res.Cases, res.Events, res.Users, res.Elapsed.Round(time.Second), float64(res.Events)/res.Elapsed.Seconds())
	return res, nil
}

// authors are who write the generated cases.
type authors struct {
	operators   []sportello.User
	specialists map[string][]sportello.User // by desk id
	supervisor  sportello.User
}

// ensureUsers makes DeskCount desks and the users of n desktops, those
// missing only, and returns the desk ids and who writes the cases.
func (m *Main) ensureUsers(ctx context.Context, store loadStore, n int, res *DataResult) ([]string, *authors, error) {
	existing, err := store.Desks(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	b, err := store.bulk(ctx)
	if err != nil {
		return nil, nil, err
	}
	var desks []string
	for _, d := range existing {
		desks = append(desks, d.ID)
	}
	for i := len(desks); i < DeskCount; i++ {
		d := sportello.Desk{ID: uuid.Must(uuid.NewV7()).String(), Name: fmt.Sprintf("Sportello %02d", i+1)}
		if err := b.Desk(d); err != nil {
			b.Close()
			return nil, nil, err
		}
		desks = append(desks, d.ID)
	}
	desks = desks[:DeskCount]
	a := &authors{specialists: make(map[string][]sportello.User)}
	planned := plannedUsers(n)
	var hash string
	if len(planned) > 0 {
		if hash, err = password.Hash(Password); err != nil {
			b.Close()
			return nil, nil, err
		}
		if err := b.Flush(); err != nil { // the desks, before users join them
			b.Close()
			return nil, nil, err
		}
	}
	taken := false
	if len(planned) > 0 {
		if taken, err = b.HasUser(planned[0].Username); err != nil {
			b.Close()
			return nil, nil, err
		}
	}
	for _, p := range planned {
		u := p.User
		u.ID = uuid.Must(uuid.NewV7()).String()
		var member []string
		if u.Role == sportello.RoleSpecialist {
			member = []string{desks[p.desk]}
			a.specialists[desks[p.desk]] = append(a.specialists[desks[p.desk]], u)
		}
		switch u.Role {
		case sportello.RoleOperator:
			a.operators = append(a.operators, u)
		case sportello.RoleSupervisor:
			a.supervisor = u
		}
		if taken {
			continue // made by an earlier run: ids differ, but authors need only be users' names here
		}
		if err := b.User(&u, hash, member); err != nil {
			b.Close()
			return nil, nil, err
		}
		res.Users++
	}
	if err := b.Close(); err != nil {
		return nil, nil, err
	}
	if len(a.operators) == 0 {
		a.operators = []sportello.User{{ID: "lg-operator", Name: "Operatore", Role: sportello.RoleOperator}}
	}
	if a.supervisor.Name == "" {
		a.supervisor = sportello.User{ID: "lg-supervisor", Name: "Supervisore", Role: sportello.RoleSupervisor}
	}
	for _, d := range desks {
		if len(a.specialists[d]) == 0 {
			a.specialists[d] = []sportello.User{{ID: "lg-specialist", Name: "Specialista", Role: sportello.RoleSpecialist}}
		}
	}
	return desks, a, nil
}

// generateCity streams the citizens and their cases into the store: one
// goroutine generates, the caller's writes them.
func (m *Main) generateCity(ctx context.Context, store loadStore, desks []string, a *authors, res *DataResult) error {
	c := m.Data
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []household, 8)
	gen := newCityGen(c, desks, a, m.Now())
	go func() {
		defer close(batches)
		batch := make([]household, 0, 512)
		for i := range c.Citizens {
			batch = append(batch, gen.household(i))
			if len(batch) == cap(batch) || i == c.Citizens-1 {
				select {
				case batches <- batch:
				case <-ctx.Done():
					return
				}
				batch = make([]household, 0, 512)
			}
		}
	}()
	b, err := store.bulk(ctx)
	if err != nil {
		return err
	}
	start, last := time.Now(), time.Now()
	for batch := range batches {
		for _, h := range batch {
			if err := b.Citizen(h.citizen); err != nil {
				b.Close()
				return err
			}
			res.Citizens++
			res.Phones += len(h.citizen.Phones)
			for _, k := range h.cases {
				if err := b.Case(k); err != nil {
					b.Close()
					return err
				}
				res.Cases++
				res.Events += len(k.Events)
			}
		}
		if c.Progress > 0 && time.Since(last) >= c.Progress {
			last = time.Now()
			el := time.Since(start)
			fmt.Fprintf(m.Stdout, "data: %d/%d citizens, %d events, %s, %.0f events/s\n",
				res.Citizens, c.Citizens, res.Events, el.Round(time.Second), float64(res.Events)/el.Seconds())
		}
		if err := ctx.Err(); err != nil {
			b.Close()
			return err
		}
	}
	fmt.Fprintf(m.Stdout, "data: rows written in %s; committing and refreshing statistics\n", time.Since(start).Round(time.Second))
	return b.Close()
}

// household is a citizen with its cases.
type household struct {
	citizen *sportello.Citizen
	cases   []*sportello.Case
}

// cityGen makes the big city. Ids are UUIDv7-shaped and increase in the
// order rows are written, so every primary key index is appended to.
type cityGen struct {
	cfg     DataConfig
	desks   []string
	authors *authors
	now     time.Time
	r       *rand.Rand
	emitted int // events so far

	idMS   uint64 // first id's time, in ms
	idN    uint64 // ids made
	idTail [8]byte
}

func newCityGen(cfg DataConfig, desks []string, a *authors, now time.Time) *cityGen {
	g := &cityGen{cfg: cfg, desks: desks, authors: a, now: now, r: rand.New(rand.NewPCG(cfg.Seed, 0x5e1d))}
	total := uint64(cfg.Citizens) + uint64(cfg.Events) + uint64(cfg.Events)/3
	g.idMS = uint64(now.UnixMilli()) - total/4096 - 1000
	crand.Read(g.idTail[:]) // per run, so that two runs never share an id
	return g
}

func (g *cityGen) id() string {
	n := g.idN
	g.idN++
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:8], (g.idMS+n>>12)<<16)
	b[6] = 0x70 | byte(n>>8&0x0f)
	b[7] = byte(n)
	copy(b[8:], g.idTail[:])
	b[8] = 0x80 | b[8]&0x3f
	return uuid.UUID(b).String()
}

var (
	firstNames = []string{"Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo", "Elena", "Davide", "Anna", "Giorgio", "Laura", "Paolo", "Martina", "Stefano", "Valentina", "Andrea", "Federica", "Simone"}
	lastNames  = []string{"Rossi", "Bianchi", "Ferrari", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri"}
	streets    = []string{"Via Roma", "Corso Garibaldi", "Via Dante", "Viale Monza", "Via Torino", "Piazza Duomo", "Via Padova", "Corso Buenos Aires", "Via Solari", "Viale Certosa"}
	categories = []string{"Anagrafe", "Tributi", "Multe", "Commercio", "Servizi sociali", "Scuola", "Mobilità", "Rifiuti"}
	subjects   = []string{"Rinnovo carta d'identità", "Pagamento TARI", "Ricorso verbale", "Cambio di residenza", "Iscrizione asilo nido", "Permesso ZTL", "Ritiro ingombranti", "Certificato di nascita"}
	notes      = []string{"Il cittadino chiede i tempi della pratica.", "Inviati i documenti richiesti.", "Richiamato: nessuna risposta.", "Fissato appuntamento allo sportello.", "Serve la ricevuta di pagamento.", ""}
)

// household returns the i-th citizen with cases whose events bring the
// total to about Events*(i+1)/Citizens; one citizen in 500 is a frequent
// caller with far more cases than a card shows.
func (g *cityGen) household(i int) household {
	r := g.r
	first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
	c := &sportello.Citizen{
		ID:      g.id(),
		Kind:    sportello.CitizenPerson,
		Name:    first + " " + last,
		TaxCode: fmt.Sprintf("LG%014d", i), // shaped like a codice fiscale, not a valid one
		Email:   fmt.Sprintf("cittadino%d@example.it", i),
		Address: fmt.Sprintf("%s %d, Città di Esempio", streets[r.IntN(len(streets))], 1+r.IntN(200)),
	}
	if i%20 == 19 {
		c.Kind, c.Name = sportello.CitizenBusiness, fmt.Sprintf("%s %s S.r.l.", last, first)
	}
	phones := 1 + i%3
	for k := range phones {
		c.Phones = append(c.Phones, CitizenNumber(i, k))
	}
	h := household{citizen: c}
	target := int(int64(g.cfg.Events) * int64(i+1) / int64(g.cfg.Citizens))
	if i%500 == 7 {
		target += 60
	}
	if i == g.cfg.Citizens-1 {
		target = g.cfg.Events
	}
	for g.emitted < target {
		k := g.newCase(c, target-g.emitted)
		h.cases = append(h.cases, k)
		g.emitted += len(k.Events)
	}
	return h
}

// newCase writes one case through Case.Apply, along a path of the
// contact-center day, with at most room events.
func (g *cityGen) newCase(citizen *sportello.Citizen, room int) *sportello.Case {
	r := g.r
	k := &sportello.Case{ID: g.id(), CitizenID: citizen.ID}
	at := g.now.Add(-time.Duration(r.Int64N(int64(730 * 24 * time.Hour))))
	op := g.authors.operators[r.IntN(len(g.authors.operators))]
	number := citizen.Phones[r.IntN(len(citizen.Phones))]
	category := categories[r.IntN(len(categories))]
	callID := ""
	add := func(e *sportello.CaseEvent, author sportello.User) {
		at = at.Add(time.Duration(1+r.IntN(240)) * time.Minute)
		e.ID, e.CaseID, e.At = g.id(), k.ID, at
		e.AuthorID, e.Author, e.AuthorRole = author.ID, author.Name, author.Role
		if e.Kind == sportello.EventCall {
			callID = fmt.Sprintf("lg-%x", g.idN)
			e.CallID, e.Number = callID, number
		}
		if e.Kind == sportello.EventWrapUp {
			e.CallID, e.Number, e.Category = callID, number, category
		}
		if err := k.Apply(e); err != nil {
			panic(fmt.Sprintf("loadgen: generated case %s: %v", k.ID, err)) // a bug in the paths below
		}
	}
	note := func() string { return notes[r.IntN(len(notes))] }
	wrapUp := func(o sportello.Outcome, desk string) {
		e := &sportello.CaseEvent{Kind: sportello.EventWrapUp, Outcome: o, DeskID: desk, Note: note()}
		if o == sportello.OutcomeEscalated {
			e.Channel = demo.PreferredChannel(k.ID) // the citizen's preferred reply channel
		}
		add(e, op)
	}
	add(&sportello.CaseEvent{Kind: sportello.EventOpened, Category: category, Note: subjects[r.IntN(len(subjects))]}, op)
	add(&sportello.CaseEvent{Kind: sportello.EventCall}, op)
	desk := g.desks[r.IntN(len(g.desks))]
	specialist := g.authors.specialists[desk][r.IntN(len(g.authors.specialists[desk]))]
	// Only cases of the last days may still wait for someone: a city's
	// backlog is days of work, not years (the supervisor's board reads it).
	recent := g.now.Sub(at) < 3*24*time.Hour
	stall := recent && r.IntN(2) == 0
	p := r.IntN(100)
	switch {
	case room < 4 || p < 45: // resolved at first contact: 3 events
		wrapUp(sportello.OutcomeResolvedFirstContact, "")
	case room == 4: // transferred: exactly the room left
		wrapUp(sportello.OutcomeTransferred, "")
		add(&sportello.CaseEvent{Kind: sportello.EventResolved, Note: "Chiusa dopo il trasferimento."}, op)
	case p < 58 || room < 7: // callback: 5, or 3 while it waits
		wrapUp(sportello.OutcomeCallbackScheduled, "")
		if !stall && room >= 5 {
			add(&sportello.CaseEvent{Kind: sportello.EventCall, Note: "Richiamata in uscita."}, op)
			add(&sportello.CaseEvent{Kind: sportello.EventResolved, Note: note()}, op)
		}
	case p < 68: // transferred: 4
		wrapUp(sportello.OutcomeTransferred, "")
		add(&sportello.CaseEvent{Kind: sportello.EventResolved, Note: "Chiusa dopo il trasferimento."}, op)
	case p < 75: // appointment: 4
		wrapUp(sportello.OutcomeAppointmentBooked, "")
		add(&sportello.CaseEvent{Kind: sportello.EventResolved, Note: "Appuntamento svolto."}, specialist)
	case p < 93 || room < 10: // escalated to a desk, claimed and answered: 7, fewer while it waits
		wrapUp(sportello.OutcomeEscalated, desk)
		if stall && p%2 == 0 {
			break // in the desk's queue
		}
		add(&sportello.CaseEvent{Kind: sportello.EventClaimed}, specialist)
		if stall {
			break // with the specialist
		}
		add(&sportello.CaseEvent{Kind: sportello.EventNote, Note: note()}, specialist)
		add(&sportello.CaseEvent{Kind: sportello.EventAnswerReady, Note: "Risposta pronta."}, specialist)
		add(&sportello.CaseEvent{Kind: sportello.EventResolved, Note: "Risposta data al cittadino."}, specialist)
	default: // resolved, reopened, escalated and answered: 10
		wrapUp(sportello.OutcomeResolvedFirstContact, "")
		add(&sportello.CaseEvent{Kind: sportello.EventReopened, Note: "Il cittadino richiama."}, op)
		add(&sportello.CaseEvent{Kind: sportello.EventCall}, op)
		wrapUp(sportello.OutcomeEscalated, desk)
		add(&sportello.CaseEvent{Kind: sportello.EventClaimed}, specialist)
		add(&sportello.CaseEvent{Kind: sportello.EventNote, Note: note()}, specialist)
		add(&sportello.CaseEvent{Kind: sportello.EventAnswerReady, Note: "Risposta pronta."}, specialist)
		add(&sportello.CaseEvent{Kind: sportello.EventResolved, Note: "Risposta data al cittadino."}, specialist)
	}
	return k
}

// redact hides a postgres URL's password in what loadgen prints.
func redact(dsn string) string {
	if !postgres.IsDSN(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unreadable URL)"
	}
	return u.Redacted()
}
