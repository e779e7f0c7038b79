package sportello

import (
	"slices"
	"time"
)

// EventKind names what happened on a case.
type EventKind string

// The events of a case's history (DESIGN.md): immutable, appended in order.
const (
	EventOpened      EventKind = "opened"
	EventCall        EventKind = "call"         // a call taken about the case
	EventNote        EventKind = "note"         // a note by an operator or specialist
	EventWrapUp      EventKind = "wrap_up"      // the outcome an operator recorded after a call
	EventEscalated   EventKind = "escalated"    // sent to a second-level desk
	EventClaimed     EventKind = "claimed"      // a specialist took it
	EventReleased    EventKind = "released"     // given back to the desk's queue by its holder or a supervisor
	EventAnswerReady EventKind = "answer_ready" // the holder has the answer: the citizen can be told
	EventResolved    EventKind = "resolved"     // answered and closed
	EventReopened    EventKind = "reopened"     // the citizen came back on it
	// EventAssigned: a supervisor gave the case to a specialist of its
	// desk, who then holds it as if they had claimed it (assign.go).
	EventAssigned EventKind = "assigned"
)

// Outcome is the result an operator records at wrap-up.
type Outcome string

// Wrap-up outcomes; the walking skeleton records the first one and the
// others are accepted and shown.
const (
	OutcomeResolvedFirstContact Outcome = "resolved_first_contact"
	OutcomeTransferred          Outcome = "transferred"
	OutcomeEscalated            Outcome = "escalated"
	OutcomeCallbackScheduled    Outcome = "callback_scheduled"
	OutcomeAppointmentBooked    Outcome = "appointment_booked"
	// OutcomeMissed records an inbound call nobody answered (the caller
	// gave up, or was refused): the desktop records it by itself, so that
	// the citizen's history shows the attempt. The wrap-up form does not
	// offer it, and it leaves a case's status as it was.
	OutcomeMissed Outcome = "missed"
)

// Outcomes lists the outcomes in the order the wrap-up form offers them.
var Outcomes = []Outcome{
	OutcomeResolvedFirstContact, OutcomeTransferred, OutcomeEscalated,
	OutcomeCallbackScheduled, OutcomeAppointmentBooked,
}

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return o == OutcomeMissed || slices.Contains(Outcomes, o) }

// CaseStatus is a case's state as derived from its events.
type CaseStatus string

// Case states.
const (
	StatusOpen        CaseStatus = "open"
	StatusEscalated   CaseStatus = "escalated"
	StatusClaimed     CaseStatus = "claimed"
	StatusAnswerReady CaseStatus = "answer_ready"
	StatusResolved    CaseStatus = "resolved"
)

// AtDesk reports whether a case in status st is in a desk's queue:
// escalated and waiting, taken by a specialist, or answered and waiting
// to be given to the citizen.
func (st CaseStatus) AtDesk() bool {
	return st == StatusEscalated || st == StatusClaimed || st == StatusAnswerReady
}

// CaseEvent is one immutable entry in a case's history.
type CaseEvent struct {
	ID       string    `json:"id"` // UUIDv7, made by the client
	CaseID   string    `json:"case_id"`
	Kind     EventKind `json:"kind"`
	At       time.Time `json:"at"` // UTC
	AuthorID string    `json:"author_id,omitempty"`
	Author   string    `json:"author,omitempty"` // display name
	// AuthorRole is the author's role when the event was recorded: a
	// supervisor may release or reassign a case someone else holds.
	AuthorRole Role    `json:"author_role,omitempty"`
	CallID     string  `json:"call_id,omitempty"`
	Number     string  `json:"number,omitempty"` // caller's number on call events
	Outcome    Outcome `json:"outcome,omitempty"`
	DeskID     string  `json:"desk_id,omitempty"`
	Category   string  `json:"category,omitempty"`
	Note       string  `json:"note,omitempty"`
	// Channel is the citizen's preferred reply channel on the wrap-up
	// that escalates the case (preferredchannel.go).
	Channel ContactChannel `json:"channel,omitempty"`
	// AssigneeID and Assignee name the specialist an assigned event
	// gives the case to (its user id and display name).
	AssigneeID string `json:"assignee_id,omitempty"`
	Assignee   string `json:"assignee,omitempty"`
}

