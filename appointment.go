package sportello

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// EventAppointment records on a case that an appointment at an office was
// booked, moved or cancelled: CallID names the appointment and Note says
// what happened, where and when. It is history only and keeps the case's
// state, so that a cancellation is recorded even on a resolved case.
const EventAppointment EventKind = "appointment"

// AppointmentStatus is where an appointment stands.
type AppointmentStatus string

// Appointment statuses: booked, moved to another slot (still kept), or
// cancelled (its place is free again).
const (
	AppointmentBooked    AppointmentStatus = "booked"
	AppointmentMoved     AppointmentStatus = "moved"
	AppointmentCancelled AppointmentStatus = "cancelled"
)

// Active reports whether an appointment in status st holds its place.
func (st AppointmentStatus) Active() bool {
	return st == AppointmentBooked || st == AppointmentMoved
}

// ErrSlotTaken is the message of the ECONFLICT a booking gets when the
// slot's last place went to someone else first.
const ErrSlotTaken = "slot just taken"

// Bounds of a slot calendar.
const (
	MinSlotMinutes  = 5
	MaxSlotMinutes  = 8 * 60
	MaxSlotCapacity = 100
	MaxHorizonDays  = 365
)

// SlotCalendar is how an office gives out a service's appointments: slots
// of SlotMinutes each with Capacity places, inside the weekly Hours (the
// form ParseHours reads) in Zone, closed on the Holidays, bookable up to
// HorizonDays ahead.
type SlotCalendar struct {
	SlotMinutes int      `json:"slot_minutes"`
	Capacity    int      `json:"capacity"`
	Hours       string   `json:"hours"`
	HorizonDays int      `json:"horizon_days"`
	Zone        string   `json:"zone"` // IANA name, e.g. "Europe/Rome"
	Holidays    Calendar `json:"holidays"`
}

// Validate checks a slot calendar and returns its parsed hours and zone.
func (sc SlotCalendar) Validate() (WeeklyHours, *time.Location, error) {
	switch {
	case sc.SlotMinutes < MinSlotMinutes || sc.SlotMinutes > MaxSlotMinutes:
		return WeeklyHours{}, nil, Errorf(EINVALID, "a slot lasts %d to %d minutes", MinSlotMinutes, MaxSlotMinutes)
	case sc.Capacity < 1 || sc.Capacity > MaxSlotCapacity:
		return WeeklyHours{}, nil, Errorf(EINVALID, "a slot has 1 to %d places", MaxSlotCapacity)
	case sc.HorizonDays < 1 || sc.HorizonDays > MaxHorizonDays:
		return WeeklyHours{}, nil, Errorf(EINVALID, "appointments are bookable 1 to %d days ahead", MaxHorizonDays)
	}
	h, err := ParseHours(sc.Hours)
	if err != nil {
		return h, nil, err
	}
	loc, err := time.LoadLocation(sc.Zone)
	if err != nil || sc.Zone == "" {
		return h, nil, Errorf(EINVALID, "unknown time zone %q", sc.Zone)
	}
	return h, loc, nil
}

// OfficeService is a service an office gives by appointment, with its
// slot calendar. OfficeName and OfficeAddress are filled in on lists.
type OfficeService struct {
	OfficeID      string       `json:"office_id"`
	ID            string       `json:"id"` // short key, unique in the office, e.g. "cie"
	Name          string       `json:"name"`
	Category      string       `json:"category,omitempty"` // of the catalogue, for the case a booking opens
	Calendar      SlotCalendar `json:"calendar"`
	OfficeName    string       `json:"office_name,omitempty"`
	OfficeAddress string       `json:"office_address,omitempty"`
}

// Slot is one bookable time of an office's service. Booked counts the
// places taken when the slot was read.
type Slot struct {
	OfficeID string    `json:"office_id"`
	Service  string    `json:"service"`
	Start    time.Time `json:"start"` // UTC
	End      time.Time `json:"end"`   // UTC
	Capacity int       `json:"capacity"`
	Booked   int       `json:"booked"`
}

// Free returns how many places the slot has left.
func (s Slot) Free() int { return max(0, s.Capacity-s.Booked) }

// Slots returns the slots of the service that start in [from, to), no
// earlier than now and no later than HorizonDays after now, in order.
// Slots are laid out on the wall clock of the calendar's zone, so that a
// 9:00 slot is at 9:00 on both sides of a change of summer time; a slot
// never runs past the end of its opening range. Holidays have none.
func (s OfficeService) Slots(now, from, to time.Time) ([]Slot, error) {
	hours, loc, err := s.Calendar.Validate()
	if err != nil {
		return nil, err
	}
	if from.Before(now) {
		from = now
	}
	if horizon := now.Add(time.Duration(s.Calendar.HorizonDays) * 24 * time.Hour); to.After(horizon) {
		to = horizon
	}
	var slots []Slot
	first := from.In(loc)
	day := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc)
	for ; day.Before(to); day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc) {
		if _, holiday := s.Calendar.Holidays.Holiday(day); holiday {
			continue
		}
		for _, r := range hours.Days[day.Weekday()] {
			for m := r.From; m+s.Calendar.SlotMinutes <= r.To; m += s.Calendar.SlotMinutes {
				start := at(day, m, loc)
				if start.Before(from) || !start.Before(to) {
					continue
				}
				slots = append(slots, Slot{
					OfficeID: s.OfficeID, Service: s.ID, Start: start.UTC(),
					End: at(day, m+s.Calendar.SlotMinutes, loc).UTC(), Capacity: s.Calendar.Capacity,
				})
			}
		}
	}
	slices.SortFunc(slots, func(a, b Slot) int { return a.Start.Compare(b.Start) })
	return slots, nil
}

