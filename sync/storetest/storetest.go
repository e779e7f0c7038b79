// Package storetest is the conformance suite of syncd's stores: every
// store (sync/sqlite, sync/postgres) runs Run from its own tests and must
// behave the same, seen only through its methods.
package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/server"
)

// Store is what the suite needs of a store: what syncd's server uses, and
// the ways to seed and inspect it that syncd's commands use.
type Store interface {
	server.Store
	// Seed loads data when the store holds no citizens yet.
	Seed(ctx context.Context, d *demo.Data) error
	// RecordWrapUp is RecordWrapUpOnce without the replay flag.
	RecordWrapUp(ctx context.Context, actor *sportello.User, w sportello.WrapUp) (*sportello.Case, error)
	// Case returns a case with its events, or ENOTFOUND.
	Case(ctx context.Context, id string) (*sportello.Case, error)
	// CreateUser stores a user with a password of at least 8 characters.
	CreateUser(ctx context.Context, u *sportello.User, password string) error
	// AddDeskMember makes a user a member of a desk named by id or name.
	AddDeskMember(ctx context.Context, userID, desk string) error
	// PutKB stores knowledge-base entries, replacing those with the same id.
	PutKB(ctx context.Context, entries []sportello.KBEntry) error
	// PutDirectory stores transfer-directory entries, replacing those
	// with the same id.
	PutDirectory(ctx context.Context, entries []sportello.DirectoryEntry) error
}

// Open returns a new, empty, migrated store whose clock is now; the suite
// seeds it. The store must be closed when t ends.
type Open func(t *testing.T, now func() time.Time) Store

// T0 is the suite's time: every store opens with its clock there.
var T0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// Users of the fixture.
var (
	Operator   = sportello.User{ID: "u-operatore", Username: "operatore", Name: "Giulia Bianchi", Role: sportello.RoleOperator}
	Operator2  = sportello.User{ID: "u-operatore2", Username: "operatore2", Name: "Marco Ferri", Role: sportello.RoleOperator}
	Specialist = sportello.User{ID: "u-specialista", Username: "specialista", Name: "Paola Galli", Role: sportello.RoleSpecialist}
	Supervisor = sportello.User{ID: "u-supervisore", Username: "supervisore", Name: "Franco Russo", Role: sportello.RoleSupervisor}
)

// Password is the fixture users' password.
const Password = "demo"

// EscalatedCase is a seeded case of Maria Rossi at the Tributi desk.
const EscalatedCase = "01950000-0000-7000-8000-000000000001"

// Fixture is a small city: two operators, a specialist of every desk, a
// supervisor, two citizens, one seeded case escalated to a desk and three
// knowledge-base entries.
func Fixture() *demo.Data {
	at := T0.Add(-48 * time.Hour)
	return &demo.Data{
		Users: []demo.User{
			{User: Operator, Password: Password},
			{User: Operator2, Password: Password},
			{User: Specialist, Password: Password},
			{User: Supervisor, Password: Password},
		},
		Desks: []sportello.Desk{{ID: "desk-anagrafe", Name: "Anagrafe"}, {ID: "desk-tributi", Name: "Tributi"}},
		Citizens: []sportello.Citizen{
			{ID: "c-rossi", Kind: sportello.CitizenPerson, Name: "Maria Rossi", TaxCode: "RSSMRA80A41F205X", Phones: []string{"+390212345678", "+393331234567"}, Email: "maria.rossi@example.org"},
			{ID: "c-panificio", Kind: sportello.CitizenBusiness, Name: "Panificio Colombo", TaxCode: "01234567890", Phones: []string{"+390287654321"}},
		},
		Cases: []*sportello.Case{{ID: EscalatedCase, CitizenID: "c-rossi", Events: []*sportello.CaseEvent{
			{ID: "01950000-0000-7000-8000-0000000000e1", CaseID: EscalatedCase, Kind: sportello.EventOpened, At: at, AuthorID: Operator2.ID, Author: Operator2.Name, Category: "Tributi", Note: "Rimborso TARI"},
			{ID: "01950000-0000-7000-8000-0000000000e2", CaseID: EscalatedCase, Kind: sportello.EventEscalated, At: at.Add(time.Minute), AuthorID: Operator2.ID, Author: Operator2.Name, DeskID: "desk-tributi"},
		}}},
		KB: []sportello.KBEntry{
			{ID: "kb-cie", Kind: sportello.EntryService, Title: "Carta d'identità elettronica", Summary: "Si prenota online.", Documents: []string{"foto", "vecchio documento"}, UpdatedAt: at},
			{ID: "kb-orari", Kind: sportello.EntryOffice, Title: "Anagrafe centrale", Summary: "Via Larga 12", UpdatedAt: at},
			{ID: "kb-tari", Kind: sportello.EntryAnswer, Title: "Scadenze TARI", Summary: "16 aprile e 16 ottobre.", UpdatedAt: at},
		},
	}
}

