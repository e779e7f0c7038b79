// Package sportello holds the domain of the citizen-services contact center:
// citizens, cases and their events, desks, calls, and the interfaces of the
// services that the desktop, the softphone and syncd implement.
//
// It imports only the standard library; implementations live in subpackages
// named after what they wrap (softphone, sync/sqlite, sync/server, ...).
package sportello

import (
	"context"
	"time"
)

// Role is what a signed-in user may do.
type Role string

// The roles of DOMAIN.md.
const (
	RoleOperator   Role = "operator"
	RoleSpecialist Role = "specialist"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleOperator, RoleSpecialist, RoleSupervisor, RoleAdmin:
		return true
	}
	return false
}

// User is a person who signs in to the desktop.
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Role     Role   `json:"role"`
}

// CitizenKind tells a person from a business.
type CitizenKind string

// Citizen kinds: a person has a codice fiscale, a business a partita IVA.
const (
	CitizenPerson   CitizenKind = "person"
	CitizenBusiness CitizenKind = "business"
)

// Citizen is a person or business that contacts the City.
type Citizen struct {
	ID      string      `json:"id"`
	Kind    CitizenKind `json:"kind"`
	Name    string      `json:"name"`
	TaxCode string      `json:"tax_code"` // codice fiscale or partita IVA
	Phones  []string    `json:"phones"`   // E.164
	// PhoneLabels[i], when set, says what Phones[i] is: PhoneMobile,
	// PhoneHome or PhoneWork ("" for none; nil when no number has one).
	PhoneLabels []string `json:"phone_labels,omitempty"`
	Email       string   `json:"email,omitempty"`
	Address     string   `json:"address,omitempty"`
	// MergedInto is set on a duplicate merged into another citizen: the
	// id of the survivor (identity.go).
	MergedInto string `json:"merged_into,omitempty"`
	// Language is the language the citizen prefers for replies:
	// LangItalian (the default, also when empty) or LangEnglish.
	Language string `json:"language,omitempty"`
}

// Desk is a second-level desk (sportello di secondo livello).
type Desk struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Member is set on the desks the signed-in user works (GET /v1/desks).
	Member bool `json:"member,omitempty"`
}

// Office is a place of the City with opening hours, as the web portal shows it.
type Office struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Address string `json:"address"`
	Hours   string `json:"hours"`
	Phone   string `json:"phone,omitempty"`
}

// CallerCard is what the operator sees while the phone rings: the number,
// the matching citizen (nil for an unknown caller) and the citizen's cases,
// newest first, each with its events.
type CallerCard struct {
	Number  string   `json:"number"`
	Citizen *Citizen `json:"citizen,omitempty"`
	Cases   []*Case  `json:"cases"`
	// Offline is set on a card read from the desktop's own copy while
	// syncd was unreachable: it may lack what others recorded since.
	Offline bool `json:"offline,omitempty"`
}

// OpenCases returns the cases of the card that are not resolved.
func (c *CallerCard) OpenCases() []*Case {
	var open []*Case
	for _, k := range c.Cases {
		if k.Status != StatusResolved {
			open = append(open, k)
		}
	}
	return open
}

