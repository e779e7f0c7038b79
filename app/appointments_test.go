package app_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// Slots of the fake: Monday 23 November 2026 at 8:30, 9:00 and 9:30 in
// Rome (UTC+1).
var (
	slot0830 = time.Date(2026, 11, 23, 7, 30, 0, 0, time.UTC)
	slot0900 = slot0830.Add(30 * time.Minute)
	slot0930 = slot0830.Add(time.Hour)
)

// appointmentService is a fake AppointmentService: one office with one
// service, the free slots it is given, and a log of what it was asked.
type appointmentService struct {
	mu     sync.Mutex
	free   []time.Time
	taken  map[time.Time]bool // booking these is "slot just taken" (once)
	offErr error              // every call fails with it when set
	appts  []*sportello.Appointment
	asked  []string
	booked []sportello.AppointmentRequest
}

var _ sportello.AppointmentService = (*appointmentService)(nil)

// cie is the fake's service, in the category of Maria Rossi's open case.
var cie = sportello.OfficeService{OfficeID: "o-anagrafe", ID: "cie", Name: "Carta d'identità", Category: "Carta d'identità elettronica",
	OfficeName: "Anagrafe centrale", OfficeAddress: "Via Larga 12"}

func (f *appointmentService) log(s string) { f.asked = append(f.asked, s) }

func (f *appointmentService) OfficeServices(context.Context) ([]sportello.OfficeService, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.offErr != nil {
		return nil, f.offErr
	}
	return []sportello.OfficeService{cie}, nil
}

func (f *appointmentService) FreeSlots(_ context.Context, office, service string, from, to time.Time) ([]sportello.Slot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("slots " + office + "/" + service)
	var out []sportello.Slot
	for _, t := range f.free {
		out = append(out, sportello.Slot{OfficeID: office, Service: service, Start: t, End: t.Add(30 * time.Minute), Capacity: 1})
	}
	return out, nil
}

func (f *appointmentService) BookAppointment(_ context.Context, r sportello.AppointmentRequest) (*sportello.Appointment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.taken[r.Start] {
		delete(f.taken, r.Start)
		f.free = slices.DeleteFunc(f.free, func(t time.Time) bool { return t.Equal(r.Start) })
		return nil, sportello.Errorf(sportello.ECONFLICT, sportello.ErrSlotTaken)
	}
	f.booked = append(f.booked, r)
	a := &sportello.Appointment{ID: "appt-" + r.Start.Format("1504"), OfficeID: r.OfficeID, Service: r.Service, Start: r.Start, End: r.Start.Add(30 * time.Minute),
		CitizenID: r.CitizenID, CaseID: "case-appt", Status: sportello.AppointmentBooked, OfficeName: cie.OfficeName, ServiceName: cie.Name, CitizenName: "Maria Rossi"}
	if r.CaseID != "" {
		a.CaseID = r.CaseID
	}
	f.appts = append(f.appts, a)
	return a, nil
}

func (f *appointmentService) find(id string) *sportello.Appointment {
	for _, a := range f.appts {
		if a.ID == id {
			return a
		}
	}
	return nil
}

func (f *appointmentService) MoveAppointment(_ context.Context, id string, start time.Time) (*sportello.Appointment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("move " + id + " " + start.Format("15:04"))
	a := f.find(id)
	if a == nil {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no appointment has id %s", id)
	}
	a.Start, a.End, a.Status = start, start.Add(30*time.Minute), sportello.AppointmentMoved
	cp := *a
	return &cp, nil
}

func (f *appointmentService) CancelAppointment(_ context.Context, id string) (*sportello.Appointment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("cancel " + id)
	a := f.find(id)
	if a == nil {
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no appointment has id %s", id)
	}
	a.Status = sportello.AppointmentCancelled
	cp := *a
	return &cp, nil
}

func (f *appointmentService) CitizenAppointments(_ context.Context, citizenID string) ([]*sportello.Appointment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.offErr != nil {
		return nil, f.offErr
	}
	var out []*sportello.Appointment
	for _, a := range f.appts {
		if a.CitizenID == citizenID {
			cp := *a
			out = append(out, &cp)
		}
	}
	return out, nil
}

