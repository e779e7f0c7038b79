package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// PutOfficeServices stores offices (replacing those with the same id) and
// the services they give by appointment (replacing those with the same
// office and key), checking each slot calendar.
func (db *DB) PutOfficeServices(ctx context.Context, offices []sportello.Office, services []sportello.OfficeService) error {
	return db.update(ctx, func(tx *sql.Tx) error {
		for _, o := range offices {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO offices (id, name, address, hours, phone) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, address = excluded.address, hours = excluded.hours, phone = excluded.phone`,
				o.ID, o.Name, o.Address, o.Hours, o.Phone); err != nil {
				return internal("put office "+o.ID, err)
			}
		}
		return putOfficeServices(ctx, tx, services)
	})
}

// putOfficeServices stores services, inside a seed's or a put's transaction.
func putOfficeServices(ctx context.Context, tx *sql.Tx, services []sportello.OfficeService) error {
	for _, s := range services {
		if _, _, err := s.Calendar.Validate(); err != nil {
			return err
		}
		cal, err := json.Marshal(s.Calendar)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO office_services (office_id, id, name, category, calendar) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (office_id, id) DO UPDATE SET name = excluded.name, category = excluded.category, calendar = excluded.calendar`,
			s.OfficeID, s.ID, s.Name, s.Category, string(cal)); err != nil {
			return internal("put office service "+s.OfficeID+"/"+s.ID, err)
		}
	}
	return nil
}

const officeServiceColumns = `s.office_id, s.id, s.name, s.category, s.calendar, o.name, o.address`

func scanOfficeService(r interface{ Scan(...any) error }) (*sportello.OfficeService, error) {
	var s sportello.OfficeService
	var cal string
	if err := r.Scan(&s.OfficeID, &s.ID, &s.Name, &s.Category, &cal, &s.OfficeName, &s.OfficeAddress); err != nil {
		return nil, err
	}
	return &s, json.Unmarshal([]byte(cal), &s.Calendar)
}

// OfficeServices returns every office's services given by appointment, by
// office name then service name.
func (db *DB) OfficeServices(ctx context.Context) ([]sportello.OfficeService, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+officeServiceColumns+`
		FROM office_services s JOIN offices o ON o.id = s.office_id ORDER BY o.name, s.name, s.office_id, s.id`)
	if err != nil {
		return nil, internal("office services", err)
	}
	defer rows.Close()
	out := []sportello.OfficeService{}
	for rows.Next() {
		s, err := scanOfficeService(rows)
		if err != nil {
			return nil, internal("office services", err)
		}
		out = append(out, *s)
	}
	return out, internal("office services", rows.Err())
}

func loadOfficeService(ctx context.Context, q queryer, officeID, id string) (*sportello.OfficeService, error) {
	s, err := scanOfficeService(q.QueryRowContext(ctx, `SELECT `+officeServiceColumns+`
		FROM office_services s JOIN offices o ON o.id = s.office_id WHERE s.office_id = ? AND s.id = ?`, officeID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "the office gives no service %q by appointment", id)
	}
	return s, err
}

