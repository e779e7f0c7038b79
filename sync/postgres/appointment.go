package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// PutOfficeServices stores offices (replacing those with the same id) and
// the services they give by appointment (replacing those with the same
// office and key), checking each slot calendar.
func (db *DB) PutOfficeServices(ctx context.Context, offices []sportello.Office, services []sportello.OfficeService) error {
	return db.update(ctx, func(tx pgx.Tx) error {
		for _, o := range offices {
			if _, err := tx.Exec(ctx, `
				INSERT INTO offices (id, name, address, hours, phone) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, address = excluded.address, hours = excluded.hours, phone = excluded.phone`,
				o.ID, o.Name, o.Address, o.Hours, o.Phone); err != nil {
				return internal("put office "+o.ID, err)
			}
		}
		return putOfficeServices(ctx, tx, services)
	})
}

// putOfficeServices stores services, inside a seed's or a put's transaction.
func putOfficeServices(ctx context.Context, tx pgx.Tx, services []sportello.OfficeService) error {
	for _, s := range services {
		if _, _, err := s.Calendar.Validate(); err != nil {
			return err
		}
		cal, err := json.Marshal(s.Calendar)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO office_services (office_id, id, name, category, calendar) VALUES ($1, $2, $3, $4, $5)
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
	rows, err := db.pool.Query(ctx, `SELECT `+officeServiceColumns+`
		FROM office_services s JOIN offices o ON o.id = s.office_id ORDER BY o.name, s.name, s.office_id, s.id`)
	if err != nil {
		return nil, internal("office services", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sportello.OfficeService, error) {
		s, err := scanOfficeService(r)
		if err != nil {
			return sportello.OfficeService{}, err
		}
		return *s, nil
	})
	if err != nil {
		return nil, internal("office services", err)
	}
	if out == nil {
		out = []sportello.OfficeService{}
	}
	return out, nil
}

func loadOfficeService(ctx context.Context, q querier, officeID, id string) (*sportello.OfficeService, error) {
	notFound := sportello.Errorf(sportello.ENOTFOUND, "the office gives no service %q by appointment", id)
	if !check.Storable(officeID) || !check.Storable(id) {
		return nil, notFound
	}
	s, err := scanOfficeService(q.QueryRow(ctx, `SELECT `+officeServiceColumns+`
		FROM office_services s JOIN offices o ON o.id = s.office_id WHERE s.office_id = $1 AND s.id = $2`, officeID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound
	}
	return s, err
}

// FreeSlots returns the slots of an office's service in [from, to), from
// the store's now to the calendar's horizon, that have a place left.
func (db *DB) FreeSlots(ctx context.Context, officeID, service string, from, to time.Time) ([]sportello.Slot, error) {
	s, err := loadOfficeService(ctx, db.pool, officeID, service)
	if err != nil {
		return nil, internal("free slots", err)
	}
	slots, err := s.Slots(db.now(), from, to)
	if err != nil || len(slots) == 0 {
		return []sportello.Slot{}, err
	}
	rows, err := db.pool.Query(ctx, `
		SELECT starts_at, COUNT(*) FROM appointments
		WHERE office_id = $1 AND service = $2 AND starts_at >= $3 AND starts_at < $4 AND status <> 'cancelled'
		GROUP BY starts_at`, officeID, service, slots[0].Start, slots[len(slots)-1].End)
	if err != nil {
		return nil, internal("free slots", err)
	}
	use := map[time.Time]int{}
	var at time.Time
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&at, &n}, func() error { use[at.UTC()] = n; return nil }); err != nil {
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
	if err := r.Scan(&a.ID, &a.OfficeID, &a.Service, &a.Start, &a.End, &a.CitizenID, &a.CaseID, &a.Status, &a.BookedBy,
		&a.CreatedAt, &a.UpdatedAt, &a.OfficeName, &a.OfficeAddress, &a.ServiceName, &a.CitizenName, &a.CitizenEmail); err != nil {
		return nil, err
	}
	a.Start, a.End, a.CreatedAt, a.UpdatedAt = a.Start.UTC(), a.End.UTC(), a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return &a, nil
}

func loadAppointment(ctx context.Context, q querier, id string, lock bool) (*sportello.Appointment, error) {
	notFound := sportello.Errorf(sportello.ENOTFOUND, "no appointment has id %s", id)
	if !check.Storable(id) {
		return nil, notFound
	}
	query := `SELECT ` + appointmentColumns + appointmentFrom + ` WHERE a.id = $1`
	if lock {
		query += ` FOR UPDATE OF a`
	}
	a, err := scanAppointment(q.QueryRow(ctx, query, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound
	}
	return a, err
}

// Appointment returns one appointment, or ENOTFOUND.
func (db *DB) Appointment(ctx context.Context, id string) (*sportello.Appointment, error) {
	a, err := loadAppointment(ctx, db.pool, id, false)
	return a, internal("appointment", err)
}

// CitizenAppointments returns a citizen's appointments, cancelled ones
// included, by start.
func (db *DB) CitizenAppointments(ctx context.Context, citizenID string) ([]*sportello.Appointment, error) {
	if !check.Storable(citizenID) {
		return []*sportello.Appointment{}, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT `+appointmentColumns+appointmentFrom+` WHERE a.citizen_id = $1 ORDER BY a.starts_at, a.id`, citizenID)
	if err != nil {
		return nil, internal("citizen appointments", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*sportello.Appointment, error) { return scanAppointment(r) })
	if err != nil {
		return nil, internal("citizen appointments", err)
	}
	if out == nil {
		out = []*sportello.Appointment{}
	}
	return out, nil
}

// AppointmentsBookedSince counts, by office id, the appointments booked
// since a moment and not cancelled: the supervisor's board shows today's.
func (db *DB) AppointmentsBookedSince(ctx context.Context, since time.Time) (map[string]int, error) {
	rows, err := db.pool.Query(ctx, `SELECT office_id, COUNT(*) FROM appointments
		WHERE created_at >= $1 AND status <> 'cancelled' GROUP BY office_id`, since)
	if err != nil {
		return nil, internal("appointments booked", err)
	}
	out := map[string]int{}
	var id string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { out[id] = n; return nil }); err != nil {
		return nil, internal("appointments booked", err)
	}
	return out, nil
}

// takePlace checks, inside a writer's transaction that holds change_head,
// that start is a slot of s with a place left (not counting the
// appointment except) and returns it. Every writer takes change_head
// first, so the count and the insert or update after it cannot
// interleave with another booking: of two desktops asking for a slot's
// last place, the second counts after the first commits, finds it taken
// and gets ECONFLICT sportello.ErrSlotTaken.
func takePlace(ctx context.Context, tx pgx.Tx, s *sportello.OfficeService, now, start time.Time, except string) (sportello.Slot, error) {
	sl, err := s.SlotAt(now, start)
	if err != nil {
		return sl, err
	}
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM appointments
		WHERE office_id = $1 AND service = $2 AND starts_at = $3 AND status <> 'cancelled' AND id <> $4`,
		s.OfficeID, s.ID, sl.Start, except).Scan(&sl.Booked); err != nil {
		return sl, err
	}
	if sl.Free() == 0 {
		return sl, sportello.Errorf(sportello.ECONFLICT, sportello.ErrSlotTaken)
	}
	return sl, nil
}

// appointmentEvent adds e to the appointment's case with its change of
// seq *head (advanced).
func appointmentEvent(ctx context.Context, tx pgx.Tx, head *int64, now time.Time, c *sportello.Case, e *sportello.CaseEvent, isNew bool) error {
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
	*head++
	return appendChange(ctx, tx, *head, now, c, e)
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
	err = db.update(ctx, func(tx pgx.Tx) error {
		head, err := lockHead(ctx, tx)
		if err != nil {
			return err
		}
		if a, err := loadAppointment(ctx, tx, r.ID, false); err == nil {
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
		now := db.now()
		sl, err := takePlace(ctx, tx, s, now, r.Start, "")
		if err != nil {
			return err
		}
		start := head
		c := &sportello.Case{ID: r.CaseID, CitizenID: r.CitizenID}
		if r.CaseID == "" {
			c.ID = newID()
			if err := appointmentEvent(ctx, tx, &head, now, c, check.AppointmentCaseOpened(actor, c.ID, s), true); err != nil {
				return err
			}
		} else {
			if c, err = loadCase(ctx, tx, r.CaseID, -1); err != nil {
				return err
			}
			if c.CitizenID != r.CitizenID {
				return sportello.Errorf(sportello.EINVALID, "case %s belongs to another citizen", r.CaseID)
			}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO appointments (id, office_id, service, starts_at, ends_at, citizen_id, case_id, status, booked_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
			r.ID, s.OfficeID, s.ID, sl.Start, sl.End, r.CitizenID, c.ID, string(sportello.AppointmentBooked), actor.ID, now); err != nil {
			return err
		}
		a, err := loadAppointment(ctx, tx, r.ID, false)
		if err != nil {
			return err
		}
		if err := appointmentEvent(ctx, tx, &head, now, c, check.AppointmentEvent(actor, a, s.Calendar.Zone, check.VerbBooked), false); err != nil {
			return err
		}
		if head != start {
			if err := setHead(ctx, tx, head); err != nil {
				return err
			}
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
	err := db.update(ctx, func(tx pgx.Tx) error {
		head, err := lockHead(ctx, tx)
		if err != nil {
			return err
		}
		a, err := loadAppointment(ctx, tx, id, true)
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
		now := db.now()
		sl, err := takePlace(ctx, tx, s, now, start, a.ID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE appointments SET starts_at = $1, ends_at = $2, status = $3, updated_at = $4 WHERE id = $5`,
			sl.Start, sl.End, string(sportello.AppointmentMoved), now, a.ID); err != nil {
			return err
		}
		result, err = appointmentChanged(ctx, tx, actor, head, a.ID, s.Calendar.Zone, check.VerbMoved, now)
		return err
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
	err := db.update(ctx, func(tx pgx.Tx) error {
		head, err := lockHead(ctx, tx)
		if err != nil {
			return err
		}
		a, err := loadAppointment(ctx, tx, id, true)
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
		now := db.now()
		if _, err := tx.Exec(ctx, `UPDATE appointments SET status = $1, updated_at = $2 WHERE id = $3`,
			string(sportello.AppointmentCancelled), now, a.ID); err != nil {
			return err
		}
		result, err = appointmentChanged(ctx, tx, actor, head, a.ID, s.Calendar.Zone, check.VerbCancelled, now)
		return err
	})
	if err != nil {
		return nil, internal("cancel appointment", err)
	}
	return result, nil
}

// appointmentChanged reads an appointment back after a move or a
// cancellation and tells its case, moving change_head on from head.
func appointmentChanged(ctx context.Context, tx pgx.Tx, actor *sportello.User, head int64, id, zone, verb string, now time.Time) (*sportello.Appointment, error) {
	a, err := loadAppointment(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	c, err := loadCase(ctx, tx, a.CaseID, -1)
	if err != nil {
		return nil, err
	}
	if err := appointmentEvent(ctx, tx, &head, now, c, check.AppointmentEvent(actor, a, zone, verb), false); err != nil {
		return nil, err
	}
	return a, setHead(ctx, tx, head)
}