// Case is a citizen's request (pratica) and its history.
type Case struct {
	ID        string     `json:"id"`
	CitizenID string     `json:"citizen_id,omitempty"`
	Category  string     `json:"category"`
	Subject   string     `json:"subject"`
	Status    CaseStatus `json:"status"`
	DeskID    string     `json:"desk_id,omitempty"`
	ClaimedBy string     `json:"claimed_by,omitempty"` // the holder's name
	// ClaimedByID is the holder's user id: only the holder (or a
	// supervisor) may release the case or mark its answer ready.
	ClaimedByID string    `json:"claimed_by_id,omitempty"`
	OpenedAt    time.Time `json:"opened_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// EscalatedAt is when the case last reached a desk: a desk's queue
	// is worked oldest escalation first. A release keeps it.
	EscalatedAt time.Time    `json:"escalated_at,omitzero"`
	Events      []*CaseEvent `json:"events,omitempty"`
	// CitizenName is the citizen's name on the cases of a desk's queue,
	// which are read without the citizen's card.
	CitizenName string `json:"citizen_name,omitempty"`
	// CitizenLanguage is, on the same cases, the language the citizen
	// prefers for replies (Citizen.Language).
	CitizenLanguage string `json:"citizen_language,omitempty"`
	// SLA is the case's due time and flags at its desk as syncd computed
	// them when it served the queue (slaconfig.go); nil elsewhere.
	SLA *SLAState `json:"sla,omitempty"`
	// Pending marks a case as the desktop recorded it while syncd was
	// unreachable: it is in the outbox and syncd has not accepted it yet.
	Pending bool `json:"pending,omitempty"`
}

// Apply advances the case by one event, or returns an EINVALID or ECONFLICT
// error and leaves the case as it was. It is the one state machine of cases:
// syncd applies it before accepting an event and the desktop to show the state.
func (c *Case) Apply(e *CaseEvent) error {
	if e.CaseID != c.ID {
		return Errorf(EINVALID, "event %s belongs to another case", e.ID)
	}
	if len(e.Note) > MaxNoteLen {
		return Errorf(EINVALID, "the note is longer than %d characters", MaxNoteLen)
	}
	first := len(c.Events) == 0
	if first != (e.Kind == EventOpened) {
		if first {
			return Errorf(EINVALID, "a case starts with an opened event")
		}
		return Errorf(ECONFLICT, "the case is already open")
	}
	next := c.Status
	switch e.Kind {
	case EventOpened:
		next = StatusOpen
		c.Category = e.Category
		c.Subject = e.Note
		c.OpenedAt = e.At
	case EventCall, EventNote, EventCallbackAttempt, EventAppointment:
		// History only.
	case EventCallbackScheduled:
		if c.Status == StatusResolved {
			return Errorf(ECONFLICT, "the case is resolved: reopen it first")
		}
	case EventWrapUp:
		if !e.Outcome.Valid() {
			return Errorf(EINVALID, "unknown outcome %q", e.Outcome)
		}
		if c.Status == StatusResolved {
			return Errorf(ECONFLICT, "the case is resolved: reopen it first")
		}
		if e.Outcome == OutcomeResolvedFirstContact {
			next = StatusResolved
		}
		if e.Outcome == OutcomeEscalated {
			if e.DeskID == "" {
				return Errorf(EINVALID, "escalation needs a desk")
			}
			if err := c.mayTakeFromHolder(e, "escalate"); err != nil {
				return err
			}
			next = StatusEscalated
		}
	case EventEscalated:
		if e.DeskID == "" {
			return Errorf(EINVALID, "escalation needs a desk")
		}
		if c.Status == StatusResolved {
			return Errorf(ECONFLICT, "the case is resolved: reopen it first")
		}
		if err := c.mayTakeFromHolder(e, "escalate"); err != nil {
			return err
		}
		next = StatusEscalated
	case EventClaimed:
		switch c.Status {
		case StatusEscalated:
		case StatusClaimed, StatusAnswerReady:
			return Errorf(ECONFLICT, "the case is already taken by %s", c.ClaimedBy)
		default:
			return Errorf(ECONFLICT, "only a case escalated to a desk can be claimed")
		}
		next = StatusClaimed
	case EventAssigned:
		if err := c.mayAssign(e); err != nil {
			return err
		}
		next = StatusClaimed
	case EventReleased:
		if c.Status != StatusClaimed {
			return Errorf(ECONFLICT, "only a case taken by someone can be released")
		}
		if err := c.mayTakeFromHolder(e, "release"); err != nil {
			return err
		}
		next = StatusEscalated
	case EventAnswerReady:
		if c.Status != StatusClaimed {
			return Errorf(ECONFLICT, "claim the case before marking its answer ready")
		}
		if !c.heldBy(e) {
			return Errorf(ECONFLICT, "the case is taken by %s: only they can mark its answer ready", c.ClaimedBy)
		}
		next = StatusAnswerReady
	case EventResolved:
		if c.Status == StatusResolved {
			return Errorf(ECONFLICT, "the case is already resolved")
		}
		if err := c.mayTakeFromHolder(e, "resolve"); err != nil {
			return err
		}
		next = StatusResolved
	case EventReplied:
		if err := c.mayReply(e); err != nil {
			return err
		}
	case EventReopened:
		if c.Status != StatusResolved {
			return Errorf(ECONFLICT, "only a resolved case can be reopened")
		}
		next = StatusOpen
	default:
		return Errorf(EINVALID, "unknown event kind %q", e.Kind)
	}

	c.Status = next
	switch {
	case e.Kind == EventEscalated, e.Kind == EventWrapUp && e.Outcome == OutcomeEscalated:
		c.DeskID, c.ClaimedBy, c.ClaimedByID = e.DeskID, "", ""
		c.EscalatedAt = e.At
	case e.Kind == EventClaimed:
		c.ClaimedBy, c.ClaimedByID = e.Author, e.AuthorID
	case e.Kind == EventAssigned:
		c.ClaimedBy, c.ClaimedByID = e.Assignee, e.AssigneeID
	case next != StatusClaimed && next != StatusAnswerReady:
		// The holder stays named while the answer waits to be given.
		c.ClaimedBy, c.ClaimedByID = "", ""
	}
	c.UpdatedAt = e.At
	c.Events = append(c.Events, e)
	return nil
}

// heldBy reports whether e's author holds the case. Events without an
// author id (older stores, seeds) are matched by name.
func (c *Case) heldBy(e *CaseEvent) bool {
	if c.ClaimedByID != "" || e.AuthorID != "" {
		return c.ClaimedByID == e.AuthorID
	}
	return c.ClaimedBy == e.Author
}

// mayTakeFromHolder refuses e when someone else holds the case (claimed)
// and e's author is not a supervisor: a specialist's work is not taken
// away from them by a colleague.
func (c *Case) mayTakeFromHolder(e *CaseEvent, what string) error {
	if c.Status != StatusClaimed || c.heldBy(e) || e.AuthorRole == RoleSupervisor {
		return nil
	}
	return Errorf(ECONFLICT, "the case is taken by %s: only they or a supervisor can %s it", c.ClaimedBy, what)
}

// mayReply checks a replied event: a known channel and a text, on a case
// its author holds (claimed, or its answer ready); the state stays as it
// is, so the holder resolves the case once the citizen has the answer.
func (c *Case) mayReply(e *CaseEvent) error {
	if !ReplyChannel(e.Outcome).Valid() {
		return Errorf(EINVALID, "unknown reply channel %q: use email, letter or phone", e.Outcome)
	}
	if e.Note == "" {
		return Errorf(EINVALID, "write the reply first")
	}
	if c.Status != StatusClaimed && c.Status != StatusAnswerReady {
		return Errorf(ECONFLICT, "claim the case before replying to the citizen")
	}
	if !c.heldBy(e) {
		return Errorf(ECONFLICT, "the case is taken by %s: only they can reply", c.ClaimedBy)
	}
	return nil
}

// Replay builds a case from its events in order.
func Replay(id, citizenID string, events []*CaseEvent) (*Case, error) {
	c := &Case{ID: id, CitizenID: citizenID}
	for _, e := range events {
		if err := c.Apply(e); err != nil {
			return nil, err
		}
	}
	return c, nil
}