// slotUse counts the places taken at each start of a service in [from, to).
func slotUse(ctx context.Context, q queryer, officeID, service string, from, to time.Time) (map[time.Time]int, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT starts_at, COUNT(*) FROM appointments
		WHERE office_id = ? AND service = ? AND starts_at >= ? AND starts_at < ? AND status <> 'cancelled'
		GROUP BY starts_at`, officeID, service, encodeTime(from), encodeTime(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	use := map[time.Time]int{}
	for rows.Next() {
		var at string
		var n int
		if err := rows.Scan(&at, &n); err != nil {
			return nil, err
		}
		t, err := decodeTime(at)
		if err != nil {
			return nil, err
		}
		use[t] = n
	}
	return use, rows.Err()
}

// FreeSlots returns the slots of an office's service in [from, to), from
// the store's now to the calendar's horizon, that have a place left.
func (db *DB) FreeSlots(ctx context.Context, officeID, service string, from, to time.Time) ([]sportello.Slot, error) {
	s, err := loadOfficeService(ctx, db.read, officeID, service)
	if err != nil {
		return nil, internal("free slots", err)
	}
	slots, err := s.Slots(db.Now().UTC(), from, to)
	if err != nil || len(slots) == 0 {
		return []sportello.Slot{}, err
	}
	use, err := slotUse(ctx, db.read, officeID, service, slots[0].Start, slots[len(slots)-1].End)
	if err != nil {
		return nil, internal("free slots", err)
	}
	free := []sportello.Slot{}
	for _, sl := range slots {
		sl.Booked = use[sl.Start]
		if sl.Free() > 0 {
			free = append(free, sl)
		}
	}
	return free, nil
}

const appointmentColumns = `a.id, a.office_id, a.service, a.starts_at, a.ends_at, a.citizen_id, a.case_id, a.status, a.booked_by,
	a.created_at, a.updated_at, COALESCE(o.name, ''), COALESCE(o.address, ''), COALESCE(s.name, ''), COALESCE(c.name, ''), COALESCE(c.email, '')`

const appointmentFrom = ` FROM appointments a LEFT JOIN offices o ON o.id = a.office_id
	LEFT JOIN office_services s ON s.office_id = a.office_id AND s.id = a.service
	LEFT JOIN citizens c ON c.id = a.citizen_id`

func scanAppointment(r interface{ Scan(...any) error }) (*sportello.Appointment, error) {
	var a sportello.Appointment
	var start, end, created, updated string
	if err := r.Scan(&a.ID, &a.OfficeID, &a.Service, &start, &end, &a.CitizenID, &a.CaseID, &a.Status, &a.BookedBy,
		&created, &updated, &a.OfficeName, &a.OfficeAddress, &a.ServiceName, &a.CitizenName, &a.CitizenEmail); err != nil {
		return nil, err
	}
	var err error
	for _, t := range []struct {
		s string
		p *time.Time
	}{{start, &a.Start}, {end, &a.End}, {created, &a.CreatedAt}, {updated, &a.UpdatedAt}} {
		if *t.p, err = decodeTime(t.s); err != nil {
			return nil, err
		}
	}
	return &a, nil
}

func loadAppointment(ctx context.Context, q queryer, id string) (*sportello.Appointment, error) {
	a, err := scanAppointment(q.QueryRowContext(ctx, `SELECT `+appointmentColumns+appointmentFrom+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no appointment has id %s", id)
	}
	return a, err
}

// Appointment returns one appointment, or ENOTFOUND.
func (db *DB) Appointment(ctx context.Context, id string) (*sportello.Appointment, error) {
	a, err := loadAppointment(ctx, db.read, id)
	return a, internal("appointment", err)
}

// CitizenAppointments returns a citizen's appointments, cancelled ones
// included, by start.
func (db *DB) CitizenAppointments(ctx context.Context, citizenID string) ([]*sportello.Appointment, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+appointmentColumns+appointmentFrom+` WHERE a.citizen_id = ? ORDER BY a.starts_at, a.id`, citizenID)
	if err != nil {
		return nil, internal("citizen appointments", err)
	}
	defer rows.Close()
	out := []*sportello.Appointment{}
	for rows.Next() {
		a, err := scanAppointment(rows)
		if err != nil {
			return nil, internal("citizen appointments", err)
		}
		out = append(out, a)
	}
	return out, internal("citizen appointments", rows.Err())
}

// AppointmentsBookedSince counts, by office id, the appointments booked
// since a moment and not cancelled: the supervisor's board shows today's.
func (db *DB) AppointmentsBookedSince(ctx context.Context, since time.Time) (map[string]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT office_id, COUNT(*) FROM appointments
		WHERE created_at >= ? AND status <> 'cancelled' GROUP BY office_id`, encodeTime(since))
	if err != nil {
		return nil, internal("appointments booked", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, internal("appointments booked", err)
		}
		out[id] = n
	}
	return out, internal("appointments booked", rows.Err())
}

