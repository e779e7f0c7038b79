package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// Office is the fixture's office that gives appointments.
var Office = sportello.Office{ID: "o-anagrafe", Name: "Anagrafe centrale", Address: "Via Larga 12, 20122 Milano", Hours: "lun-ven 8:30-12:30"}

// CIE is the fixture office's service: 30-minute slots of one place,
// weekday mornings in Rome, 30 days ahead.
var CIE = sportello.OfficeService{
	OfficeID: Office.ID, ID: "cie", Name: "Carta d'identità elettronica", Category: "Carta d'identità elettronica",
	Calendar: sportello.SlotCalendar{
		SlotMinutes: 30, Capacity: 1, Hours: "lun-ven 8:30-12:30", HorizonDays: 30, Zone: "Europe/Rome",
		Holidays: sportello.ItalianCalendar(1207, "Sant'Ambrogio"),
	},
}

// Slots of the fixture's service: T0 is Friday 14 March 2025, 10:00 in
// Rome; Monday 17 March at 9:00, 9:30 and 10:00 in Rome.
var (
	slotMon0900 = time.Date(2025, 3, 17, 8, 0, 0, 0, time.UTC)
	slotMon0930 = time.Date(2025, 3, 17, 8, 30, 0, 0, time.UTC)
	slotMon1000 = time.Date(2025, 3, 17, 9, 0, 0, 0, time.UTC)
)

