package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/mail"
	"github.com/sportello/sportello/sync/mail/mailtest"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
	"github.com/sportello/sportello/sync/storetest"
	"github.com/sportello/sportello/sync/wire"
)

// visconti is a citizen with an email address, for confirmations.
var visconti = sportello.Citizen{ID: "c-visconti", Kind: sportello.CitizenPerson, Name: "Bianca Visconti",
	Phones: []string{"+393478889900"}, Email: "bianca.visconti@example.it"}

// apptMonday is Monday 23 November 2026, 08:00 in Rome: the anagrafe's
// first slot (8:30) is at 07:30 UTC, the next at 08:00.
var apptMonday = time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)

// fakeMail is a mail.Sender that keeps what it is given.
type fakeMail struct {
	mu   sync.Mutex
	msgs []mail.Message
}

var _ mail.Sender = (*fakeMail)(nil)

func (f *fakeMail) Send(ctx context.Context, m mail.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, m)
	return nil
}

func (f *fakeMail) sent() []mail.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.msgs)
}

// newAppointmentEnv serves the city (plus visconti) and the fixture's
// office with its CIE service, at apptMonday, with sender as relay.
func newAppointmentEnv(t *testing.T, sender mail.Sender) *env {
	t.Helper()
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	db.Now = func() time.Time { return apptMonday }
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	d := *city
	d.Citizens = append(slices.Clone(city.Citizens), visconti)
	if err := db.Seed(ctx, &d); err != nil {
		t.Fatal(err)
	}
	if err := db.PutOfficeServices(ctx, []sportello.Office{storetest.Office}, []sportello.OfficeService{storetest.CIE}); err != nil {
		t.Fatal(err)
	}
	srv := server.New(db, nil)
	srv.Now = db.Now
	srv.FilterChanges = true
	if sender != nil {
		srv.Mail = sender
	}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &env{db: db, srv: srv, url: srv.URL()}
}

func (e *env) book(t *testing.T, token string, r sportello.AppointmentRequest) (int, *sportello.Appointment, []byte) {
	t.Helper()
	b, _ := json.Marshal(r)
	status, body := e.call(t, "POST", "/v1/appointments", token, bytes.NewReader(b))
	var a sportello.Appointment
	json.Unmarshal(body, &a)
	return status, &a, body
}

// icsOf parses back the iCalendar attachment of a confirmation and
// returns its method and only event.
func icsOf(t *testing.T, m mail.Message) (string, string, *ics.VEvent) {
	t.Helper()
	var att *mail.Attachment
	for i := range m.Attachments {
		if strings.HasSuffix(m.Attachments[i].Name, ".ics") {
			att = &m.Attachments[i]
		}
	}
	if att == nil {
		t.Fatalf("no .ics attached to %q", m.Subject)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(att.Data))
	if err != nil {
		t.Fatalf("parse .ics: %v\n%s", err, att.Data)
	}
	method := ""
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == string(ics.PropertyMethod) {
			method = p.Value
		}
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events in the .ics, want 1", len(evs))
	}
	return method, att.ContentType, evs[0]
}