// takePlace checks, inside the writer's transaction, that start is a slot
// of s with a place left (not counting the appointment except) and
// returns it. Writes are serialized on one connection, so the count and
// the insert or update after it cannot interleave with another booking:
// of two desktops asking for a slot's last place, the second finds it
// taken and gets ECONFLICT sportello.ErrSlotTaken.
func takePlace(ctx context.Context, tx *sql.Tx, s *sportello.OfficeService, now, start time.Time, except string) (sportello.Slot, error) {
	sl, err := s.SlotAt(now, start)
	if err != nil {
		return sl, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM appointments
		WHERE office_id = ? AND service = ? AND starts_at = ? AND status <> 'cancelled' AND id <> ?`,
		s.OfficeID, s.ID, encodeTime(sl.Start), except).Scan(&sl.Booked); err != nil {
		return sl, err
	}
	if sl.Free() == 0 {
		return sl, sportello.Errorf(sportello.ECONFLICT, sportello.ErrSlotTaken)
	}
	return sl, nil
}

// appointmentEvent adds e to the appointment's case with its change.
func (db *DB) appointmentEvent(ctx context.Context, tx *sql.Tx, now time.Time, c *sportello.Case, e *sportello.CaseEvent, isNew bool) error {
	e.ID, e.CaseID, e.At = newID(), c.ID, now
	position := len(c.Events)
	if err := c.Apply(e); err != nil {
		return err
	}
	if err := saveCase(ctx, tx, c, isNew); err != nil {
		return err
	}
	if err := insertEvent(ctx, tx, e, position); err != nil {
		return err
	}
	return db.appendChange(ctx, tx, now, c, e)
}

// BookAppointment books a place for a citizen in one transaction: the slot
// must be one of the service's with a place left (ECONFLICT
// sportello.ErrSlotTaken otherwise), and an appointment event goes on the
// case named, or on a case the booking opens for the citizen, with its
// changes. A repeat of the booking's id returns the appointment as it is,
// replayed true; the id reused for another booking is ECONFLICT.
func (db *DB) BookAppointment(ctx context.Context, actor *sportello.User, r sportello.AppointmentRequest) (_ *sportello.Appointment, replayed bool, _ error) {
	r, err := check.Booking(actor, r)
	if err != nil {
		return nil, false, err
	}
	var result *sportello.Appointment
	err = db.update(ctx, func(tx *sql.Tx) error {
		if a, err := loadAppointment(ctx, tx, r.ID); err == nil {
			if !check.SameBooking(actor, a, r) {
				return check.ReusedOpID(r.ID, "appointment")
			}
			result, replayed = a, true
			return nil
		} else if sportello.ErrorCode(err) != sportello.ENOTFOUND {
			return err
		}
		s, err := loadOfficeService(ctx, tx, r.OfficeID, r.Service)
		if err != nil {
			return err
		}
		if _, err := loadCitizen(ctx, tx, r.CitizenID); err != nil {
			return err
		}
		now := db.Now().UTC()
		sl, err := takePlace(ctx, tx, s, now, r.Start, "")
		if err != nil {
			return err
		}
		c := &sportello.Case{ID: r.CaseID, CitizenID: r.CitizenID}
		isNew := r.CaseID == ""
		if isNew {
			c.ID = newID()
			opened := check.AppointmentCaseOpened(actor, c.ID, s)
			if err := db.appointmentEvent(ctx, tx, now, c, opened, true); err != nil {
				return err
			}
		} else {
			if c, err = loadCase(ctx, tx, r.CaseID); err != nil {
				return err
			}
			if c.CitizenID != r.CitizenID {
				return sportello.Errorf(sportello.EINVALID, "case %s belongs to another citizen", r.CaseID)
			}
		}
		a := &sportello.Appointment{
			ID: r.ID, OfficeID: s.OfficeID, Service: s.ID, Start: sl.Start, End: sl.End, CitizenID: r.CitizenID, CaseID: c.ID,
			Status: sportello.AppointmentBooked, BookedBy: actor.ID, CreatedAt: now, UpdatedAt: now,
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO appointments (id, office_id, service, starts_at, ends_at, citizen_id, case_id, status, booked_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.OfficeID, a.Service, encodeTime(a.Start), encodeTime(a.End), a.CitizenID, a.CaseID, string(a.Status), a.BookedBy,
			encodeTime(now), encodeTime(now)); err != nil {
			return err
		}
		if a, err = loadAppointment(ctx, tx, a.ID); err != nil {
			return err
		}
		if err := db.appointmentEvent(ctx, tx, now, c, check.AppointmentEvent(actor, a, s.Calendar.Zone, check.VerbBooked), false); err != nil {
			return err
		}
		result = a
		return nil
	})
	if err != nil {
		return nil, false, internal("book appointment", err)
	}
	return result, replayed, nil
}

// MoveAppointment moves an appointment to another slot of its service in
// one transaction, with the same check of places as a booking and an
// appointment event on its case. Moving to where it is already changes
// nothing; a cancelled appointment cannot move (ECONFLICT).
func (db *DB) MoveAppointment(ctx context.Context, actor *sportello.User, id string, start time.Time) (*sportello.Appointment, error) {
	if err := check.AppointmentID(id); err != nil {
		return nil, err
	}
	var result *sportello.Appointment
	err := db.update(ctx, func(tx *sql.Tx) error {
		a, err := loadAppointment(ctx, tx, id)
		if err != nil {
			return err
		}
		if !a.Status.Active() {
			return sportello.Errorf(sportello.ECONFLICT, "the appointment is cancelled: book a new one")
		}
		if a.Start.Equal(start) {
			result = a
			return nil
		}
		s, err := loadOfficeService(ctx, tx, a.OfficeID, a.Service)
		if err != nil {
			return err
		}
		now := db.Now().UTC()
		sl, err := takePlace(ctx, tx, s, now, start, a.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appointments SET starts_at = ?, ends_at = ?, status = ?, updated_at = ? WHERE id = ?`,
			encodeTime(sl.Start), encodeTime(sl.End), string(sportello.AppointmentMoved), encodeTime(now), a.ID); err != nil {
			return err
		}
		return db.appointmentChanged(ctx, tx, actor, a.ID, s.Calendar.Zone, check.VerbMoved, now, &result)
	})
	if err != nil {
		return nil, internal("move appointment", err)
	}
	return result, nil
}

