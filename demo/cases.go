package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sportello/sportello"
)

// caseGen draws case histories. Every event goes through
// sportello.Case.Apply, so the histories are ones syncd would accept.
type caseGen struct {
	r          *rand.Rand
	now        time.Time
	operators  []sportello.User
	specialist sportello.User
	supervisor sportello.User
	desks      map[string]string // desk key -> id
}

// maxDaysAgo bounds the day a case opens on; stepping back over a weekend
// or a holiday keeps it inside the 180 days before now.
const maxDaysAgo = 174

// path is how a case goes after the first call.
type path int

const (
	pathFirstContact path = iota
	pathEscalated
	pathCallback
	pathAppointment
	pathTransferred
	pathReopened
)

// pathWeights aim at the 80% first-contact target with a realistic miss.
var pathWeights = []struct {
	p      path
	weight int
}{
	{pathFirstContact, 58}, {pathEscalated, 20}, {pathCallback, 7},
	{pathAppointment, 7}, {pathTransferred, 4}, {pathReopened, 4},
}

func (g *caseGen) all(citizens []sportello.Citizen) []*sportello.Case {
	var cases []*sportello.Case
	cases = append(cases, g.known(citizens[0])...)
	for _, c := range citizens[1:] {
		n := 0
		switch x := g.r.IntN(100); {
		case x < 8:
		case x < 45:
			n = 1
		case x < 75:
			n = 2
		case x < 91:
			n = 3
		default:
			n = 4
		}
		for range n {
			svc := g.service(c.Kind)
			tp := pick(g.r, svc.topics)
			f := g.open(c, pick(g.r, c.Phones), svc, tp, g.start(1+g.r.IntN(maxDaysAgo)), pick(g.r, g.operators))
			f.follow(g.path(svc, tp))
			cases = append(cases, f.c)
		}
	}
	sortCases(cases)
	return cases
}

// known gives Maria Rossi a case resolved at first contact, one resolved by
// the Tributi desk and one waiting in the Multe desk's queue.
func (g *caseGen) known(maria sportello.Citizen) []*sportello.Case {
	byCategory := func(cat string) *service {
		for i := range catalogue {
			if catalogue[i].category == cat {
				return &catalogue[i]
			}
		}
		panic("demo: no service " + cat)
	}
	cert, tari, multe := byCategory("Certificati anagrafici"), byCategory("TARI"), byCategory("Multe e sanzioni")
	op, op2 := g.operators[0], g.operators[len(g.operators)-1]

	resolved := g.open(maria, KnownCaller, cert, cert.topics[0], g.start(62), op)
	resolved.wrapUp(sportello.OutcomeResolvedFirstContact, cert.topics[0].firstCall, "")

	escalated := g.open(maria, KnownCaller, tari, tari.topics[0], g.start(41), op2)
	escalated.wrapUp(sportello.OutcomeEscalated, tari.topics[0].escalation, g.desks[tari.desk])
	escalated.specialistWork(false)

	open := g.open(maria, KnownCaller, multe, multe.topics[0], g.start(3), op)
	open.wrapUp(sportello.OutcomeEscalated, multe.topics[0].escalation, g.desks[multe.desk])

	return []*sportello.Case{resolved.c, escalated.c, open.c}
}

// service picks a service that kind of citizen calls about.
func (g *caseGen) service(kind sportello.CitizenKind) *service {
	for {
		s := &catalogue[g.r.IntN(len(catalogue))]
		if kind == sportello.CitizenBusiness && s.business || kind == sportello.CitizenPerson && s.person {
			return s
		}
	}
}

// path picks a path the service and topic allow.
func (g *caseGen) path(svc *service, tp topic) path {
	total := 0
	for _, w := range pathWeights {
		total += w.weight
	}
	x := g.r.IntN(total)
	p := pathFirstContact
	for _, w := range pathWeights {
		if x < w.weight {
			p = w.p
			break
		}
		x -= w.weight
	}
	escalates := svc.desk != "" && tp.escalation != ""
	switch {
	case p == pathEscalated && !escalates,
		p == pathReopened && !escalates,
		p == pathAppointment && svc.appointment == "",
		p == pathTransferred && svc.transfer == "":
		return pathFirstContact
	}
	return p
}

