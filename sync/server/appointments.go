package server

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	netmail "net/mail"
	"slices"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/mail"
	"github.com/sportello/sportello/sync/wire"
)

// AppointmentStore is the appointments' part of Store (issue 5).
type AppointmentStore interface {
	// OfficeServices returns the services offices give by appointment.
	OfficeServices(ctx context.Context) ([]sportello.OfficeService, error)
	// FreeSlots returns the slots of an office's service in [from, to),
	// from the store's now to the horizon, with a place left.
	FreeSlots(ctx context.Context, officeID, service string, from, to time.Time) ([]sportello.Slot, error)
	// BookAppointment books a place in one transaction, counting the
	// slot's places there (ECONFLICT sportello.ErrSlotTaken when none is
	// left), with an appointment event on the citizen's case (opened when
	// none is named); a repeat of the id returns the appointment with
	// replayed true.
	BookAppointment(ctx context.Context, actor *sportello.User, r sportello.AppointmentRequest) (a *sportello.Appointment, replayed bool, err error)
	// MoveAppointment and CancelAppointment change an appointment in one
	// transaction with an appointment event on its case; each is
	// idempotent (a move to where it is, a cancellation of a cancelled
	// one, change nothing).
	MoveAppointment(ctx context.Context, actor *sportello.User, id string, start time.Time) (*sportello.Appointment, error)
	CancelAppointment(ctx context.Context, actor *sportello.User, id string) (*sportello.Appointment, error)
	// Appointment returns one appointment; CitizenAppointments a
	// citizen's, by start.
	Appointment(ctx context.Context, id string) (*sportello.Appointment, error)
	CitizenAppointments(ctx context.Context, citizenID string) ([]*sportello.Appointment, error)
	// AppointmentsBookedSince counts the appointments booked since a
	// moment and not cancelled, by office id, for the board.
	AppointmentsBookedSince(ctx context.Context, since time.Time) (map[string]int, error)
	// PutOfficeServices stores offices and the services they give by
	// appointment (syncd's seed, tests).
	PutOfficeServices(ctx context.Context, offices []sportello.Office, services []sportello.OfficeService) error
}

// Bounds of a request for free slots.
const (
	DefaultSlotsRange = 14 * 24 * time.Hour
	MaxSlotsRange     = 62 * 24 * time.Hour
)

// mailTimeout bounds the sending of one confirmation: the booking is kept
// whatever the relay does.
const mailTimeout = 10 * time.Second

// handleOfficeServices serves GET /v1/appointments/services.
func (s *Server) handleOfficeServices(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	svcs, err := s.store.OfficeServices(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, wire.OfficeServicesResponse{Services: svcs})
}

// handleFreeSlots serves GET /v1/appointments/slots?office_id=&service=&from=&to=:
// the slots with a place left, from (default now) for at most MaxSlotsRange.
func (s *Server) handleFreeSlots(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	q := r.URL.Query()
	from, to := s.Now().UTC(), time.Time{}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "%s is not an RFC 3339 time", p.name))
				return
			}
			*p.t = t.UTC()
		}
	}
	if to.IsZero() {
		to = from.Add(DefaultSlotsRange)
	}
	if !to.After(from) || to.Sub(from) > MaxSlotsRange {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "ask for slots over at most %d days", int(MaxSlotsRange.Hours()/24)))
		return
	}
	slots, err := s.store.FreeSlots(r.Context(), q.Get("office_id"), q.Get("service"), from, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, wire.SlotsResponse{Slots: slots})
}

// handleCitizenAppointments serves GET /v1/appointments?citizen_id=.
func (s *Server) handleCitizenAppointments(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	id := r.URL.Query().Get("citizen_id")
	if id == "" {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "name the citizen: citizen_id"))
		return
	}
	list, err := s.store.CitizenAppointments(r.Context(), id)
	if err == nil {
		err = s.auditAppointments(r, u, id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, wire.AppointmentsResponse{Appointments: list})
}

