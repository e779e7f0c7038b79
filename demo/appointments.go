package demo

import "github.com/sportello/sportello"

// Zone is where the demo city's offices are.
const Zone = "Europe/Rome"

// appointmentServices are the services the demo offices give by
// appointment: the office (by name), the service's key and name, its
// catalogue category, the slot length in minutes and the places per slot.
var appointmentServices = []struct {
	office, id, name, category string
	minutes, capacity          int
}{
	{"Anagrafe centrale", "cie", "Carta d'identità elettronica", "Carta d'identità elettronica", 20, 2},
	{"Anagrafe centrale", "certificati", "Certificati in bollo", "Certificati anagrafici", 15, 1},
	{"Anagrafe - sede del Municipio 3", "cie", "Carta d'identità elettronica", "Carta d'identità elettronica", 20, 1},
	{"Anagrafe - sede del Municipio 3", "residenza", "Cambio di residenza", "Cambio di residenza", 30, 1},
	{"Ufficio Tributi", "tari", "Consulenza TARI e IMU", "TARI", 30, 2},
	{"SUAP - Sportello unico attività produttive", "scia", "Incontro per SCIA e autorizzazioni", "Commercio - SCIA", 60, 1},
	{"Servizi sociali - Sportello cittadini", "colloquio", "Colloquio con l'assistente sociale", "Servizi sociali", 45, 1},
}

// AppointmentHorizonDays is how far ahead the demo offices give appointments.
const AppointmentHorizonDays = 30

// OfficeServices returns the services of offices (the demo's, by name)
// given by appointment, with slot calendars on the offices' hours, Milan's
// holidays and a 30-day horizon. Offices of other names have none.
func OfficeServices(offices []sportello.Office) []sportello.OfficeService {
	byName := make(map[string]sportello.Office, len(offices))
	for _, o := range offices {
		byName[o.Name] = o
	}
	var out []sportello.OfficeService
	for _, s := range appointmentServices {
		o, ok := byName[s.office]
		if !ok {
			continue
		}
		out = append(out, sportello.OfficeService{
			OfficeID: o.ID, ID: s.id, Name: s.name, Category: s.category,
			Calendar: sportello.SlotCalendar{
				SlotMinutes: s.minutes, Capacity: s.capacity, Hours: officeHours[s.office],
				HorizonDays: AppointmentHorizonDays, Zone: Zone,
				Holidays: sportello.ItalianCalendar(1207, "Sant'Ambrogio"),
			},
		})
	}
	return out
}