func (f *appointmentService) requests() ([]sportello.AppointmentRequest, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.booked), slices.Clone(f.asked)
}

// appointmentRig is the operator rig with an AppointmentService and the
// clock at t0 (Friday 20 November 2026, 10:30 in Rome).
func appointmentRig(t *testing.T, role sportello.Role, f *appointmentService) *rig {
	t.Helper()
	test.NewTempApp(t)
	r := &rig{phone: phonetest.New(), cits: &citizens{cards: map[string]*sportello.CallerCard{"+390212345678": maria()}}, feed: &syncFeed{}}
	r.cases = &cases{result: func(w sportello.WrapUp) *sportello.Case {
		k, _ := sportello.Replay("case-appt", w.CitizenID, []*sportello.CaseEvent{
			{ID: "n1", CaseID: "case-appt", Kind: sportello.EventOpened, At: t0, Category: "Carta d'identità"},
			{ID: "n2", CaseID: "case-appt", Kind: sportello.EventWrapUp, At: t0, Outcome: w.Outcome, Note: w.Note},
		})
		return k
	}}
	r.phone.AnswerFn = func(string) error { return nil }
	r.phone.HangupFn = func(string) error { return nil }
	r.d = app.Create(test.NewTempApp(t), app.Config{
		Phone: r.phone, Citizens: r.cits, Cases: r.cases, Sync: r.feed, Appointments: f,
		User: &sportello.User{ID: "u-giulia", Name: "Giulia Bianchi", Role: role},
		Now:  func() time.Time { return t0 },
	})
	r.w = r.d.Window
	r.w.Show()
	t.Cleanup(r.d.Close)
	return r
}

