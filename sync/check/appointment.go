package check

import (
	"strings"
	"time"
	"unicode"

	"github.com/sportello/sportello"
)

// Booking checks a booking sent by actor and returns it normalized: the
// id a canonical UUID, the start in UTC.
func Booking(actor *sportello.User, r sportello.AppointmentRequest) (sportello.AppointmentRequest, error) {
	if actor == nil {
		return r, sportello.Errorf(sportello.EUNAUTHORIZED, "sign in to book an appointment")
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	id, err := OpID(r.ID)
	if err != nil {
		return r, err
	}
	r.ID, r.Start = id, r.Start.UTC()
	for _, f := range []struct{ name, v string }{
		{"office_id", r.OfficeID}, {"service", r.Service}, {"citizen_id", r.CitizenID}, {"case_id", r.CaseID},
	} {
		if len(f.v) > MaxRefLen || !Storable(f.v) || strings.IndexFunc(f.v, unicode.IsControl) >= 0 {
			return r, sportello.Errorf(sportello.EINVALID, "%s is not an id", f.name)
		}
	}
	return r, nil
}

// AppointmentID checks the id of an appointment named in a path.
func AppointmentID(id string) error {
	if id == "" || len(id) > MaxRefLen || !Storable(id) || strings.IndexFunc(id, unicode.IsControl) >= 0 {
		return sportello.Errorf(sportello.EINVALID, "name the appointment: an id has at most %d characters", MaxRefLen)
	}
	return nil
}

// Appointment verbs, in the note of an appointment event.
const (
	VerbBooked    = "Prenotato"
	VerbMoved     = "Spostato"
	VerbCancelled = "Annullato"
)

// AppointmentEvent is the case event telling that actor booked, moved or
// cancelled a (verb: VerbBooked...): CallID names the appointment, Note
// says where and when in the service's zone. Not yet stamped with id and
// time.
func AppointmentEvent(actor *sportello.User, a *sportello.Appointment, zone, verb string) *sportello.CaseEvent {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return &sportello.CaseEvent{
		CaseID: a.CaseID, Kind: sportello.EventAppointment, CallID: a.ID, Category: a.ServiceName,
		Note:     "Appuntamento " + strings.ToLower(verb) + ": " + a.Summary(loc),
		AuthorID: actor.ID, Author: actor.Name, AuthorRole: actor.Role,
	}
}

// AppointmentCaseOpened is the opened event of the case a booking without
// a case opens, for the service s.
func AppointmentCaseOpened(actor *sportello.User, caseID string, s *sportello.OfficeService) *sportello.CaseEvent {
	category := s.Category
	if category == "" {
		category = s.Name
	}
	return &sportello.CaseEvent{
		CaseID: caseID, Kind: sportello.EventOpened, Category: Clip(category, MaxCategoryLen),
		Note:     Clip("Appuntamento: "+s.Name, MaxSubjectLen),
		AuthorID: actor.ID, Author: actor.Name, AuthorRole: actor.Role,
	}
}

// SameBooking reports whether a stored appointment is what a repeat of
// booking r (same id) would have made: a repeat returns it, anything else
// under the same id is ECONFLICT.
func SameBooking(actor *sportello.User, a *sportello.Appointment, r sportello.AppointmentRequest) bool {
	return a.OfficeID == r.OfficeID && a.Service == r.Service && a.CitizenID == r.CitizenID && a.BookedBy == actor.ID &&
		(r.CaseID == "" || r.CaseID == a.CaseID)
}
