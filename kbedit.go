package sportello

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Change kinds of the edits of the knowledge base and of the transfer
// directory: every desktop gets them, whatever its user may see of cases.
const (
	ChangeKindKB        = "kb"
	ChangeKindDirectory = "directory"
)

// EditAction says what a saved edit did to an entry.
type EditAction string

// Edit actions, as the history shows them.
const (
	EditCreated   EditAction = "created"
	EditUpdated   EditAction = "updated"
	EditRetired   EditAction = "retired"
	EditUnchanged EditAction = "unchanged" // the entry was already so: no new version
)

// AnyVersion as an Edit's Base applies the edit over whatever version is
// stored: imports use it, people never do.
const AnyVersion = -1

// Edit is one change to the knowledge base or to the transfer directory:
// exactly one of KB and Directory is set. Base is the version the editor
// started from (the entry's Version when read, 0 for a new entry); an
// edit over a newer version is ECONFLICT naming who saved that one.
type Edit struct {
	KB        *KBEntry        `json:"kb,omitempty"`
	Directory *DirectoryEntry `json:"directory,omitempty"`
	Base      int             `json:"base"`
	// Retire takes the entry out of search; its history stays.
	Retire bool `json:"retire,omitempty"`
}

// EntryID returns the id of the entry the edit is about.
func (e Edit) EntryID() string {
	switch {
	case e.KB != nil:
		return e.KB.ID
	case e.Directory != nil:
		return e.Directory.ID
	}
	return ""
}

// Kind returns ChangeKindKB or ChangeKindDirectory, or "" for an empty edit.
func (e Edit) Kind() string {
	switch {
	case e.KB != nil:
		return ChangeKindKB
	case e.Directory != nil:
		return ChangeKindDirectory
	}
	return ""
}

// Sweep names the tables an import holds whole (syncd import
// --retire-missing): the stored entries of those tables that the import
// does not name are retired, in the import's transaction.
type Sweep struct {
	KBKinds   []EntryKind // the kinds of knowledge-base entries held whole
	Directory bool        // the transfer directory is held whole
}

// EntryVersion is one saved version of a knowledge-base or directory
// entry: who saved it, when, what changed, and the entry as saved (as it
// last was, for a retirement).
type EntryVersion struct {
	Kind      string          `json:"kind"` // ChangeKindKB or ChangeKindDirectory
	EntryID   string          `json:"entry_id"`
	Version   int             `json:"version"`
	Action    EditAction      `json:"action"`
	At        time.Time       `json:"at"`
	AuthorID  string          `json:"author_id"`
	Author    string          `json:"author"`
	Changed   []string        `json:"changed,omitempty"` // JSON names of the fields that changed
	KB        *KBEntry        `json:"kb,omitempty"`
	Directory *DirectoryEntry `json:"directory,omitempty"`
}

// MayEditKB reports whether u may edit (or create, or retire) entry e of
// the knowledge base: admins any entry, specialists the entries owned by
// one of their desks; desks are u's desk ids.
func MayEditKB(u *User, desks []string, e *KBEntry) bool {
	switch {
	case u == nil:
		return false
	case u.Role == RoleAdmin:
		return true
	case u.Role == RoleSpecialist:
		return e != nil && e.OwnerDesk != "" && slices.Contains(desks, e.OwnerDesk)
	}
	return false
}

// MayEditDirectory reports whether u may edit the transfer directory:
// admins only.
func MayEditDirectory(u *User) bool { return u != nil && u.Role == RoleAdmin }

// EditService saves edits of the knowledge base and of the transfer
// directory and reads their history.
type EditService interface {
	// SaveEdit saves one edit and returns the version it made (Action
	// EditUnchanged when there was nothing to change).
	SaveEdit(ctx context.Context, e Edit) (*EntryVersion, error)
	// History returns every version of an entry of kind
	// (ChangeKindKB or ChangeKindDirectory), oldest first.
	History(ctx context.Context, kind, id string) ([]EntryVersion, error)
}

// FormatHours writes hours the way ParseHours reads them, consecutive
// days with the same ranges joined, exceptions last: "lun-ven
// 8:30-12:30; sab 9:00-12:00; 2026-08-14 chiuso".
func FormatHours(h WeeklyHours) string {
	names := []string{"dom", "lun", "mar", "mer", "gio", "ven", "sab"}
	order := []int{1, 2, 3, 4, 5, 6, 0}
	ranges := func(d int) string { return formatRanges(h.Days[d]) }
	var clauses []string
	for i := 0; i < len(order); {
		d := order[i]
		rs := ranges(d)
		j := i
		for j+1 < len(order) && ranges(order[j+1]) == rs {
			j++
		}
		if rs != "" {
			days := names[d]
			if j > i {
				days += "-" + names[order[j]]
			}
			clauses = append(clauses, days+" "+rs)
		}
		i = j + 1
	}
	clauses = append(clauses, formatExceptions(h.Exceptions)...)
	return strings.Join(clauses, "; ")
}

// formatRanges writes ranges as "8:30-12:30, 14:00-16:00".
func formatRanges(rs []TimeRange) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, fmt.Sprintf("%d:%02d-%d:%02d", r.From/60, r.From%60, r.To/60, r.To%60))
	}
	return strings.Join(parts, ", ")
}
