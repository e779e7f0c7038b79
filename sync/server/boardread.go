package server

import (
	"context"
	"time"

	"github.com/sportello/sportello"
)

// readSet names the sections of the store's part of the board, each read
// again only after a change that can move it.
type readSet uint8

// The sections of the board's reads.
const (
	// readDesks: the desks and their members (Desks, DeskMembers); moved
	// only by a supervisor's move of an agent (boardChanged), re-read
	// with everything every Refresh.
	readDesks readSet = 1 << iota
	// readBacklog: the cases in desks' queues (DeskBacklog); moved by an
	// event on a case at a desk.
	readBacklog
	// readWrapUps: today's wrap-ups counted by author, by hour, their
	// MOS and first-contact resolution (WrapUpCounts, WrapUpHours,
	// WrapUpMOS, FCRCounts, OperatorFCR and ServiceFCR); moved by a wrap-up.
	readWrapUps
	// readCallbacks: the callbacks (BoardCallbacks); moved by a callback
	// scheduled or attempted, a note on one, a citizen's new name.
	readCallbacks
	// readAppointments: appointments booked today by office; moved by an
	// appointment.
	readAppointments

	readAll = readDesks | readBacklog | readWrapUps | readCallbacks | readAppointments
)

// sectionsOf returns the sections of the board that changes can move: a
// wrap-up on a new case reads today's wrap-ups (and the callbacks when
// it scheduled one), not the desks, their queues or the appointments.
// A change it does not know reads everything.
func sectionsOf(changes []sportello.Change) readSet {
	var set readSet
	for _, ch := range changes {
		switch {
		case ch.Kind == sportello.ChangeKindKB || ch.Kind == sportello.ChangeKindDirectory:
			// Not on the board.
		case ch.Kind == sportello.ChangeKindCitizen:
			set |= readCallbacks // a callback shows its citizen's name
		case ch.Kind != sportello.ChangeKindCaseEvent || ch.Event == nil:
			return readAll
		default:
			if ch.DeskID != "" {
				set |= readBacklog // the case is, or was, at a desk
			}
			switch e := ch.Event; e.Kind {
			case sportello.EventWrapUp:
				set |= readWrapUps
			case sportello.EventCallbackScheduled, sportello.EventCallbackAttempt:
				set |= readCallbacks
			case sportello.EventNote:
				if e.CallID != "" {
					set |= readCallbacks // syncd's note on a callback moved or failed
				}
			case sportello.EventAppointment:
				set |= readAppointments
			}
		}
	}
	return set
}

// boardChangedBy is called after changes are published: the board reads
// again the sections they can move, on its next recompute or, when the
// board's reads are spaced (BoardConfig.ReadShare), on the first after.
func (s *Server) boardChangedBy(changes []sportello.Change) {
	s.boardOf().mark(sectionsOf(changes), false)
}

// boardSectionsChanged marks sections of the board to read again on its
// next recompute, whatever the spacing of reads: a supervisor's action
// on the board (boardact.go) shows at once.
func (s *Server) boardSectionsChanged(set readSet) {
	s.boardOf().mark(set, true)
}

// mark marks sections to read again and asks for a recompute; now reads
// them on it even if reads are spaced. While sections already wait for
// their spaced read, the loop's timer brings it: a recompute before it
// would read nothing new (at 1,000 ops/s, 20 pointless recomputes of a
// 2,000-agent board a second).
func (b *board) mark(set readSet, now bool) {
	if set == 0 {
		return
	}
	b.mu.Lock()
	b.dirty |= set
	if now {
		b.nextRead = time.Time{}
	}
	wake := !b.readWaiting || !time.Now().Before(b.nextRead)
	b.mu.Unlock()
	if wake {
		b.poke()
	}
}