func prop(ev *ics.VEvent, p ics.ComponentProperty) string {
	if v := ev.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

// TestAppointments_Confirmations: the free slots of a service, a booking
// (a repeat books nothing more, the last place taken by someone else is
// 409 "slot just taken"), a move and a cancellation, each confirmed to
// the citizen by email with an iCalendar event that parses back: UID,
// DTSTART and DTEND in UTC, SUMMARY, LOCATION the office's address,
// METHOD REQUEST then CANCEL.
func TestAppointments_Confirmations(t *testing.T) {
	sender := &fakeMail{}
	e := newAppointmentEnv(t, sender)
	op, op2, sup := e.signIn(t, "operatore"), e.signIn(t, "operatore2"), e.signIn(t, "supervisore")

	status, body := e.call(t, "GET", "/v1/appointments/services", sup, nil)
	var svcs wire.OfficeServicesResponse
	json.Unmarshal(body, &svcs)
	if status != http.StatusOK || len(svcs.Services) != 1 || svcs.Services[0].OfficeAddress != storetest.Office.Address {
		t.Fatalf("services: %d %s", status, body)
	}
	slotsPath := "/v1/appointments/slots?office_id=" + storetest.Office.ID + "&service=cie&to=" + url.QueryEscape(apptMonday.Add(2*time.Hour).Format(time.RFC3339))
	status, body = e.call(t, "GET", slotsPath, sup, nil)
	var slots wire.SlotsResponse
	json.Unmarshal(body, &slots)
	first, second := apptMonday.Add(30*time.Minute), apptMonday.Add(time.Hour)
	if status != http.StatusOK || len(slots.Slots) != 3 || !slots.Slots[0].Start.Equal(first) {
		t.Fatalf("slots: %d %s; want 8:30, 9:00 and 9:30 in Rome", status, body)
	}

	head, _ := e.db.Head(context.Background())
	req := sportello.AppointmentRequest{ID: "01950000-0000-7000-8000-00000000ab01", OfficeID: storetest.Office.ID, Service: "cie", Start: first, CitizenID: visconti.ID}
	status, a, body := e.book(t, op, req)
	if status != http.StatusCreated || a.Status != sportello.AppointmentBooked || a.CaseID == "" {
		t.Fatalf("book: %d %s", status, body)
	}
	if strings.Contains(string(body), visconti.Email) {
		t.Fatalf("the answer tells the citizen's email to the desktop: %s", body)
	}
	if h, _ := e.db.Head(context.Background()); h != head+2 {
		t.Fatalf("head %d, want %d: a case opened with the appointment on it", h, head+2)
	}
	msgs := sender.sent()
	if len(msgs) != 1 || !slices.Equal(msgs[0].To, []string{visconti.Email}) || !strings.Contains(msgs[0].Text, "23/11/2026 08:30") ||
		!bytes.Contains(msgs[0].Attachments[0].Data, []byte("\r\nDTSTART:20261123T073000Z\r\n")) {
		t.Fatalf("confirmation: %+v", msgs)
	}
	method, ctype, ev := icsOf(t, msgs[0])
	uid := req.ID + "@sportello"
	for name, got := range map[string][2]string{
		"METHOD":       {method, "REQUEST"},
		"Content-Type": {ctype, "text/calendar; method=REQUEST"},
		"UID":          {ev.Id(), uid},
		"DTSTART":      {prop(ev, ics.ComponentPropertyDtStart), "20261123T073000Z"},
		"DTEND":        {prop(ev, ics.ComponentPropertyDtEnd), "20261123T080000Z"},
		"SUMMARY":      {prop(ev, ics.ComponentPropertySummary), "Carta d'identità elettronica - Anagrafe centrale"},
		"LOCATION":     {prop(ev, ics.ComponentPropertyLocation), storetest.Office.Address},
		"STATUS":       {prop(ev, ics.ComponentPropertyStatus), "CONFIRMED"},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %q, want %q", name, got[0], got[1])
		}
	}
	if start, err := ev.GetStartAt(); err != nil || !start.Equal(first) {
		t.Fatalf("DTSTART reads back as %v, %v", start, err)
	}

	// A repeat: the same appointment, replayed, no second email.
	status, again, _ := e.book(t, op, req)
	if status != http.StatusOK || again.ID != a.ID {
		t.Fatalf("repeat: %d", status)
	}
	// The last place went to operatore.
	status, _, body = e.book(t, op2, sportello.AppointmentRequest{ID: "01950000-0000-7000-8000-00000000ab02", OfficeID: storetest.Office.ID, Service: "cie", Start: first, CitizenID: "c-rossi"})
	wantError(t, status, body, http.StatusConflict, sportello.ECONFLICT, sportello.ErrSlotTaken)
	if n := len(sender.sent()); n != 1 {
		t.Fatalf("%d emails after a repeat and a refusal, want 1", n)
	}

	// Move: a new REQUEST for the same UID, with a higher sequence.
	e.db.Now = func() time.Time { return apptMonday.Add(time.Minute) }
	b, _ := json.Marshal(wire.MoveAppointmentRequest{Start: second})
	status, body = e.call(t, "POST", "/v1/appointments/"+a.ID+"/move", op2, bytes.NewReader(b))
	if status != http.StatusOK {
		t.Fatalf("move: %d %s", status, body)
	}
	msgs = sender.sent()
	if len(msgs) != 2 {
		t.Fatalf("%d emails after the move, want 2", len(msgs))
	}
	method, _, ev = icsOf(t, msgs[1])
	if method != "REQUEST" || ev.Id() != uid || prop(ev, ics.ComponentPropertyDtStart) != "20261123T080000Z" || prop(ev, ics.ComponentPropertySequence) == "0" {
		t.Fatalf("move's event: %s %s %s seq %s", method, ev.Id(), prop(ev, ics.ComponentPropertyDtStart), prop(ev, ics.ComponentPropertySequence))
	}

	// Cancel: METHOD CANCEL for the same UID; a second cancel sends nothing.
	for range 2 {
		status, body = e.call(t, "POST", "/v1/appointments/"+a.ID+"/cancel", op, nil)
		if status != http.StatusOK || !strings.Contains(string(body), `"status":"cancelled"`) {
			t.Fatalf("cancel: %d %s", status, body)
		}
	}
	msgs = sender.sent()
	if len(msgs) != 3 {
		t.Fatalf("%d emails after two cancels, want 3", len(msgs))
	}
	method, ctype, ev = icsOf(t, msgs[2])
	if method != "CANCEL" || ctype != "text/calendar; method=CANCEL" || ev.Id() != uid || prop(ev, ics.ComponentPropertyStatus) != "CANCELLED" {
		t.Fatalf("cancellation's event: %s %s %s %s", method, ctype, ev.Id(), prop(ev, ics.ComponentPropertyStatus))
	}

	// A citizen without an email gets no confirmation; the booking stands.
	status, _, body = e.book(t, op, sportello.AppointmentRequest{ID: "01950000-0000-7000-8000-00000000ab03", OfficeID: storetest.Office.ID, Service: "cie", Start: first, CitizenID: "c-rossi"})
	if status != http.StatusCreated || len(sender.sent()) != 3 {
		t.Fatalf("book without email: %d %s, %d emails", status, body, len(sender.sent()))
	}

	status, body = e.call(t, "GET", "/v1/appointments?citizen_id="+visconti.ID, sup, nil)
	var list wire.AppointmentsResponse
	json.Unmarshal(body, &list)
	if status != http.StatusOK || len(list.Appointments) != 1 || list.Appointments[0].Status != sportello.AppointmentCancelled {
		t.Fatalf("visconti's appointments: %d %s", status, body)
	}

	// The board counts today's bookings per office (the cancelled one not).
	brd := e.board(t, sup)
	if len(brd.Appointments) != 1 || brd.Appointments[0].Name != storetest.Office.Name || brd.Appointments[0].BookedToday != 1 {
		t.Fatalf("board appointments %+v", brd.Appointments)
	}

	for name, path := range map[string]string{
		"BadFrom":   "/v1/appointments/slots?office_id=o-anagrafe&service=cie&from=ieri",
		"LongRange": "/v1/appointments/slots?office_id=o-anagrafe&service=cie&to=2027-06-01T00:00:00Z",
		"NoCitizen": "/v1/appointments",
	} {
		status, body := e.call(t, "GET", path, sup, nil)
		if status != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", name, status, body)
		}
	}
	status, body = e.call(t, "GET", "/v1/appointments/slots?office_id=o-anagrafe&service=passaporto", sup, nil)
	wantError(t, status, body, http.StatusNotFound, sportello.ENOTFOUND, "passaporto")
}

