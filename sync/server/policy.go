package server

import (
	"slices"
	"sync"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// Action is something a signed-in user asks syncd to do: each endpoint
// needs one, and the policy says which roles may.
type Action string

// The actions of the API.
const (
	ActionMe           Action = "see who is signed in"
	ActionLogout       Action = "sign out"
	ActionLookupCaller Action = "read a citizen's record"
	ActionRecordWrapUp Action = "record a wrap-up"
	ActionReadChanges  Action = "read the change feed"
	ActionReadAudit    Action = "read the audit log"
	ActionReadKB       Action = "read the knowledge base"
	// ActionReadDirectory: the transfer directory (directory.go).
	ActionReadDirectory Action = "read the transfer directory"
	ActionReadDesks     Action = "read the list of desks"
	ActionReadQueue     Action = "read a desk's queue"
	// ActionWorkOnCase lets a request reach POST /v1/cases/{id}/events;
	// the event's own action below decides.
	ActionWorkOnCase   Action = "work on cases"
	ActionClaimCase    Action = "claim a case"
	ActionReleaseCase  Action = "release a case"
	ActionNoteCase     Action = "add a note to a case"
	ActionAnswerReady  Action = "mark a case's answer ready"
	ActionResolveCase  Action = "resolve a case"
	ActionEscalateCase Action = "escalate a case to a desk"
	// The supervisor's board (board.go): agents report their state, and
	// supervisors and admins read the board (GET /v1/board, and board
	// frames on their WebSockets).
	ActionReportPresence Action = "report an agent's state"
	ActionReadBoard      Action = "read the supervisor's board"
	// Acting from the board (boardact.go).
	ActionRaiseHand        Action = "raise a hand for help"
	ActionAnswerHand       Action = "answer a raised hand"
	ActionReassignCallback Action = "reassign a callback"
	ActionMoveAgent        Action = "move an agent between desks"
	ActionAssignCase       Action = "assign a case to a specialist" // assign.go
	// Callbacks (callbacks.go): everyone reads the callbacks they may
	// work (supervisors and admins every one); those who take calls call
	// citizens back.
	ActionReadCallbacks   Action = "read callbacks"
	ActionAttemptCallback Action = "call a citizen back"
	// Appointments (appointments.go): everyone reads offices' services,
	// free slots and citizens' appointments; those who take calls book,
	// move and cancel them.
	ActionReadAppointments Action = "read appointments"
	ActionBookAppointment  Action = "book, move or cancel an appointment"
	// Editing the knowledge base and the directory (kbedit.go): admins
	// edit everything, specialists the entries of their desks (kbRule);
	// everyone reads an entry's history. Admins import and export the
	// catalogue (catalog.go).
	ActionEditKB        Action = "edit the knowledge base"
	ActionEditDirectory Action = "edit the transfer directory"
	ActionReadHistory   Action = "read the history of an entry"
	ActionImportCatalog Action = "import the catalogue"
	ActionExportCatalog Action = "export the catalogue"
	// Replies (replies.go): the holder of a case replies to its citizen
	// by email, letter or phone; the letter prints for the desk and its
	// supervisors.
	ActionReplyToCitizen Action = "reply to a citizen"
	ActionPrintLetter    Action = "print a reply letter"
	// First-contact resolution (fcr.go): how much each knowledge-base
	// entry answered calls, and who is available at each desk.
	ActionReadKBUsefulness     Action = "read how much knowledge-base entries helped"
	ActionReadDeskAvailability Action = "read who is available at the desks"
	// Reports (reports.go): the daily and monthly report, as JSON, CSV
	// or PDF.
	ActionReadReports Action = "read the daily and monthly reports"
	// Citizens' identity (citizens.go): those who talk to citizens
	// register, edit and search them; supervisors merge duplicates.
	ActionEditCitizen    Action = "register or edit a citizen"
	ActionSearchCitizens Action = "search citizens"
	ActionMergeCitizens  Action = "merge duplicate citizens"
)

// caseActions names the action of each event a user may add to a case.
var caseActions = map[sportello.EventKind]Action{
	sportello.EventClaimed:     ActionClaimCase,
	sportello.EventReleased:    ActionReleaseCase,
	sportello.EventNote:        ActionNoteCase,
	sportello.EventAnswerReady: ActionAnswerReady,
	sportello.EventResolved:    ActionResolveCase,
	sportello.EventEscalated:   ActionEscalateCase,
	sportello.EventAssigned:    ActionAssignCase,
}

var everyone = []sportello.Role{sportello.RoleOperator, sportello.RoleSpecialist, sportello.RoleSupervisor, sportello.RoleAdmin}

// policy is the one table of who may do what. Operators and specialists
// take calls, so they record wrap-ups; supervisors and admins watch and
// account for the service, so they read the audit log. Everyone who may
// read the change feed gets only the changes they may see (see visible).
// Specialists work their desks' queues (and only their desks' cases, see
// deskRule); supervisors watch every queue and may release or reassign a
// case someone holds; operators add notes and escalate.
var policy = map[Action][]sportello.Role{
	ActionMe:           everyone,
	ActionLogout:       everyone,
	ActionLookupCaller: everyone,
	ActionRecordWrapUp: {sportello.RoleOperator, sportello.RoleSpecialist},
	ActionPushOps:      everyone, // each op's own action decides (batch.go)
	ActionReadChanges:  everyone,
	ActionReadAudit:    {sportello.RoleSupervisor, sportello.RoleAdmin},
	ActionReadKB:       everyone,
	// Everyone transfers calls or tells where to call.
	ActionReadDirectory: everyone,
	ActionReadDesks:     everyone,
	ActionReadQueue:     {sportello.RoleSpecialist, sportello.RoleSupervisor, sportello.RoleAdmin},
	ActionWorkOnCase:    {sportello.RoleOperator, sportello.RoleSpecialist, sportello.RoleSupervisor},
	ActionClaimCase:     {sportello.RoleSpecialist},
	ActionReleaseCase:   {sportello.RoleSpecialist, sportello.RoleSupervisor},
	ActionNoteCase:      {sportello.RoleOperator, sportello.RoleSpecialist, sportello.RoleSupervisor},
	ActionAnswerReady:   {sportello.RoleSpecialist},
	ActionResolveCase:   {sportello.RoleSpecialist},
	ActionEscalateCase:  {sportello.RoleOperator, sportello.RoleSpecialist, sportello.RoleSupervisor},
	// Operators and specialists take calls, so they have a state on the
	// board; supervisors and admins watch it.
	ActionReportPresence: {sportello.RoleOperator, sportello.RoleSpecialist},
	ActionReadBoard:      {sportello.RoleSupervisor, sportello.RoleAdmin},
	// Those who take calls ask for help; those who watch the board act on it.
	ActionRaiseHand:        {sportello.RoleOperator, sportello.RoleSpecialist},
	ActionAnswerHand:       {sportello.RoleSupervisor, sportello.RoleAdmin},
	ActionReassignCallback: {sportello.RoleSupervisor, sportello.RoleAdmin},
	ActionAssignCase:       {sportello.RoleSupervisor, sportello.RoleAdmin},
	ActionMoveAgent:        {sportello.RoleSupervisor, sportello.RoleAdmin},
	ActionReadCallbacks:    everyone,
	ActionAttemptCallback:  {sportello.RoleOperator, sportello.RoleSpecialist},
	ActionEditKB:           {sportello.RoleSpecialist, sportello.RoleAdmin},
	ActionEditDirectory:    {sportello.RoleAdmin},
	ActionReadHistory:      everyone,
	ActionImportCatalog:    {sportello.RoleAdmin},
	ActionExportCatalog:    {sportello.RoleAdmin},
	ActionReplyToCitizen:   {sportello.RoleSpecialist},
	ActionPrintLetter:      {sportello.RoleSpecialist, sportello.RoleSupervisor},
	// Those who take calls book appointments; everyone reads them.
	ActionReadAppointments: everyone,
	ActionBookAppointment:  {sportello.RoleOperator, sportello.RoleSpecialist},
	// Supervisors and admins account for the service; specialists own
	// their desks' entries (and see only those).
	ActionReadKBUsefulness: {sportello.RoleSpecialist, sportello.RoleSupervisor, sportello.RoleAdmin},
	// Everyone transfers calls to desks.
	ActionReadDeskAvailability: everyone,
	// Supervisors and admins account for the service.
	ActionReadReports: {sportello.RoleSupervisor, sportello.RoleAdmin},
	// Those who talk to citizens keep their records; admins do not read
	// citizens' data. Merging is a supervisor's judgement.
	ActionEditCitizen:    {sportello.RoleOperator, sportello.RoleSpecialist, sportello.RoleSupervisor},
	ActionSearchCitizens: {sportello.RoleOperator, sportello.RoleSpecialist, sportello.RoleSupervisor},
	ActionMergeCitizens:  {sportello.RoleSupervisor},
}

// allDesks reports whether a role sees and works every desk's queue.
func allDesks(r sportello.Role) bool {
	return r == sportello.RoleSupervisor || r == sportello.RoleAdmin
}

// deskRule is the desk side of the policy, checked on the case as stored
// inside the store's transaction: a specialist works only the cases at
// their own desks.
func deskRule(u *sportello.User, desks []string) func(*sportello.Case) error {
	if u.Role != sportello.RoleSpecialist {
		return nil
	}
	return func(c *sportello.Case) error {
		if !slices.Contains(desks, c.DeskID) {
			return sportello.Errorf(sportello.EFORBIDDEN, "the case is not at one of your desks")
		}
		return nil
	}
}

// Allowed reports whether a role may do an action; an unknown action or
// role is never allowed.
func Allowed(role sportello.Role, a Action) bool {
	return slices.Contains(policy[a], role)
}

// forbidden is the error for a role that may not do an action.
func forbidden(u *sportello.User, a Action) error {
	return sportello.Errorf(sportello.EFORBIDDEN, "a user with the %s role may not %s", u.Role, a)
}

// viewer decides which changes one session may see. Admins see every
// change. Anyone else, supervisors too, sees a change when they wrote its
// event, when it is on a case they have written on (in this session, or
// not resolved in sportello.FeedScopeAge), when its citizen is
// one they looked up in this session, or when its case is at one of their
// desks: a supervisor's desktop is pushed its own working set and the
// board (board.go), not every case's events (DESIGN.md's load model: 50
// supervisors given every change were most of the frames at 2,000
// desktops), and reads any case on demand. Safe for concurrent use: a
// lookup on the HTTP side widens the viewer of the session's WebSockets.
type viewer struct {
	userID string
	all    bool

	mu       sync.Mutex
	desks    idSet // idmap.go
	cases    idSet
	citizens idSet
}

func newViewer(u *sportello.User, all bool, desks, cases, citizens []string) *viewer {
	all = all || u.Role == sportello.RoleAdmin
	return &viewer{userID: u.ID, all: all, desks: newIDSet(desks), cases: newIDSet(cases), citizens: newIDSet(citizens)}
}

// visible reports whether the viewer may see ch, learning the cases the
// user writes on as their events go by.
func (v *viewer) visible(ch sportello.Change) bool {
	if v.all || ch.Kind == sportello.ChangeKindKB || ch.Kind == sportello.ChangeKindDirectory {
		return true // every desktop keeps the knowledge base and the directory
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if ch.Event != nil && ch.Event.AuthorID == v.userID {
		if ch.CaseID != "" {
			v.cases.set(keyOf(ch.CaseID), struct{}{})
		}
		return true
	}
	return (ch.CaseID != "" && v.cases.has(keyOf(ch.CaseID))) ||
		(ch.CitizenID != "" && v.citizens.has(keyOf(ch.CitizenID))) ||
		(ch.DeskID != "" && v.desks.has(keyOf(ch.DeskID)))
}

// show returns ch when the viewer may see it and its hidden placeholder
// otherwise.
func (v *viewer) show(ch sportello.Change) sportello.Change {
	if v.visible(ch) {
		return ch
	}
	return wire.Hidden(ch)
}

// name adds an id of kind (a case, citizen or desk) to what the viewer
// sees.
func (v *viewer) name(kind indexKind, k idKey) {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch kind {
	case byCase:
		v.cases.set(k, struct{}{})
	case byCitizen:
		v.citizens.set(k, struct{}{})
	case byDesk:
		v.desks.set(k, struct{}{})
	}
}

// eachNamed calls fn for each case, citizen and desk the viewer names,
// with the index kind it is found by. Called with v.mu held.
func (v *viewer) eachNamed(fn func(kind indexKind, k idKey)) {
	for _, named := range [...]struct {
		kind indexKind
		ids  *idSet
	}{{byCase, &v.cases}, {byCitizen, &v.citizens}, {byDesk, &v.desks}} {
		named.ids.each(func(k idKey) { fn(named.kind, k) })
	}
}

// addCitizen lets the viewer see a citizen's changes from now on.
func (v *viewer) addCitizen(id string) {
	v.mu.Lock()
	v.citizens.set(keyOf(id), struct{}{})
	v.mu.Unlock()
}