// handleBookAppointment serves POST /v1/appointments: a place booked in
// one transaction (the loser of a race for a slot's last place gets 409
// "slot just taken"), then the citizen's confirmation by email when syncd
// has a relay and the citizen an address.
func (s *Server) handleBookAppointment(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var req wire.BookAppointmentRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, replayed, err := s.store.BookAppointment(r.Context(), u, req)
	if err != nil {
		result := "refused"
		if sportello.ErrorMessage(err) == sportello.ErrSlotTaken {
			result = "slot_taken"
		}
		s.metrics.inc(`syncd_ops_total{kind="appointment",result="` + result + `"}`)
		s.writeError(w, r, err)
		return
	}
	if replayed {
		w.Header().Set(HeaderReplayed, "true")
		s.writeJSON(w, http.StatusOK, a)
		return
	}
	s.metrics.inc(`syncd_ops_total{kind="appointment",result="created"}`)
	s.logger.Info("appointment booked", logAgent, u.Username, logCaseID, a.CaseID, logKind, a.Service)
	s.publishNew(r.Context())
	s.confirm(r.Context(), a, ics.MethodRequest)
	s.writeJSON(w, http.StatusCreated, a)
}

// handleMoveAppointment serves POST /v1/appointments/{id}/move.
func (s *Server) handleMoveAppointment(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	var req wire.MoveAppointmentRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	before, err := s.store.Appointment(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.store.MoveAppointment(r.Context(), u, before.ID, req.Start.UTC())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !a.UpdatedAt.Equal(before.UpdatedAt) {
		s.logger.Info("appointment moved", logAgent, u.Username, logCaseID, a.CaseID)
		s.publishNew(r.Context())
		s.confirm(r.Context(), a, ics.MethodRequest)
	}
	s.writeJSON(w, http.StatusOK, a)
}

// handleCancelAppointment serves POST /v1/appointments/{id}/cancel.
func (s *Server) handleCancelAppointment(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	before, err := s.store.Appointment(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.store.CancelAppointment(r.Context(), u, before.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if before.Status.Active() {
		s.logger.Info("appointment cancelled", logAgent, u.Username, logCaseID, a.CaseID)
		s.publishNew(r.Context())
		s.confirm(r.Context(), a, ics.MethodCancel)
	}
	s.writeJSON(w, http.StatusOK, a)
}

// confirm emails the citizen the appointment as an iCalendar event
// (REQUEST for a booking or a move, CANCEL for a cancellation), when
// syncd has a relay and the citizen an address. A relay that fails is
// logged and counted: the appointment stands, and is on the case.
func (s *Server) confirm(ctx context.Context, a *sportello.Appointment, method ics.Method) {
	if s.Mail == nil || a.CitizenEmail == "" {
		return
	}
	msg, err := AppointmentMessage(a, method, senderAddress(s.Mail), s.Now(), s.Board.withDefaults().Location)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), mailTimeout)
		err = s.Mail.Send(ctx, msg)
		cancel()
	}
	if err != nil {
		s.metrics.inc(`syncd_mail_total{result="failed"}`)
		s.logger.Warn("appointment confirmation not sent", logCaseID, a.CaseID, logErr, err)
		return
	}
	s.metrics.inc(`syncd_mail_total{result="sent"}`)
}