// TestAppointments_BookFromCallByKeyboard: during Maria Rossi's call
// Ctrl+Shift+G opens the picker on the office's service and its next free
// slots in Rome time; Tab then Right chooses 9:00, Ctrl+Shift+G again
// confirms, on her open case of the same service; the wrap-up then has
// "appointment booked" picked and goes on that case with the appointment
// in its note.
func TestAppointments_BookFromCallByKeyboard(t *testing.T) {
	f := &appointmentService{free: []time.Time{slot0830, slot0900, slot0930}}
	r := appointmentRig(t, sportello.RoleOperator, f)
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallActive, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Maria Rossi")

	apptest.Press(r.w, app.ShortcutBookAppointment)
	apptest.WaitText(t, r.w, wait, "Book an appointment for Maria Rossi", "Anagrafe centrale · Carta d'identità", "Mon 23/11 08:30",
		"Confirm appointment  [Ctrl+Shift+G]")
	app.WithUI(func() { r.w.Canvas().FocusNext() })
	apptest.Key(r.w, fyne.KeyRight)
	apptest.WaitText(t, r.w, wait, "Mon 23/11 09:00")
	apptest.Press(r.w, app.ShortcutBookAppointment)
	apptest.WaitText(t, r.w, wait, "Appointment booked: Anagrafe centrale · Carta d'identità · Mon 23/11 09:00")
	booked, _ := f.requests()
	if len(booked) != 1 || !booked[0].Start.Equal(slot0900) || booked[0].CitizenID != "cit-1" || booked[0].CaseID != "case-1" || booked[0].OfficeID != "o-anagrafe" || booked[0].Service != "cie" {
		t.Fatalf("booked %+v, want Maria Rossi at 9:00", booked)
	}

	r.phone.CallsCh <- call(sportello.CallEnded, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Call ended")
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on case")
	r.cases.mu.Lock()
	defer r.cases.mu.Unlock()
	if len(r.cases.got) != 1 {
		t.Fatalf("%d wrap-ups, want 1", len(r.cases.got))
	}
	w := r.cases.got[0]
	if w.Outcome != sportello.OutcomeAppointmentBooked || w.CaseID != "case-1" ||
		w.Note != "Appointment booked: Anagrafe centrale · Carta d'identità · Mon 23/11 09:00" {
		t.Fatalf("wrap-up %+v, want appointment booked on the booking's case", w)
	}
}

// TestAppointments_SlotJustTaken: another desktop took the slot first; the
// picker says so, reads the slots again without it, and the next confirm
// books the slot then first.
func TestAppointments_SlotJustTaken(t *testing.T) {
	f := &appointmentService{free: []time.Time{slot0830, slot0900}, taken: map[time.Time]bool{slot0830: true}}
	r := appointmentRig(t, sportello.RoleOperator, f)
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Maria Rossi")
	apptest.Press(r.w, app.ShortcutBookAppointment)
	apptest.WaitText(t, r.w, wait, "Mon 23/11 08:30")
	apptest.Press(r.w, app.ShortcutBookAppointment)
	apptest.WaitText(t, r.w, wait, "This slot was just taken by another desktop: choose another one.", "Mon 23/11 09:00")
	if text := apptest.Text(r.w); contains(text, "Mon 23/11 08:30") {
		t.Fatalf("the taken slot is still offered:\n%s", text)
	}
	apptest.Press(r.w, app.ShortcutBookAppointment)
	apptest.WaitText(t, r.w, wait, "Appointment booked: Anagrafe centrale · Carta d'identità · Mon 23/11 09:00")
	if booked, _ := f.requests(); len(booked) != 1 || !booked[0].Start.Equal(slot0900) {
		t.Fatalf("booked %+v", booked)
	}
}

// TestAppointments_MoveAndCancel: the Appuntamenti tab lists the citizen's
// appointments; Ctrl+Shift+V moves the chosen one to another slot (its
// own left out), Ctrl+Shift+U cancels it.
func TestAppointments_MoveAndCancel(t *testing.T) {
	f := &appointmentService{free: []time.Time{slot0830, slot0900, slot0930}, appts: []*sportello.Appointment{{
		ID: "appt-1", OfficeID: "o-anagrafe", Service: "cie", Start: slot0830, End: slot0900, CitizenID: "cit-1", CaseID: "case-1",
		Status: sportello.AppointmentBooked, OfficeName: cie.OfficeName, ServiceName: cie.Name, CitizenName: "Maria Rossi",
	}}}
	r := appointmentRig(t, sportello.RoleOperator, f)
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Maria Rossi")
	apptest.Press(r.w, app.ShortcutAppointments)
	apptest.WaitText(t, r.w, wait, "Appointments of Maria Rossi: 1", "Anagrafe centrale · Carta d'identità · Mon 23/11 08:30",
		"Move  [Ctrl+Shift+V]", "Cancel appointment  [Ctrl+Shift+U]")

	apptest.Press(r.w, app.ShortcutMoveAppointment)
	apptest.WaitText(t, r.w, wait, "Move the appointment of Maria Rossi", "Mon 23/11 09:00")
	apptest.Key(r.w, fyne.KeyRight) // the slot list has the focus: 9:30
	apptest.WaitText(t, r.w, wait, "Mon 23/11 09:30")
	apptest.Press(r.w, app.ShortcutMoveAppointment)
	apptest.WaitText(t, r.w, wait, "Appointment moved: Anagrafe centrale · Carta d'identità · Mon 23/11 09:30")

	apptest.Press(r.w, app.ShortcutCancelAppointment)
	apptest.WaitText(t, r.w, wait, "Appointment cancelled", "Appointments of Maria Rossi: none to come")
	if _, asked := f.requests(); !slices.Contains(asked, "move appt-1 08:30") /* UTC */ || !slices.Contains(asked, "cancel appt-1") {
		t.Fatalf("asked %q", asked)
	}
}

// TestAppointments_Offline: without syncd the picker says why nothing can
// be booked.
func TestAppointments_Offline(t *testing.T) {
	f := &appointmentService{offErr: sportello.Errorf(sportello.EUNAVAILABLE,
		"appointments need syncd, which cannot be reached: try again when the desktop is online")}
	r := appointmentRig(t, sportello.RoleOperator, f)
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Maria Rossi")
	apptest.Press(r.w, app.ShortcutBookAppointment)
	apptest.WaitText(t, r.w, wait, "syncd is unreachable: appointments need syncd, which cannot be reached: try again when the desktop is online")
}

// TestAppointments_SupervisorReads: a supervisor sees the list but has no
// booking.
func TestAppointments_SupervisorReads(t *testing.T) {
	f := &appointmentService{free: []time.Time{slot0830}}
	r := appointmentRig(t, sportello.RoleSupervisor, f)
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Maria Rossi")
	apptest.Press(r.w, app.ShortcutBookAppointment)
	apptest.WaitText(t, r.w, wait, "Your role does not allow this")
	if booked, _ := f.requests(); len(booked) != 0 {
		t.Fatalf("a supervisor booked %+v", booked)
	}
}

func contains(text, s string) bool {
	for _, line := range splitLines(text) {
		if line == s {
			return true
		}
	}
	return false
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// TestAppointments_Board: the supervisor's board shows the appointments
// booked today per office.
func TestAppointments_Board(t *testing.T) {
	brd := morningBoard()
	brd.Appointments = []sportello.BoardOffice{{ID: "o-anagrafe", Name: "Anagrafe centrale", BookedToday: 3}, {ID: "o-urp", Name: "URP", BookedToday: 1}}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{},
		Board: &boards{first: brd}, Presence: &presences{}, User: supervisor,
	})
	app.WithUI(d.Window.Show)
	t.Cleanup(d.Close)
	apptest.WaitText(t, d.Window, wait, "Appointments booked today: Anagrafe centrale 3, URP 1")
}