// start is a moment during the service's opening hours on the working day
// daysAgo days before now, or the closest working day before it.
func (g *caseGen) start(daysAgo int) time.Time {
	day := g.now.Truncate(24*time.Hour).AddDate(0, 0, -daysAgo)
	for !workingDay(day) {
		day = day.AddDate(0, 0, -1)
	}
	minutes := 11*60 - 15 // 8:00-18:45
	if day.Weekday() == time.Saturday {
		minutes = 6*60 - 15 // 8:00-13:45
	}
	m := g.r.IntN(minutes)
	return romeTime(day, 8+m/60, m%60, g.r.IntN(60))
}

// between is a random duration in [lo, hi), to the second.
func (g *caseGen) between(lo, hi time.Duration) time.Duration {
	return (lo + time.Duration(g.r.Int64N(int64(hi-lo)))).Truncate(time.Second)
}

func (g *caseGen) callID() string {
	return fmt.Sprintf("%016x@pbx.esempio.example", g.r.Uint64())
}

// flow is a case being written event by event.
type flow struct {
	g        *caseGen
	c        *sportello.Case
	at       time.Time
	number   string
	operator sportello.User
	svc      *service
	tp       topic
	done     bool // the next step would be after now: the case stays as it is
}

// open starts a case the way the desktop does on a call: opened, then the
// call itself.
func (g *caseGen) open(c sportello.Citizen, number string, svc *service, tp topic, at time.Time, op sportello.User) *flow {
	f := &flow{
		g: g, at: at, number: number, operator: op, svc: svc, tp: tp,
		c: &sportello.Case{ID: uuid7(at, g.r), CitizenID: c.ID},
	}
	f.apply(&sportello.CaseEvent{Kind: sportello.EventOpened, Category: svc.category, Note: tp.subject}, op)
	f.call("")
	return f
}

// apply stamps e with an id, the case, the author and the flow's time and
// applies it; demo histories are fixed, so an illegal one is a bug here.
func (f *flow) apply(e *sportello.CaseEvent, author sportello.User) {
	e.ID = uuid7(f.at, f.g.r)
	e.CaseID = f.c.ID
	e.At = f.at
	e.AuthorID, e.Author = author.ID, author.Name
	if err := f.c.Apply(e); err != nil {
		panic(fmt.Sprintf("demo: case %s: %v", f.c.ID, err))
	}
}

// call records a call with the citizen, taken or made by the flow's operator.
func (f *flow) call(note string) {
	f.apply(&sportello.CaseEvent{Kind: sportello.EventCall, CallID: f.g.callID(), Number: f.number, Note: note}, f.operator)
}

// wrapUp ends the last call a few minutes later with an outcome.
func (f *flow) wrapUp(o sportello.Outcome, note, deskID string) {
	f.at = f.at.Add(f.g.between(90*time.Second, 9*time.Minute))
	var callID string
	for _, e := range f.c.Events {
		if e.Kind == sportello.EventCall {
			callID = e.CallID
		}
	}
	e := &sportello.CaseEvent{
		Kind: sportello.EventWrapUp, CallID: callID, Number: f.number, Outcome: o,
		DeskID: deskID, Category: f.svc.category, Note: note,
	}
	if o == sportello.OutcomeEscalated {
		e.Channel = PreferredChannel(f.c.ID) // channel.go
	}
	f.apply(e, f.operator)
}

// later moves the flow to a working moment lo to hi after its time, or
// marks it done when that moment has not come yet.
func (f *flow) later(lo, hi time.Duration) bool {
	if f.done {
		return false
	}
	t := f.g.intoHours(f.at.Add(f.g.between(lo, hi)))
	if !t.Before(f.g.now) {
		f.done = true
		return false
	}
	f.at = t
	return true
}