// AppointmentMessage is the email telling a citizen of an appointment, in
// Italian then English, with the appointment as an iCalendar event: UID
// the appointment's id, DTSTART and DTEND in UTC, SUMMARY the service and
// office, LOCATION the office's address, METHOD REQUEST (booked, moved)
// or CANCEL, ORGANIZER from (the relay's sender, "Name <address>"; none
// when empty). Times in the text are in loc.
func AppointmentMessage(a *sportello.Appointment, method ics.Method, from string, now time.Time, loc *time.Location) (mail.Message, error) {
	cal := ics.NewCalendarFor("Sportello")
	cal.SetMethod(method)
	ev := cal.AddEvent(a.ID + "@sportello")
	ev.SetDtStampTime(now.UTC())
	ev.SetStartAt(a.Start.UTC())
	ev.SetEndAt(a.End.UTC())
	ev.SetSummary(a.ServiceName + " - " + a.OfficeName)
	ev.SetLocation(a.OfficeAddress)
	// Each change of the appointment supersedes the last: its sequence
	// grows with the time since the booking.
	ev.SetSequence(int(a.UpdatedAt.Sub(a.CreatedAt) / time.Second))
	if addr, err := netmail.ParseAddress(from); err == nil {
		ev.SetOrganizer("mailto:"+addr.Address, ics.WithCN(cmp.Or(addr.Name, a.OfficeName)))
	}
	if a.CitizenEmail != "" {
		ev.AddAttendee("mailto:"+a.CitizenEmail, ics.WithCN(a.CitizenName))
	}
	status := ics.ObjectStatusConfirmed
	if method == ics.MethodCancel {
		status = ics.ObjectStatusCancelled
	}
	ev.SetStatus(status)
	when := a.Start.In(loc).Format("02/01/2006 15:04")
	var subject, text string
	if method == ics.MethodCancel {
		subject = fmt.Sprintf("Appuntamento annullato / Appointment cancelled: %s", a.ServiceName)
		text = fmt.Sprintf("Gentile %s,\nil suo appuntamento per %s presso %s (%s) del %s è stato annullato.\n\n"+
			"Dear %s,\nyour appointment for %s at %s (%s) on %s has been cancelled.\n",
			a.CitizenName, a.ServiceName, a.OfficeName, a.OfficeAddress, when,
			a.CitizenName, a.ServiceName, a.OfficeName, a.OfficeAddress, when)
	} else {
		subject = fmt.Sprintf("Conferma appuntamento / Appointment confirmed: %s", a.ServiceName)
		text = fmt.Sprintf("Gentile %s,\nle confermiamo l'appuntamento per %s presso %s (%s) il %s.\n"+
			"In allegato l'evento da aggiungere al calendario.\n\n"+
			"Dear %s,\nyour appointment for %s at %s (%s) is confirmed for %s.\n"+
			"The attached event can be added to your calendar.\n",
			a.CitizenName, a.ServiceName, a.OfficeName, a.OfficeAddress, when,
			a.CitizenName, a.ServiceName, a.OfficeName, a.OfficeAddress, when)
	}
	var b strings.Builder
	// RFC 5545 lines end in CRLF.
	if err := cal.SerializeTo(&b, ics.WithNewLineWindows); err != nil {
		return mail.Message{}, fmt.Errorf("appointment calendar: %w", err)
	}
	return mail.Message{
		To: []string{a.CitizenEmail}, Subject: subject, Text: text,
		Attachments: []mail.Attachment{{
			Name: "appuntamento.ics", ContentType: "text/calendar; method=" + string(method), Data: []byte(b.String()),
		}},
	}, nil
}

// readAppointments reads the appointments booked since day, by office,
// for the board: offices with none are left out, the others by name.
func (b *board) readAppointments(ctx context.Context, day time.Time) ([]sportello.BoardOffice, error) {
	counts, err := b.s.store.AppointmentsBookedSince(ctx, day)
	if err != nil || len(counts) == 0 {
		return nil, err
	}
	svcs, err := b.s.store.OfficeServices(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, sv := range svcs {
		names[sv.OfficeID] = sv.OfficeName
	}
	var out []sportello.BoardOffice
	for id, n := range counts {
		out = append(out, sportello.BoardOffice{ID: id, Name: cmp.Or(names[id], id), BookedToday: n})
	}
	slices.SortFunc(out, func(x, y sportello.BoardOffice) int {
		return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.ID, y.ID))
	})
	return out, nil
}

// senderAddress is the address the relay sends from, when it says: the
// events' ORGANIZER (RFC 5546 wants one in a REQUEST).
func senderAddress(m mail.Sender) string {
	if smtp, ok := m.(*mail.SMTP); ok {
		return smtp.From
	}
	return ""
}
