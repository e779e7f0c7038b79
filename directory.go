package sportello

import (
	"context"
	"time"
)

// DirectoryEntry is a number in the transfer directory (rubrica
// trasferimenti): an office of the City, a Municipio, a company of the
// City's group or a second-level desk, with when it answers and when to
// send callers there.
type DirectoryEntry struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Number string `json:"number"`
	Group  string `json:"group"` // City, Municipio, company of the group, desk
	// HoursText is the hours as the portal writes them ("lun-ven 8:30-12:30");
	// Hours is the same parsed, nil when the number always answers.
	HoursText string       `json:"hours_text,omitempty"`
	Hours     *WeeklyHours `json:"hours,omitempty"`
	// Note says when to send callers there (and when not to).
	Note     string   `json:"note,omitempty"`
	Keywords []string `json:"keywords,omitempty"`
	// DeskID names the second-level desk the number rings, for internal desks.
	DeskID    string    `json:"desk_id,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	// Version counts the saved versions (kbedit.go): an edit names the
	// version it started from.
	Version int `json:"version,omitempty"`
}

// StateAt says whether the entry answers at t: always open without hours.
func (e DirectoryEntry) StateAt(t time.Time, loc *time.Location, cal Calendar) OpenState {
	if e.Hours == nil {
		return OpenState{Open: true}
	}
	return e.Hours.StateAt(t, loc, cal)
}

// DirectoryService searches the transfer directory.
type DirectoryService interface {
	// SearchDirectory returns at most limit entries matching what the
	// operator typed (name, group, keywords, note; words by prefix, accents
	// and case folded), best first; an empty query lists entries by group
	// and name.
	SearchDirectory(ctx context.Context, query string, limit int) ([]DirectoryEntry, error)
}