// SlotAt returns the slot of the service that starts at start, or
// EINVALID when no slot starts then (outside the hours, on a holiday, in
// the past or beyond the horizon).
func (s OfficeService) SlotAt(now, start time.Time) (Slot, error) {
	slots, err := s.Slots(now, start, start.Add(time.Minute))
	if err != nil {
		return Slot{}, err
	}
	for _, sl := range slots {
		if sl.Start.Equal(start) {
			return sl, nil
		}
	}
	return Slot{}, Errorf(EINVALID, "%s has no appointment at %s", s.Name, start.UTC().Format(time.RFC3339))
}

// Appointment is a citizen's appointment at an office, booked by an
// operator or a specialist. The names are filled in on reads.
type Appointment struct {
	ID        string            `json:"id"` // UUIDv7, made by the client
	OfficeID  string            `json:"office_id"`
	Service   string            `json:"service"`
	Start     time.Time         `json:"start"` // UTC
	End       time.Time         `json:"end"`   // UTC
	CitizenID string            `json:"citizen_id"`
	CaseID    string            `json:"case_id,omitempty"`
	Status    AppointmentStatus `json:"status"`
	BookedBy  string            `json:"booked_by,omitempty"` // user id
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`

	OfficeName    string `json:"office_name,omitempty"`
	OfficeAddress string `json:"office_address,omitempty"`
	ServiceName   string `json:"service_name,omitempty"`
	CitizenName   string `json:"citizen_name,omitempty"`
	// CitizenEmail is where syncd sends the confirmation; never sent to
	// desktops.
	CitizenEmail string `json:"-"`
}

// Summary is the appointment as the case's history tells it, in Italian
// with the time in loc: "Anagrafe centrale, Carta d'identità, mar 01/12/2026 09:30".
func (a *Appointment) Summary(loc *time.Location) string {
	days := [...]string{"dom", "lun", "mar", "mer", "gio", "ven", "sab"}
	t := a.Start.In(loc)
	office, service := a.OfficeName, a.ServiceName
	if office == "" {
		office = a.OfficeID
	}
	if service == "" {
		service = a.Service
	}
	return fmt.Sprintf("%s, %s, %s %s", office, service, days[t.Weekday()], t.Format("02/01/2006 15:04"))
}

// AppointmentRequest is a booking as the desktop asks for it. ID (UUIDv7,
// made by the client) makes it idempotent; CaseID, when set, is the case
// the appointment is about, otherwise the booking opens one.
type AppointmentRequest struct {
	ID        string    `json:"id"`
	OfficeID  string    `json:"office_id"`
	Service   string    `json:"service"`
	Start     time.Time `json:"start"`
	CitizenID string    `json:"citizen_id"`
	CaseID    string    `json:"case_id,omitempty"`
}

// Validate reports what is missing from a booking.
func (r AppointmentRequest) Validate() error {
	switch {
	case r.ID == "":
		return Errorf(EINVALID, "a booking needs an id")
	case r.OfficeID == "" || r.Service == "":
		return Errorf(EINVALID, "choose the office and the service")
	case r.Start.IsZero():
		return Errorf(EINVALID, "choose the time of the appointment")
	case r.CitizenID == "":
		return Errorf(EINVALID, "an appointment is for a known citizen")
	}
	return nil
}

// AppointmentService books citizens' appointments at the City's offices.
// It works only while syncd is reachable: places are given out there.
type AppointmentService interface {
	// OfficeServices returns the services offices give by appointment.
	OfficeServices(ctx context.Context) ([]OfficeService, error)
	// FreeSlots returns the slots of an office's service in [from, to)
	// that have a place left, first first.
	FreeSlots(ctx context.Context, officeID, service string, from, to time.Time) ([]Slot, error)
	// BookAppointment books a place; the slot's last place taken by
	// someone else first is ECONFLICT ErrSlotTaken.
	BookAppointment(ctx context.Context, r AppointmentRequest) (*Appointment, error)
	// MoveAppointment moves an appointment to another slot of its service.
	MoveAppointment(ctx context.Context, id string, start time.Time) (*Appointment, error)
	// CancelAppointment cancels an appointment and frees its place.
	CancelAppointment(ctx context.Context, id string) (*Appointment, error)
	// CitizenAppointments returns a citizen's appointments, next first.
	CitizenAppointments(ctx context.Context, citizenID string) ([]*Appointment, error)
}
