package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

var _ sportello.AppointmentService = (*Client)(nil)

// ErrAppointmentsOffline is the message of the EUNAVAILABLE every
// appointment call gets while syncd is unreachable: places are given out
// there, so nothing about appointments is queued or read from the replica.
const ErrAppointmentsOffline = "appointments need syncd, which cannot be reached: try again when the desktop is online"

// appointments sends one appointment request straight to syncd, turning
// "unreachable" into the clear ErrAppointmentsOffline.
func (c *Client) appointments(ctx context.Context, method, path string, in, out any) error {
	err := c.do(ctx, method, path, in, out)
	if sportello.ErrorCode(err) == sportello.EUNAVAILABLE {
		return sportello.Errorf(sportello.EUNAVAILABLE, ErrAppointmentsOffline)
	}
	return err
}

// OfficeServices returns the services offices give by appointment.
func (c *Client) OfficeServices(ctx context.Context) ([]sportello.OfficeService, error) {
	var resp wire.OfficeServicesResponse
	if err := c.appointments(ctx, http.MethodGet, "/v1/appointments/services", nil, &resp); err != nil {
		return nil, err
	}
	return resp.Services, nil
}

// FreeSlots returns the slots of an office's service in [from, to) with a
// place left, first first.
func (c *Client) FreeSlots(ctx context.Context, officeID, service string, from, to time.Time) ([]sportello.Slot, error) {
	q := url.Values{"office_id": {officeID}, "service": {service}}
	if !from.IsZero() {
		q.Set("from", from.UTC().Format(time.RFC3339))
	}
	if !to.IsZero() {
		q.Set("to", to.UTC().Format(time.RFC3339))
	}
	var resp wire.SlotsResponse
	if err := c.appointments(ctx, http.MethodGet, "/v1/appointments/slots?"+q.Encode(), nil, &resp); err != nil {
		return nil, err
	}
	return resp.Slots, nil
}

// BookAppointment books a place on syncd. A request without an id gets a
// fresh UUIDv7, so that the same request sent again after a lost answer
// books once; the slot's last place taken first by another desktop is
// ECONFLICT sportello.ErrSlotTaken.
func (c *Client) BookAppointment(ctx context.Context, r sportello.AppointmentRequest) (*sportello.Appointment, error) {
	if r.ID == "" {
		r.ID = uuid.Must(uuid.NewV7()).String()
	}
	var a sportello.Appointment
	if err := c.appointments(ctx, http.MethodPost, "/v1/appointments", r, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// MoveAppointment moves an appointment to the slot that starts at start.
func (c *Client) MoveAppointment(ctx context.Context, id string, start time.Time) (*sportello.Appointment, error) {
	if id == "" {
		return nil, sportello.Errorf(sportello.EINVALID, "name the appointment")
	}
	var a sportello.Appointment
	if err := c.appointments(ctx, http.MethodPost, "/v1/appointments/"+url.PathEscape(id)+"/move", wire.MoveAppointmentRequest{Start: start}, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// CancelAppointment cancels an appointment and frees its place.
func (c *Client) CancelAppointment(ctx context.Context, id string) (*sportello.Appointment, error) {
	if id == "" {
		return nil, sportello.Errorf(sportello.EINVALID, "name the appointment")
	}
	var a sportello.Appointment
	if err := c.appointments(ctx, http.MethodPost, "/v1/appointments/"+url.PathEscape(id)+"/cancel", nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// CitizenAppointments returns a citizen's appointments, by start.
func (c *Client) CitizenAppointments(ctx context.Context, citizenID string) ([]*sportello.Appointment, error) {
	var resp wire.AppointmentsResponse
	if err := c.appointments(ctx, http.MethodGet, "/v1/appointments?"+url.Values{"citizen_id": {citizenID}}.Encode(), nil, &resp); err != nil {
		return nil, err
	}
	return resp.Appointments, nil
}
