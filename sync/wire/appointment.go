package wire

import (
	"time"

	"github.com/sportello/sportello"
)

// OfficeServicesResponse lists the services offices give by appointment
// (GET /v1/appointments/services).
type OfficeServicesResponse struct {
	Services []sportello.OfficeService `json:"services"`
}

// SlotsResponse lists the free slots of an office's service
// (GET /v1/appointments/slots).
type SlotsResponse struct {
	Slots []sportello.Slot `json:"slots"`
}

// AppointmentsResponse lists a citizen's appointments
// (GET /v1/appointments?citizen_id=).
type AppointmentsResponse struct {
	Appointments []*sportello.Appointment `json:"appointments"`
}

// BookAppointmentRequest books a place (POST /v1/appointments).
type BookAppointmentRequest = sportello.AppointmentRequest

// MoveAppointmentRequest moves an appointment to the slot that starts at
// Start (POST /v1/appointments/{id}/move).
type MoveAppointmentRequest struct {
	Start time.Time `json:"start"`
}