// follow writes the rest of the case along path p.
func (f *flow) follow(p path) {
	g, tp, svc := f.g, f.tp, f.svc
	switch p {
	case pathFirstContact:
		f.wrapUp(sportello.OutcomeResolvedFirstContact, tp.firstCall, "")
	case pathEscalated:
		f.wrapUp(sportello.OutcomeEscalated, tp.escalation, g.desks[svc.desk])
		f.specialistWork(true)
	case pathCallback:
		f.wrapUp(sportello.OutcomeCallbackScheduled,
			"Risposta non disponibile durante la chiamata: il cittadino sarà richiamato entro due giorni lavorativi.", "")
		if f.later(2*time.Hour, 40*time.Hour) {
			f.call("Richiamata in uscita.")
			f.at = f.at.Add(g.between(2*time.Minute, 6*time.Minute))
			f.apply(&sportello.CaseEvent{Kind: sportello.EventResolved, Note: "Richiamato il cittadino: " + tp.firstCall}, f.operator)
		}
	case pathAppointment:
		f.wrapUp(sportello.OutcomeAppointmentBooked, svc.appointment, "")
		if f.later(48*time.Hour, 12*24*time.Hour) {
			f.apply(&sportello.CaseEvent{Kind: sportello.EventResolved,
				Note: "Appuntamento svolto: la richiesta è stata evasa allo sportello."}, g.specialist)
		}
	case pathTransferred:
		f.wrapUp(sportello.OutcomeTransferred, svc.transfer, "")
		f.at = f.at.Add(g.between(30*time.Second, 3*time.Minute))
		f.apply(&sportello.CaseEvent{Kind: sportello.EventResolved,
			Note: "Chiusa dopo il trasferimento: la richiesta è in carico all'ente competente."}, f.operator)
	case pathReopened:
		f.wrapUp(sportello.OutcomeResolvedFirstContact, tp.firstCall, "")
		if !f.later(24*time.Hour, 20*24*time.Hour) {
			return
		}
		f.operator = pick(g.r, g.operators)
		f.apply(&sportello.CaseEvent{Kind: sportello.EventReopened,
			Note: "Il cittadino richiama: la risposta data non ha risolto il problema."}, f.operator)
		f.call("")
		f.wrapUp(sportello.OutcomeEscalated, tp.escalation, g.desks[svc.desk])
		f.specialistWork(true)
	}
}

// specialistWork is the desk's side of an escalated case: claimed, worked
// and answered, as far as now allows. With mayStall some cases wait in the
// queue or with the specialist, as the supervisor's board should show.
func (f *flow) specialistWork(mayStall bool) {
	g := f.g
	if mayStall && g.r.IntN(100) < 10 {
		return
	}
	waited := f.at
	if !f.later(20*time.Minute, 50*time.Hour) {
		return
	}
	if remind := g.intoHours(waited.Add(24 * time.Hour)); remind.Before(f.at) && g.r.IntN(2) == 0 {
		claimAt := f.at
		f.at = remind
		f.apply(&sportello.CaseEvent{Kind: sportello.EventNote,
			Note: "Sollecito allo sportello: la pratica è in coda da oltre un giorno."}, g.supervisor)
		f.at = claimAt
	}
	f.apply(&sportello.CaseEvent{Kind: sportello.EventClaimed}, g.specialist)
	if mayStall && g.r.IntN(100) < 8 {
		return
	}
	if g.r.IntN(100) < 60 && f.later(30*time.Minute, 30*time.Hour) {
		f.apply(&sportello.CaseEvent{Kind: sportello.EventNote, Note: f.tp.progress}, g.specialist)
	}
	if f.later(time.Hour, 4*24*time.Hour) {
		f.apply(&sportello.CaseEvent{Kind: sportello.EventResolved, Note: f.tp.resolution}, g.specialist)
	}
}