// WrapUp is what the operator records when a call ends.
type WrapUp struct {
	// ID is made by the client (UUIDv7) so that a wrap-up queued offline
	// can be sent again: syncd records it once and answers a repeat with
	// the case as the first send left it.
	ID           string `json:"id,omitempty"`
	CallID       string `json:"call_id"`
	CallerNumber string `json:"caller_number"`
	CitizenID    string `json:"citizen_id,omitempty"`
	CaseID       string `json:"case_id,omitempty"` // empty: open a new case
	// NewCaseID is the id (UUIDv7, made by the client) of the case a
	// wrap-up without CaseID opens, so that a case opened offline keeps
	// its id once syncd accepts it. Empty: syncd makes one.
	NewCaseID string  `json:"new_case_id,omitempty"`
	Category  string  `json:"category,omitempty"`
	Outcome   Outcome `json:"outcome"`
	// DeskID is the desk an escalated call goes to (OutcomeEscalated
	// needs one); Note is then the hand-off note for the desk.
	DeskID string `json:"desk_id,omitempty"`
	Note   string `json:"note"`
	// ReplyChannel is how the citizen prefers the desk's answer, on an
	// escalation only (preferredchannel.go); empty: not asked.
	ReplyChannel ContactChannel `json:"reply_channel,omitempty"`
	// KBEntries are the knowledge-base entries that answered the call, so
	// that first-contact resolution can be reported per service.
	KBEntries  []string  `json:"kb_entries,omitempty"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	EndedAt    time.Time `json:"ended_at,omitzero"`
	// MOS is the call's audio quality as the desktop's phone estimated it
	// (E-model, 1 to 4.5; 0: not measured).
	MOS float64 `json:"mos,omitempty"`
	// CallbackFrom and CallbackTo are the window of the callback an
	// OutcomeCallbackScheduled wrap-up promises (UTC); CallbackOwner is
	// OwnerSelf (the default) or OwnerPool. The callback is created with
	// the wrap-up, in one transaction (callback.go).
	CallbackFrom  time.Time `json:"callback_from,omitzero"`
	CallbackTo    time.Time `json:"callback_to,omitzero"`
	CallbackOwner string    `json:"callback_owner,omitempty"`
}

// Validate reports what is missing from a wrap-up.
func (w *WrapUp) Validate() error {
	if !w.Outcome.Valid() {
		return Errorf(EINVALID, "choose an outcome for the call")
	}
	if w.Outcome == OutcomeEscalated && w.DeskID == "" {
		return Errorf(EINVALID, "choose the desk to escalate to")
	}
	if w.MOS != 0 && (w.MOS < 1 || w.MOS > 4.5 || w.MOS != w.MOS) {
		return Errorf(EINVALID, "a call's MOS is between 1 and 4.5")
	}
	if w.Outcome != OutcomeEscalated && w.DeskID != "" {
		return Errorf(EINVALID, "only an escalated call goes to a desk")
	}
	if err := w.validateReplyChannel(); err != nil { // preferredchannel.go
		return err
	}
	if w.Outcome == OutcomeCallbackScheduled {
		if err := ValidateWindow(w.CallbackFrom, w.CallbackTo); err != nil {
			return err
		}
		if w.CallbackOwner != "" && w.CallbackOwner != OwnerSelf && w.CallbackOwner != OwnerPool {
			return Errorf(EINVALID, "a callback is for yourself or for the pool")
		}
		if w.CallerNumber == "" {
			return Errorf(EINVALID, "a callback needs the number to call")
		}
	} else if !w.CallbackFrom.IsZero() || !w.CallbackTo.IsZero() || w.CallbackOwner != "" {
		return Errorf(EINVALID, "only a scheduled callback has a callback window")
	}
	if w.CallerNumber == "" && w.CitizenID == "" && w.CaseID == "" {
		return Errorf(EINVALID, "a wrap-up needs a caller, a citizen or a case")
	}
	if len(w.Note) > MaxNoteLen {
		return Errorf(EINVALID, "the note is longer than %d characters", MaxNoteLen)
	}
	return nil
}

// MaxNoteLen bounds every free-text note.
const MaxNoteLen = 8000

// CitizenService finds citizens and their history. Every read is audited
// with the reason given (a call id or a case id).
type CitizenService interface {
	// LookupCaller returns the card for a calling number; an unknown
	// number gives a card with a nil Citizen, not an error.
	LookupCaller(ctx context.Context, number, reason string) (*CallerCard, error)
}

// CaseService records what happens on cases.
type CaseService interface {
	// RecordWrapUp stores a wrap-up as case events, opening a case when the
	// wrap-up names none, and returns the case as it now is.
	RecordWrapUp(ctx context.Context, w WrapUp) (*Case, error)
}

// DeskService is the second level's work: the desks, the queue of the
// signed-in user's desks, and what a specialist (or an operator, or a
// supervisor, as their role allows) does on a case.
type DeskService interface {
	// Desks returns every desk, the user's own marked Member.
	Desks(ctx context.Context) ([]Desk, error)
	// Queue returns the cases at the user's desks (every desk for a
	// supervisor) that are escalated, taken or answered, oldest
	// escalation first, each with its events and citizen's name.
	Queue(ctx context.Context) ([]*Case, error)
	// CaseAction records one event on a case: claimed, released, note,
	// answer_ready, resolved, or escalated to another desk (DeskID). syncd
	// sets the author and time; e.ID, when set, makes the action
	// idempotent. It returns the case as it now is; a second claim is
	// ECONFLICT "the case is already taken by <name>".
	CaseAction(ctx context.Context, caseID string, e CaseEvent) (*Case, error)
}

// AuthService signs a user in to syncd.
type AuthService interface {
	Login(ctx context.Context, username, password string) (*User, error)
	// Logout ends the session and removes the user's data from the
	// desktop. With changes not yet on syncd it refuses with ECONFLICT
	// unless force is set.
	Logout(ctx context.Context, force bool) error
}

// SyncState is the connection to syncd as the desktop shows it.
type SyncState struct {
	Online  bool      `json:"online"`
	Cursor  int64     `json:"cursor"`  // in sync through this seq: every change up to it the user may see was received
	Pending int       `json:"pending"` // changes waiting to be sent
	Err     string    `json:"err,omitempty"`
	RetryAt time.Time `json:"retry_at,omitzero"`
}

// FeedScopeAge bounds the cases a user's feed follows for having written
// on them: those not resolved the user wrote on this recently. A user's
// history at city scale is thousands of cases (1,000,000 citizens: syncd
// held 1.4 GB for 2,000 desktops when every case ever written on was
// followed), and most are calls resolved at once (issue 4: the 1.25
// million cases 2,000 users had written on took syncd to 300 MB before
// any load; 93% were resolved). An older or resolved case is read on
// demand; the user's next event on it follows it again for the rest of
// the session. A case still open at the user's desks is followed as a
// desk's.
const FeedScopeAge = 30 * 24 * time.Hour

// Change is one accepted change as syncd numbers it: Seq is global and gap-free.
type Change struct {
	Seq       int64      `json:"seq"`
	At        time.Time  `json:"at"`
	Kind      string     `json:"kind"` // "case_event"
	CitizenID string     `json:"citizen_id,omitempty"`
	CaseID    string     `json:"case_id,omitempty"`
	DeskID    string     `json:"desk_id,omitempty"`
	Event     *CaseEvent `json:"event,omitempty"`
	// EntryID, KB and Directory carry an edit of the knowledge base or the
	// directory (kinds ChangeKindKB, ChangeKindDirectory in kbedit.go):
	// the entry as saved, or only its id when it was retired.
	EntryID   string          `json:"entry_id,omitempty"`
	KB        *KBEntry        `json:"kb,omitempty"`
	Directory *DirectoryEntry `json:"directory,omitempty"`
}

// ChangeKindCaseEvent marks a change that carries a case event.
const ChangeKindCaseEvent = "case_event"

// SyncService tells the desktop about its link to syncd and the changes it receives.
type SyncService interface {
	State() SyncState
	// Subscribe calls onState on every change of connection state and
	// onChange for every change pushed by syncd, until cancel is called.
	// Callbacks run on the sync goroutine and must not block.
	Subscribe(onState func(SyncState), onChange func(Change)) (cancel func())
}
