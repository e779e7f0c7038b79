package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/client"
)

// TestClient_AppointmentService: the desktop's calls book, list, move and
// cancel on syncd; the slot's last place taken by another desktop is
// "slot just taken"; with syncd gone every call says appointments need it.
func TestClient_AppointmentService(t *testing.T) {
	db := openStoreWith(t, deskCity())
	office := sportello.Office{ID: "o-urp", Name: "URP", Address: "Piazza del Comune 1"}
	svc := sportello.OfficeService{OfficeID: office.ID, ID: "info", Name: "Informazioni", Calendar: sportello.SlotCalendar{
		SlotMinutes: 60, Capacity: 1, Hours: "lun-dom 0:00-24:00", HorizonDays: 30, Zone: "UTC",
	}}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := db.PutOfficeServices(ctx, []sportello.Office{office}, []sportello.OfficeService{svc}); err != nil {
		t.Fatal(err)
	}
	srv := openServer(t, db, "127.0.0.1:0")
	op, luca := signIn(t, srv.URL(), "operatore"), signIn(t, srv.URL(), "specialista")

	svcs, err := op.OfficeServices(ctx)
	if err != nil || len(svcs) != 1 || svcs[0].OfficeName != "URP" {
		t.Fatalf("services %+v, %v", svcs, err)
	}
	from := time.Now().UTC().Truncate(24 * time.Hour).Add(48 * time.Hour)
	slots, err := op.FreeSlots(ctx, office.ID, svc.ID, from, from.Add(3*time.Hour))
	if err != nil || len(slots) != 3 || !slots[0].Start.Equal(from) {
		t.Fatalf("slots %+v, %v", slots, err)
	}
	a, err := op.BookAppointment(ctx, sportello.AppointmentRequest{OfficeID: office.ID, Service: svc.ID, Start: from, CitizenID: "c-rossi"})
	if err != nil || a.ID == "" || a.CaseID == "" || a.Status != sportello.AppointmentBooked {
		t.Fatalf("book %+v, %v", a, err)
	}
	_, err = luca.BookAppointment(ctx, sportello.AppointmentRequest{OfficeID: office.ID, Service: svc.ID, Start: from, CitizenID: "c-rossi"})
	if sportello.ErrorCode(err) != sportello.ECONFLICT || sportello.ErrorMessage(err) != sportello.ErrSlotTaken {
		t.Fatalf("the taken slot: %v", err)
	}
	if a, err = luca.MoveAppointment(ctx, a.ID, from.Add(time.Hour)); err != nil || a.Status != sportello.AppointmentMoved {
		t.Fatalf("move %+v, %v", a, err)
	}
	if a, err = op.CancelAppointment(ctx, a.ID); err != nil || a.Status != sportello.AppointmentCancelled {
		t.Fatalf("cancel %+v, %v", a, err)
	}
	list, err := op.CitizenAppointments(ctx, "c-rossi")
	if err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Fatalf("list %+v, %v", list, err)
	}

	srv.Close()
	for name, call := range map[string]func() error{
		"Services": func() error { _, err := op.OfficeServices(ctx); return err },
		"Slots":    func() error { _, err := op.FreeSlots(ctx, office.ID, svc.ID, from, time.Time{}); return err },
		"Book": func() error {
			_, err := op.BookAppointment(ctx, sportello.AppointmentRequest{OfficeID: office.ID, Service: svc.ID, Start: from, CitizenID: "c-rossi"})
			return err
		},
		"Cancel": func() error { _, err := op.CancelAppointment(ctx, a.ID); return err },
	} {
		if err := call(); sportello.ErrorCode(err) != sportello.EUNAVAILABLE || sportello.ErrorMessage(err) != client.ErrAppointmentsOffline {
			t.Errorf("%s offline: %v", name, err)
		}
	}
}