// TestAppointments_RealSMTP: the confirmation goes through a real SMTP
// server (aiosmtpd) and its .ics attachment parses back as sent, the
// relay's sender its ORGANIZER.
func TestAppointments_RealSMTP(t *testing.T) {
	smtp := mailtest.Start(t)
	e := newAppointmentEnv(t, smtp.SMTP("sportello@comune.example.it"))
	op := e.signIn(t, "operatore")
	start := apptMonday.Add(30 * time.Minute)
	status, a, body := e.book(t, op, sportello.AppointmentRequest{ID: "01950000-0000-7000-8000-00000000ab11", OfficeID: storetest.Office.ID, Service: "cie", Start: start, CitizenID: visconti.ID})
	if status != http.StatusCreated {
		t.Fatalf("book: %d %s", status, body)
	}
	got := smtp.Wait(t, 1, timeout)
	if len(got[0].RcptTo) != 1 || got[0].RcptTo[0] != visconti.Email || !strings.Contains(got[0].Subject, "Carta d'identità") {
		t.Fatalf("received %+v", got[0])
	}
	method, _, ev := icsOf(t, mail.Message{Subject: got[0].Subject, Attachments: got[0].Attachments})
	if method != "REQUEST" || ev.Id() != a.ID+"@sportello" || prop(ev, ics.ComponentPropertyDtStart) != "20261123T073000Z" ||
		prop(ev, ics.ComponentPropertyLocation) != storetest.Office.Address || prop(ev, ics.ComponentPropertyOrganizer) != "mailto:sportello@comune.example.it" {
		t.Fatalf("received event: %s %s %s %s %s", method, ev.Id(), prop(ev, ics.ComponentPropertyDtStart), prop(ev, ics.ComponentPropertyLocation), prop(ev, ics.ComponentPropertyOrganizer))
	}
}

// bookable is an office open every hour of every day in UTC, for the
// authorization table: each user books, moves and cancels an appointment
// of their own ({appt}) at {slot}, moved to {slot2}.
type bookable struct {
	ids         map[string]string
	slot, slot2 string
}

func newBookable(t *testing.T, e *env, users []string) *bookable {
	t.Helper()
	office := sportello.Office{ID: "o-urp", Name: "URP", Address: "Piazza del Comune 1"}
	svc := sportello.OfficeService{OfficeID: office.ID, ID: "info", Name: "Informazioni", Calendar: sportello.SlotCalendar{
		SlotMinutes: 30, Capacity: 100, Hours: "lun-dom 0:00-24:00", HorizonDays: 365, Zone: "UTC",
	}}
	if err := e.db.PutOfficeServices(context.Background(), []sportello.Office{office}, []sportello.OfficeService{svc}); err != nil {
		t.Fatal(err)
	}
	day := time.Now().UTC().Truncate(24 * time.Hour).Add(48 * time.Hour)
	b := &bookable{ids: map[string]string{}, slot: day.Add(10 * time.Hour).Format(time.RFC3339), slot2: day.Add(11 * time.Hour).Format(time.RFC3339)}
	for i, u := range users {
		b.ids[u] = "01950000-0000-7000-8000-0000000c000" + strconv.Itoa(i)
	}
	return b
}

// replace fills in the placeholders of username's row.
func (b *bookable) replace(s, username string) string {
	return strings.NewReplacer("{appt}", b.ids[username], "{slot}", b.slot, "{slot2}", b.slot2).Replace(s)
}