// Clock is the suite's settable clock, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// env is one test's store and clock.
type env struct {
	Store
	clock *Clock
	ctx   context.Context
}

// Run runs the conformance suite on stores made by open.
func Run(t *testing.T, open Open) {
	newEnv := func(t *testing.T) *env {
		t.Helper()
		clk := &Clock{now: T0}
		s := open(t, clk.Now)
		ctx := t.Context()
		if err := s.Seed(ctx, Fixture()); err != nil {
			t.Fatalf("seed: %v", err)
		}
		return &env{Store: s, clock: clk, ctx: ctx}
	}
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, e *env)
	}{
		{"Seed", testSeed},
		{"Authenticate", testAuthenticate},
		{"CreateUser", testCreateUser},
		{"Session", testSession},
		{"LookupCaller", testLookupCaller},
		{"RecordWrapUp", testRecordWrapUp},
		{"RecordWrapUpRefused", testRecordWrapUpRefused},
		{"RecordWrapUpText", testRecordWrapUpText},
		{"RecordWrapUpOnce", testRecordWrapUpOnce},
		{"ConcurrentDuplicates", testConcurrentDuplicates},
		{"RecordWrapUps", testRecordWrapUps}, // batch.go
		{"ChangesGapFree", testChangesGapFree},
		{"ChangesNeverSkip", testChangesNeverSkip},
		{"FeedScope", testFeedScope},
		{"AccessLog", testAccessLog},
		{"KBPage", testKBPage},
		{"DirectoryPage", testDirectoryPage},
		{"KBEdit", testKBEdit},               // kbedit.go
		{"ImportSweep", testImportSweep},     // kbimport.go
		{"EntryRefs", testEntryRefs},         // kbimport.go
		{"DirectoryEdit", testDirectoryEdit}, // kbedit.go
		{"DeskQueue", testDeskQueue},
		{"BoardReads", testBoardReads},
		{"BoardAct", testBoardAct},             // boardact.go
		{"Presence", testPresence},             // presence.go
		{"ReassignChange", testReassignChange}, // presence.go
		{"Callbacks", testCallbacks},
		{"PoolOverdue", testPoolOverdue},                 // sla.go
		{"PoolOverdueLimit", testPoolOverdueLimit},       // sla.go
		{"BacklogCategory", testBacklogCategory},         // sla.go
		{"CallbackRetry", testCallbackRetry},             // sla.go
		{"CallbackAttemptOpID", testCallbackAttemptOpID}, // callbackdue.go
		{"CitizenLanguage", testCitizenLanguage},         // callbackdue.go
		{"Appointments", testAppointments},
		{"AppointmentRace", testAppointmentRace},
		{"Replies", testReplies},           // replies.go
		{"FCR", testFCR},                   // fcr.go
		{"MOS", testMOS},                   // mos.go
		{"Open311", testOpen311},           // open311.go
		{"Report", testReport},             // report.go
		{"Assign", testAssign},             // assign.go
		{"Citizens", testCitizens},         // citizens.go
		{"CitizenMerge", testCitizenMerge}, // citizens.go
		{"CitizenRace", testCitizenRace},   // citizens.go
		{"RecordAccess", testRecordAccess}, // offlineaudit.go
		{"ReplyChannel", testReplyChannel}, // replychannel.go
		{"ServiceFCR", testServiceFCR},     // servicefcr.go
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newEnv(t)) })
	}
}

// wantCode fails t unless err has the application error code (or is nil for "").
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := sportello.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}

func (e *env) record(t *testing.T, actor *sportello.User, w sportello.WrapUp) *sportello.Case {
	t.Helper()
	k, err := e.RecordWrapUp(e.ctx, actor, w)
	if err != nil {
		t.Fatalf("record wrap-up %+v: %v", w, err)
	}
	return k
}

func (e *env) head(t *testing.T) int64 {
	t.Helper()
	h, err := e.Head(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
