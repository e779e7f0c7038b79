package server

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// FCRStore is the part of the store behind first-contact resolution as
// recorded and true, "this answered the call" and who is available at a
// desk. The facts are written with each wrap-up (see sportello.FCRCounts).
type FCRStore interface {
	// SetRepeatContactWindow sets how far back a new wrap-up looks for
	// an earlier contact of its citizen on its service.
	SetRepeatContactWindow(d time.Duration)
	// FCRCounts counts the wrap-ups since week, and those since day apart.
	FCRCounts(ctx context.Context, week, day time.Time) (sinceWeek, sinceDay sportello.FCRCounts, err error)
	// KBUsefulness returns how much each entry helped since a moment,
	// only the entries owned by desks unless all, listing at most
	// neverLimit entries never used.
	KBUsefulness(ctx context.Context, since time.Time, desks []string, all bool, neverLimit int) (*sportello.KBUsefulness, error)
	// DeskMembers returns who works at which desk.
	DeskMembers(ctx context.Context) ([]wire.DeskMember, error)
}

// DefaultUsefulnessPeriod is how far back GET /v1/kb/usefulness looks
// without a since.
const DefaultUsefulnessPeriod = 30 * 24 * time.Hour

// fcrInput is the board's part of first-contact resolution: this week's
// and today's counts, read with the rest of the store's part.
type fcrInput struct {
	week, today sportello.FCRCounts
	operators   map[string]sportello.FCRCounts // today, per author (operatorfcr.go)
	services    []sportello.ServiceFCR         // today, per service (servicefcr.go)
}

// weekStart is Monday 00:00 of day's week in loc (day is a midnight).
func weekStart(day time.Time, loc *time.Location) time.Time {
	day = day.In(loc)
	back := (int(day.Weekday()) + 6) % 7
	return time.Date(day.Year(), day.Month(), day.Day()-back, 0, 0, 0, 0, loc)
}

// readFCR reads this week's and today's first-contact resolution: one
// query, whatever the number of supervisors.
func (b *board) readFCR(ctx context.Context, day time.Time) (fcrInput, error) {
	week, today, err := b.s.store.FCRCounts(ctx, weekStart(day, b.cfg().Location), day)
	if err != nil {
		return fcrInput{}, err
	}
	operators, err := b.readOperatorFCR(ctx, day)
	return fcrInput{week: week, today: today, operators: operators}, err
}

// apply puts the true counts of today and the week's on the board; today's
// as-recorded numbers stay those of the wrap-up counts.
func (in fcrInput) apply(f *sportello.BoardFCR) {
	f.FirstContacts, f.TrueResolved = in.today.FirstContacts, in.today.TrueResolved
	f.Week = in.week
	f.Services = in.services
}

// handleKBUsefulness serves GET /v1/kb/usefulness?since=RFC3339&never_limit=N:
// per knowledge-base entry, the calls it answered and how many were
// resolved at first contact (as recorded and true), entries never used,
// and first-contact resolution per service. Specialists see only their
// desks' entries.
func (s *Server) handleKBUsefulness(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	since := s.Now().Add(-DefaultUsefulnessPeriod)
	if v := r.URL.Query().Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "since must be a time such as 2025-04-28T00:00:00+02:00"))
			return
		}
		since = t
	}
	limit, err := queryInt(r, "never_limit", wire.DefaultNeverUsedLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if limit > wire.MaxNeverUsedLimit {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "never_limit must be at most %d", wire.MaxNeverUsedLimit))
		return
	}
	var desks []string
	if !allDesks(u.Role) {
		if desks, err = s.store.UserDesks(r.Context(), u.ID); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	out, err := s.store.KBUsefulness(r.Context(), since, desks, allDesks(u.Role), int(limit))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, out)
}

// handleDeskAvailability serves GET /v1/desks/availability: for each desk,
// its members available right now (by name) and how many are on a call,
// from the states agents report to this node (board.go). Anyone who
// transfers calls may read it; it names no citizen.
func (s *Server) handleDeskAvailability(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	desks, err := s.store.Desks(r.Context(), "")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	members, err := s.store.DeskMembers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b := s.boardOf()
	if err := b.loadPresence(r.Context()); err != nil { // every node's agents (presence.go)
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, wire.DeskAvailabilityResponse{Desks: b.availability(desks, members)})
}

// availability joins desks' members with the agents' reported states.
func (b *board) availability(desks []sportello.Desk, members []wire.DeskMember) []sportello.DeskAvailability {
	b.mu.Lock()
	defer b.mu.Unlock()
	byDesk := map[string]*sportello.DeskAvailability{}
	out := make([]sportello.DeskAvailability, len(desks))
	for i, d := range desks {
		out[i] = sportello.DeskAvailability{DeskID: d.ID, DeskName: d.Name, Available: []string{}}
		byDesk[d.ID] = &out[i]
	}
	for _, m := range members {
		d := byDesk[m.DeskID]
		if d == nil {
			continue
		}
		d.Members++
		p, ok := b.input.presence[m.UserID]
		switch {
		case !ok:
		case p.state == sportello.AgentAvailable:
			d.Available = append(d.Available, p.name)
		case p.state == sportello.AgentOnCall:
			d.OnCall++
		}
	}
	for i := range out {
		slices.SortFunc(out[i].Available, strings.Compare)
	}
	return out
}