// CancelAppointment cancels an appointment in one transaction, freeing its
// place, with an appointment event on its case. Cancelling a cancelled
// appointment changes nothing.
func (db *DB) CancelAppointment(ctx context.Context, actor *sportello.User, id string) (*sportello.Appointment, error) {
	if err := check.AppointmentID(id); err != nil {
		return nil, err
	}
	var result *sportello.Appointment
	err := db.update(ctx, func(tx *sql.Tx) error {
		a, err := loadAppointment(ctx, tx, id)
		if err != nil {
			return err
		}
		if !a.Status.Active() {
			result = a
			return nil
		}
		s, err := loadOfficeService(ctx, tx, a.OfficeID, a.Service)
		if err != nil {
			return err
		}
		now := db.Now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE appointments SET status = ?, updated_at = ? WHERE id = ?`,
			string(sportello.AppointmentCancelled), encodeTime(now), a.ID); err != nil {
			return err
		}
		return db.appointmentChanged(ctx, tx, actor, a.ID, s.Calendar.Zone, check.VerbCancelled, now, &result)
	})
	if err != nil {
		return nil, internal("cancel appointment", err)
	}
	return result, nil
}

// appointmentChanged reads an appointment back after a move or a
// cancellation and tells its case.
func (db *DB) appointmentChanged(ctx context.Context, tx *sql.Tx, actor *sportello.User, id, zone, verb string, now time.Time, result **sportello.Appointment) error {
	a, err := loadAppointment(ctx, tx, id)
	if err != nil {
		return err
	}
	c, err := loadCase(ctx, tx, a.CaseID)
	if err != nil {
		return err
	}
	if err := db.appointmentEvent(ctx, tx, now, c, check.AppointmentEvent(actor, a, zone, verb), false); err != nil {
		return err
	}
	*result = a
	return nil
}