// TestAppointments_FromDeskCase: a specialist on the desk queue's tab
// books for the citizen of the case selected there, on that case.
func TestAppointments_FromDeskCase(t *testing.T) {
	f := &appointmentService{free: []time.Time{slot0830}}
	d := &desks{
		desks: []sportello.Desk{{ID: "desk-tributi", Name: "Tributi", Member: true}},
		queue: []*sportello.Case{waiting("k-old", "Rimborso TARI 2023", t0)},
	}
	d.act = d.applying(luca)
	desktop := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{}, Desks: d,
		Appointments: f, User: luca, Now: func() time.Time { return t0 },
	})
	w := desktop.Window
	app.WithUI(w.Show)
	t.Cleanup(desktop.Close)
	apptest.WaitText(t, w, wait, "Rimborso TARI 2023")
	apptest.Press(w, app.ShortcutBookAppointment)
	apptest.WaitText(t, w, wait, "Book an appointment for Maria Rossi", "Mon 23/11 08:30")
	apptest.Press(w, app.ShortcutBookAppointment)
	apptest.WaitText(t, w, wait, "Appointment booked: Anagrafe centrale · Carta d'identità · Mon 23/11 08:30")
	if booked, _ := f.requests(); len(booked) != 1 || booked[0].CitizenID != "cit-1" || booked[0].CaseID != "k-old" {
		t.Fatalf("booked %+v, want Maria Rossi on k-old", booked)
	}
}

// TestAppointments_LiveRefresh: an appointment another desktop books for
// the citizen on the card shows in the tab as its change arrives.
func TestAppointments_LiveRefresh(t *testing.T) {
	f := &appointmentService{}
	r := appointmentRig(t, sportello.RoleOperator, f)
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Maria Rossi")
	apptest.Press(r.w, app.ShortcutAppointments)
	apptest.WaitText(t, r.w, wait, "Appointments of Maria Rossi: none to come")
	f.mu.Lock()
	f.appts = append(f.appts, &sportello.Appointment{ID: "appt-9", OfficeID: "o-anagrafe", Service: "cie", Start: slot0930, End: slot0930.Add(30 * time.Minute),
		CitizenID: "cit-1", CaseID: "case-1", Status: sportello.AppointmentBooked, OfficeName: cie.OfficeName, ServiceName: cie.Name})
	f.mu.Unlock()
	app.WithUI(func() {})
	r.feed.onChange(sportello.Change{Seq: 9, Kind: sportello.ChangeKindCaseEvent, CitizenID: "cit-1", CaseID: "case-1",
		Event: &sportello.CaseEvent{ID: "ev-9", CaseID: "case-1", Kind: sportello.EventAppointment, CallID: "appt-9", At: t0}})
	apptest.WaitText(t, r.w, wait, "Appointments of Maria Rossi: 1", "Anagrafe centrale · Carta d'identità · Mon 23/11 09:30")
}
