package sportello

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// DefaultRepeatContactWindow is how far back a wrap-up looks for an earlier
// contact of the same citizen on the same service (issue 5: 7 days).
const DefaultRepeatContactWindow = 7 * 24 * time.Hour

// MaxWrapUpKBEntries bounds the knowledge-base entries one wrap-up names.
const MaxWrapUpKBEntries = 20

// FCRCounts counts wrap-ups for first-contact resolution, both as the
// operators recorded it and as it truly was.
//
// A wrap-up is a repeat contact when its citizen had an earlier wrap-up on
// the same service (the wrap-up's category, else its case's) within the
// repeat-contact window before it; a wrap-up without a known citizen or
// service is never one. Missed calls are not contacts and count nowhere.
//
//   - As recorded: Resolved wrap-ups (outcome resolved at first contact)
//     out of all WrapUps.
//   - True: TrueResolved out of FirstContacts, where FirstContacts are the
//     wrap-ups that are not repeat contacts, and TrueResolved those of them
//     recorded as resolved that no later wrap-up of the same citizen and
//     service repeats within the window. A resolved call the citizen had
//     to call back about was not resolved.
//
// True counts of a period can still fall while its wrap-ups are younger
// than the window: a repeat contact tomorrow takes back today's resolution.
type FCRCounts struct {
	WrapUps       int `json:"wrap_ups"`
	Resolved      int `json:"resolved"`
	FirstContacts int `json:"first_contacts"`
	TrueResolved  int `json:"true_resolved"`
}

// Rate returns first-contact resolution as recorded, 0 without wrap-ups.
func (f FCRCounts) Rate() float64 {
	if f.WrapUps == 0 {
		return 0
	}
	return float64(f.Resolved) / float64(f.WrapUps)
}

// TrueRate returns true first-contact resolution (repeat contacts
// removed), 0 without first contacts.
func (f FCRCounts) TrueRate() float64 {
	if f.FirstContacts == 0 {
		return 0
	}
	return float64(f.TrueResolved) / float64(f.FirstContacts)
}

// KBUse is how much one knowledge-base entry answered calls: the wrap-ups
// that named it (Uses), how many of them were resolved at first contact as
// recorded (Resolved) and truly (TrueResolved, see FCRCounts), and when it
// was last named.
type KBUse struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Kind         EntryKind `json:"kind,omitempty"`
	OwnerDesk    string    `json:"owner_desk,omitempty"`
	Uses         int       `json:"uses"`
	Resolved     int       `json:"resolved"`
	TrueResolved int       `json:"true_resolved"`
	LastUsed     time.Time `json:"last_used,omitzero"`
}

// NeverHelped reports whether the entry never answered a call: never
// used, or used only on calls not resolved at first contact.
func (u KBUse) NeverHelped() bool { return u.Resolved == 0 }

// ServiceFCR is first-contact resolution of one service (a case category).
type ServiceFCR struct {
	Service string `json:"service"`
	FCRCounts
}

// KBUsefulness is the read model of "this answered the call" since a
// moment: the entries used, most useful first (Resolved, then Uses);
// entries never used (by title, at most the limit asked for, with their
// total); and first-contact resolution per service.
type KBUsefulness struct {
	Since          time.Time    `json:"since"`
	Used           []KBUse      `json:"used"`
	NeverUsed      []KBUse      `json:"never_used"`
	NeverUsedTotal int          `json:"never_used_total"`
	Services       []ServiceFCR `json:"services"`
}

// Order sorts the used entries most useful first (resolved, then truly
// resolved, then uses, then title) and the never-used ones by title,
// keeping the first neverLimit of those and counting them all: what both
// stores answer.
func (u *KBUsefulness) Order(neverLimit int) {
	slices.SortFunc(u.Used, func(a, b KBUse) int {
		return cmp.Or(cmp.Compare(b.Resolved, a.Resolved), cmp.Compare(b.TrueResolved, a.TrueResolved),
			cmp.Compare(b.Uses, a.Uses), strings.Compare(a.Title, b.Title), strings.Compare(a.ID, b.ID))
	})
	slices.SortFunc(u.NeverUsed, func(a, b KBUse) int {
		return cmp.Or(strings.Compare(a.Title, b.Title), strings.Compare(a.ID, b.ID))
	})
	u.NeverUsedTotal = len(u.NeverUsed)
	if len(u.NeverUsed) > neverLimit {
		u.NeverUsed = u.NeverUsed[:max(0, neverLimit)]
	}
}

// KBUsefulnessService gives supervisors (and specialists, for their desks'
// entries) how much each knowledge-base entry helped.
type KBUsefulnessService interface {
	KBUsefulness(ctx context.Context, since time.Time) (*KBUsefulness, error)
}

// DeskAvailability is who can take a call at a second-level desk right
// now: the names of its members available (by name), and how many are
// members and on a call, from the states their desktops report.
type DeskAvailability struct {
	DeskID    string   `json:"desk_id"`
	DeskName  string   `json:"desk_name"`
	Members   int      `json:"members"`
	Available []string `json:"available"`
	OnCall    int      `json:"on_call"`
}

// DeskAvailabilityService tells anyone transferring a call who is
// available at each desk.
type DeskAvailabilityService interface {
	DeskAvailability(ctx context.Context) ([]DeskAvailability, error)
}