func (e *env) offices(t *testing.T) {
	t.Helper()
	if err := e.PutOfficeServices(e.ctx, []sportello.Office{Office}, []sportello.OfficeService{CIE}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) freeAt(t *testing.T, start time.Time) bool {
	t.Helper()
	slots, err := e.FreeSlots(e.ctx, Office.ID, CIE.ID, start.Add(-time.Hour), start.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range slots {
		if s.Start.Equal(start) {
			return true
		}
	}
	return false
}

func apptID(n int) string { return fmt.Sprintf("01950000-0000-7000-8000-0000000a%04d", n) }

// testAppointments: offices' services and their free slots; a booking
// opens a case (or goes on the one named) with an appointment event and
// its changes, once however often it is sent; a slot's places are counted;
// a move and a cancellation free the place and tell the case; the board's
// count of today's bookings.
func testAppointments(t *testing.T, e *env) {
	e.offices(t)
	svcs, err := e.OfficeServices(e.ctx)
	if err != nil || len(svcs) != 1 || svcs[0].OfficeName != Office.Name || svcs[0].OfficeAddress != Office.Address || svcs[0].Calendar.Capacity != 1 {
		t.Fatalf("office services %+v, %v", svcs, err)
	}
	slots, err := e.FreeSlots(e.ctx, Office.ID, CIE.ID, T0.Add(-24*time.Hour), T0.Add(4*24*time.Hour))
	if err != nil || len(slots) == 0 || !slots[0].Start.Equal(T0) || slots[0].Free() != 1 {
		t.Fatalf("free slots start with %+v, %v; want one at T0 (10:00 in Rome), none before now", slots[:min(1, len(slots))], err)
	}
	// Friday 10:00-12:30 (5), none at the weekend, Monday 8:30-12:30 (8)
	// and Tuesday until 10:00 in Rome (3).
	if len(slots) != 16 {
		t.Fatalf("%d free slots until Tuesday 10:00, want 16", len(slots))
	}

	head := e.head(t)
	req := sportello.AppointmentRequest{ID: apptID(1), OfficeID: Office.ID, Service: CIE.ID, Start: slotMon0900, CitizenID: "c-rossi"}
	a, replayed, err := e.BookAppointment(e.ctx, &Operator, req)
	if err != nil || replayed {
		t.Fatalf("book: %v (replayed %v)", err, replayed)
	}
	want := sportello.Appointment{
		ID: req.ID, OfficeID: Office.ID, Service: CIE.ID, Start: slotMon0900, End: slotMon0900.Add(30 * time.Minute),
		CitizenID: "c-rossi", CaseID: a.CaseID, Status: sportello.AppointmentBooked, BookedBy: Operator.ID, CreatedAt: T0, UpdatedAt: T0,
		OfficeName: Office.Name, OfficeAddress: Office.Address, ServiceName: CIE.Name, CitizenName: "Maria Rossi", CitizenEmail: "maria.rossi@example.org",
	}
	if *a != want {
		t.Fatalf("booked\n%+v\nwant\n%+v", *a, want)
	}
	if h := e.head(t); h != head+2 {
		t.Fatalf("head %d, want %d: a booking without a case opens one (opened, appointment)", h, head+2)
	}
	k, err := e.Case(e.ctx, a.CaseID)
	if err != nil || len(k.Events) != 2 || k.CitizenID != "c-rossi" || k.Category != CIE.Category || k.Status != sportello.StatusOpen {
		t.Fatalf("the booking's case %+v, %v", k, err)
	}
	ev := k.Events[1]
	if ev.Kind != sportello.EventAppointment || ev.CallID != a.ID || ev.AuthorID != Operator.ID ||
		ev.Note != "Appuntamento prenotato: Anagrafe centrale, Carta d'identità elettronica, lun 17/03/2025 09:00" {
		t.Fatalf("appointment event %+v", ev)
	}
	// The same booking sent again: the same appointment, nothing written.
	again, replayed, err := e.BookAppointment(e.ctx, &Operator, req)
	if err != nil || !replayed || again.ID != a.ID || again.CaseID != a.CaseID || e.head(t) != head+2 {
		t.Fatalf("repeat: %+v replayed %v, %v", again, replayed, err)
	}
	other := req
	other.CitizenID = "c-panificio"
	_, _, err = e.BookAppointment(e.ctx, &Operator, other)
	wantCode(t, err, sportello.ECONFLICT)

	// The slot's one place is taken.
	taken := sportello.AppointmentRequest{ID: apptID(2), OfficeID: Office.ID, Service: CIE.ID, Start: slotMon0900, CitizenID: "c-panificio"}
	_, _, err = e.BookAppointment(e.ctx, &Operator2, taken)
	wantCode(t, err, sportello.ECONFLICT)
	if sportello.ErrorMessage(err) != sportello.ErrSlotTaken {
		t.Fatalf("a taken slot says %q, want %q", sportello.ErrorMessage(err), sportello.ErrSlotTaken)
	}
	if e.freeAt(t, slotMon0900) || !e.freeAt(t, slotMon0930) {
		t.Fatal("free slots: 9:00 should be taken, 9:30 free")
	}
	for name, r := range map[string]sportello.AppointmentRequest{
		"OffGrid":        {ID: apptID(3), OfficeID: Office.ID, Service: CIE.ID, Start: slotMon0900.Add(10 * time.Minute), CitizenID: "c-rossi"},
		"Past":           {ID: apptID(3), OfficeID: Office.ID, Service: CIE.ID, Start: T0.Add(-30 * time.Minute), CitizenID: "c-rossi"},
		"Sunday":         {ID: apptID(3), OfficeID: Office.ID, Service: CIE.ID, Start: slotMon0900.Add(-24 * time.Hour), CitizenID: "c-rossi"},
		"NoCitizen":      {ID: apptID(3), OfficeID: Office.ID, Service: CIE.ID, Start: slotMon0930},
		"NotAUUID":       {ID: "booking-1", OfficeID: Office.ID, Service: CIE.ID, Start: slotMon0930, CitizenID: "c-rossi"},
		"OthersCase":     {ID: apptID(3), OfficeID: Office.ID, Service: CIE.ID, Start: slotMon0930, CitizenID: "c-panificio", CaseID: EscalatedCase},
		"UnknownService": {ID: apptID(3), OfficeID: Office.ID, Service: "passaporto", Start: slotMon0930, CitizenID: "c-rossi"},
		"UnknownCitizen": {ID: apptID(3), OfficeID: Office.ID, Service: CIE.ID, Start: slotMon0930, CitizenID: "c-nessuno"},
	} {
		want := sportello.EINVALID
		if name == "UnknownService" || name == "UnknownCitizen" {
			want = sportello.ENOTFOUND
		}
		_, _, err := e.BookAppointment(e.ctx, &Operator, r)
		if sportello.ErrorCode(err) != want {
			t.Errorf("%s: %v, want %s", name, err, want)
		}
	}
	if h := e.head(t); h != head+2 {
		t.Fatalf("refused bookings wrote changes: head %d, want %d", h, head+2)
	}

	// A booking on a case goes on it and keeps its state.
	e.clock.Set(T0.Add(time.Minute))
	onCase, _, err := e.BookAppointment(e.ctx, &Operator2, sportello.AppointmentRequest{
		ID: apptID(4), OfficeID: Office.ID, Service: CIE.ID, Start: slotMon1000, CitizenID: "c-rossi", CaseID: EscalatedCase,
	})
	if err != nil || onCase.CaseID != EscalatedCase {
		t.Fatalf("book on a case: %+v, %v", onCase, err)
	}
	if k, _ := e.Case(e.ctx, EscalatedCase); k.Status != sportello.StatusEscalated || k.Events[len(k.Events)-1].Kind != sportello.EventAppointment {
		t.Fatalf("the case after a booking: %s, last event %s", k.Status, k.Events[len(k.Events)-1].Kind)
	}

	// Move: to a taken slot is refused, to a free one frees the old place.
	e.clock.Set(T0.Add(2 * time.Minute))
	_, err = e.MoveAppointment(e.ctx, &Operator, a.ID, slotMon1000)
	wantCode(t, err, sportello.ECONFLICT)
	head = e.head(t)
	moved, err := e.MoveAppointment(e.ctx, &Operator, a.ID, slotMon0930)
	if err != nil || moved.Status != sportello.AppointmentMoved || !moved.Start.Equal(slotMon0930) || !moved.UpdatedAt.Equal(T0.Add(2*time.Minute)) {
		t.Fatalf("move: %+v, %v", moved, err)
	}
	if !e.freeAt(t, slotMon0900) || e.freeAt(t, slotMon0930) || e.head(t) != head+1 {
		t.Fatal("after the move 9:00 should be free, 9:30 taken, and one change added")
	}
	if again, err := e.MoveAppointment(e.ctx, &Operator, a.ID, slotMon0930); err != nil || !again.UpdatedAt.Equal(moved.UpdatedAt) || e.head(t) != head+1 {
		t.Fatalf("a move to where it is: %+v, %v", again, err)
	}

	// Cancel: the place is free, the case told, once.
	cancelled, err := e.CancelAppointment(e.ctx, &Operator, a.ID)
	if err != nil || cancelled.Status != sportello.AppointmentCancelled || !e.freeAt(t, slotMon0930) || e.head(t) != head+2 {
		t.Fatalf("cancel: %+v, %v", cancelled, err)
	}
	if _, err := e.CancelAppointment(e.ctx, &Operator, a.ID); err != nil || e.head(t) != head+2 {
		t.Fatalf("a second cancel: %v", err)
	}
	_, err = e.MoveAppointment(e.ctx, &Operator, a.ID, slotMon0900)
	wantCode(t, err, sportello.ECONFLICT)
	_, err = e.CancelAppointment(e.ctx, &Operator, apptID(99))
	wantCode(t, err, sportello.ENOTFOUND)
	if k, _ := e.Case(e.ctx, a.CaseID); len(k.Events) != 4 || k.Events[3].Note != "Appuntamento annullato: Anagrafe centrale, Carta d'identità elettronica, lun 17/03/2025 09:30" {
		t.Fatalf("the case after move and cancel: %+v", k.Events[len(k.Events)-1])
	}

	list, err := e.CitizenAppointments(e.ctx, "c-rossi")
	if err != nil || len(list) != 2 || list[0].ID != a.ID || list[1].ID != onCase.ID {
		t.Fatalf("Maria Rossi's appointments %+v, %v", list, err)
	}
	got, err := e.Appointment(e.ctx, onCase.ID)
	if err != nil || got.Status != sportello.AppointmentBooked || got.CaseID != EscalatedCase {
		t.Fatalf("appointment %+v, %v", got, err)
	}
	// Today's bookings: the cancelled one does not count.
	counts, err := e.AppointmentsBookedSince(e.ctx, T0.Add(-time.Hour))
	if err != nil || len(counts) != 1 || counts[Office.ID] != 1 {
		t.Fatalf("booked since: %v, %v", counts, err)
	}
	if counts, _ := e.AppointmentsBookedSince(e.ctx, T0.Add(time.Hour)); len(counts) != 0 {
		t.Fatalf("booked since later: %v", counts)
	}
}

// testAppointmentRace: 50 desktops book a slot's one place at once;
// exactly one gets it and 49 are told "slot just taken".
func testAppointmentRace(t *testing.T, e *env) {
	e.offices(t)
	const n = 50
	head := e.head(t)
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			actor := Operator
			if i%2 == 1 {
				actor = Operator2
			}
			<-start
			_, _, errs[i] = e.BookAppointment(e.ctx, &actor, sportello.AppointmentRequest{
				ID: apptID(100 + i), OfficeID: Office.ID, Service: CIE.ID, Start: slotMon0900, CitizenID: "c-rossi",
			})
		}()
	}
	begin := time.Now()
	close(start)
	wg.Wait()
	t.Logf("%d concurrent bookings of a one-place slot took %s", n, time.Since(begin).Round(time.Millisecond))
	won, taken := 0, 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case sportello.ErrorCode(err) == sportello.ECONFLICT && sportello.ErrorMessage(err) == sportello.ErrSlotTaken:
			taken++
		default:
			t.Errorf("booking %d: %v", i, err)
		}
	}
	if won != 1 || taken != n-1 {
		t.Fatalf("%d bookings won and %d were told the slot was taken; want 1 and %d", won, taken, n-1)
	}
	list, err := e.CitizenAppointments(e.ctx, "c-rossi")
	if err != nil || len(list) != 1 {
		t.Fatalf("%d appointments stored, want 1 (%v)", len(list), err)
	}
	if h := e.head(t); h != head+2 {
		t.Fatalf("head %d, want %d: only the winner writes", h, head+2)
	}
	if e.freeAt(t, slotMon0900) {
		t.Fatal("the slot is still offered")
	}
}