// readSections reads the sections of set into in (the others are left
// as they are): one to five queries each, whatever the number of
// supervisors.
func (b *board) readSections(ctx context.Context, day time.Time, set readSet) (boardInput, error) {
	var in boardInput
	var err error
	st := b.s.store
	if set&readDesks != 0 {
		if in.desks, err = st.Desks(ctx, ""); err != nil {
			return in, err
		}
		if in.act.members, err = st.DeskMembers(ctx); err != nil {
			return in, err
		}
	}
	if set&readBacklog != 0 {
		if in.backlog, err = st.DeskBacklog(ctx); err != nil {
			return in, err
		}
	}
	if set&readWrapUps != 0 {
		if in.wrapUps, err = st.WrapUpCounts(ctx, day); err != nil {
			return in, err
		}
		if in.fcr, err = b.readFCRToday(ctx, day, set == readAll); err != nil {
			return in, err
		}
		if in.fcr.services, err = b.readServiceFCR(ctx, day); err != nil { // servicefcr.go
			return in, err
		}
		if in.act.hours, err = st.WrapUpHours(ctx, day); err != nil {
			return in, err
		}
		if in.act.mos, err = st.WrapUpMOS(ctx, day); err != nil { // mos.go
			return in, err
		}
	}
	if set&readCallbacks != 0 {
		if in.act.callbacks, err = st.BoardCallbacks(ctx, day); err != nil {
			return in, err
		}
	}
	if set&readAppointments != 0 {
		if in.offices, err = b.readAppointments(ctx, day); err != nil { // appointments.go
			return in, err
		}
	}
	return in, nil
}

// install puts the sections of set read into dst. Called with b.mu held.
func (in boardInput) install(dst *boardInput, set readSet) {
	if set&readDesks != 0 {
		dst.desks, dst.act.members = in.desks, in.act.members
	}
	if set&readBacklog != 0 {
		dst.backlog = in.backlog
	}
	if set&readWrapUps != 0 {
		dst.wrapUps, dst.fcr, dst.act.hours, dst.act.mos = in.wrapUps, in.fcr, in.act.hours, in.act.mos
	}
	if set&readCallbacks != 0 {
		dst.act.callbacks = in.act.callbacks
	}
	if set&readAppointments != 0 {
		dst.offices = in.offices
	}
}

// readFCRToday reads first-contact resolution: this week's and today's
// (fcr.go) when all is read, and then keeps the week's part before today;
// after a wrap-up, today's only, added to that part. A week of wrap-ups
// is scanned once per Refresh, not once per wrap-up; the week's true
// resolution lags by at most Refresh when a call today repeats one of an
// earlier day. Called by recompute only.
func (b *board) readFCRToday(ctx context.Context, day time.Time, all bool) (fcrInput, error) {
	if all || !b.weekFor.Equal(day) {
		in, err := b.readFCR(ctx, day) // fcr.go
		if err != nil {
			return in, err
		}
		b.weekBefore, b.weekFor = subFCR(in.week, in.today), day
		return in, nil
	}
	_, today, err := b.s.store.FCRCounts(ctx, day, day)
	if err != nil {
		return fcrInput{}, err
	}
	operators, err := b.readOperatorFCR(ctx, day) // operatorfcr.go
	return fcrInput{week: addFCR(b.weekBefore, today), today: today, operators: operators}, err
}

// addFCR and subFCR add and subtract counts.
func addFCR(x, y sportello.FCRCounts) sportello.FCRCounts {
	return sportello.FCRCounts{WrapUps: x.WrapUps + y.WrapUps, Resolved: x.Resolved + y.Resolved,
		FirstContacts: x.FirstContacts + y.FirstContacts, TrueResolved: x.TrueResolved + y.TrueResolved}
}

func subFCR(x, y sportello.FCRCounts) sportello.FCRCounts {
	return sportello.FCRCounts{WrapUps: x.WrapUps - y.WrapUps, Resolved: x.Resolved - y.Resolved,
		FirstContacts: x.FirstContacts - y.FirstContacts, TrueResolved: x.TrueResolved - y.TrueResolved}
}
