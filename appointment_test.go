package sportello_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// cie is a 20-minute, two-place service open Monday to Friday mornings and
// Thursday afternoon, Saturday 9-10, in Rome with Milan's holidays.
var cie = sportello.OfficeService{
	OfficeID: "o-anagrafe", ID: "cie", Name: "Carta d'identità",
	Calendar: sportello.SlotCalendar{
		SlotMinutes: 20, Capacity: 2, Hours: "lun-ven 8:30-10:00; gio 14:30-15:10; sab 9:00-10:00",
		HorizonDays: 30, Zone: "Europe/Rome", Holidays: sportello.ItalianCalendar(1207, "Sant'Ambrogio"),
	},
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func starts(slots []sportello.Slot) []string {
	var out []string
	for _, s := range slots {
		out = append(out, s.Start.Format("2006-01-02 15:04"))
	}
	return out
}

// TestOfficeService_Slots lays slots out on Rome's wall clock across both
// changes of summer time, skips holidays (fixed, Easter Monday, the patron
// day) and Sundays, and bounds them by now and the horizon.
func TestOfficeService_Slots(t *testing.T) {
	for _, tc := range []struct {
		name     string
		now      time.Time
		from, to string // UTC
		want     []string
	}{
		// Friday 27 March 2026 is on winter time (UTC+1), Monday 30 on
		// summer time (UTC+2): 8:30 Rome is 07:30 then 06:30 UTC, and
		// 8:30-10:00 holds four slots. Saturday 28 has its hour; Sunday 29
		// (the change) none.
		{"SpringForward", utc("2026-03-26 12:00"), "2026-03-27 00:00", "2026-03-30 23:00", []string{
			"2026-03-27 07:30", "2026-03-27 07:50", "2026-03-27 08:10", "2026-03-27 08:30",
			"2026-03-28 08:00", "2026-03-28 08:20", "2026-03-28 08:40",
			"2026-03-30 06:30", "2026-03-30 06:50", "2026-03-30 07:10", "2026-03-30 07:30",
		}},
		// Sunday 25 October 2026 ends summer time: Saturday 24 is UTC+2,
		// Monday 26 UTC+1.
		{"FallBack", utc("2026-10-20 12:00"), "2026-10-24 00:00", "2026-10-26 08:00", []string{
			"2026-10-24 07:00", "2026-10-24 07:20", "2026-10-24 07:40",
			"2026-10-26 07:30", "2026-10-26 07:50",
		}},
		// Thursday afternoon: 14:30-15:10 holds two 20-minute slots.
		{"ThursdayAfternoon", utc("2026-11-01 12:00"), "2026-11-05 12:00", "2026-11-05 23:00", []string{
			"2026-11-05 13:30", "2026-11-05 13:50",
		}},
		// Monday 7 December (Sant'Ambrogio) and Tuesday 8 (Immacolata) are
		// closed: the first slot after Saturday 5 is Wednesday 9.
		{"PatronDayAndImmacolata", utc("2026-12-01 12:00"), "2026-12-05 08:30", "2026-12-09 08:00", []string{
			"2026-12-05 08:40", "2026-12-09 07:30", "2026-12-09 07:50",
		}},
		// Easter Monday 6 April 2026 is closed.
		{"EasterMonday", utc("2026-04-01 12:00"), "2026-04-06 00:00", "2026-04-07 07:00", []string{
			"2026-04-07 06:30", "2026-04-07 06:50",
		}},
		// Nothing before now (mid-slot 09:05 Rome, the 9:10 slot is next)...
		{"NotBeforeNow", utc("2026-11-24 08:05"), "2026-11-24 00:00", "2026-11-24 12:00", []string{
			"2026-11-24 08:10", "2026-11-24 08:30",
		}},
		// ...and nothing past the 30-day horizon.
		{"Horizon", utc("2026-11-02 08:00"), "2026-12-02 00:00", "2026-12-05 00:00", []string{
			"2026-12-02 07:30", "2026-12-02 07:50",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			slots, err := cie.Slots(tc.now, utc(tc.from), utc(tc.to))
			if err != nil {
				t.Fatal(err)
			}
			got := starts(slots)
			if len(got) != len(tc.want) {
				t.Fatalf("slots\n%v\nwant\n%v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("slot %d is %s, want %s (all: %v)", i, got[i], tc.want[i], got)
				}
				if d := slots[i].End.Sub(slots[i].Start); d != 20*time.Minute || slots[i].Capacity != 2 || slots[i].Free() != 2 {
					t.Fatalf("slot %d lasts %s with %d/%d places", i, d, slots[i].Free(), slots[i].Capacity)
				}
			}
		})
	}
}

// TestOfficeService_SlotAt accepts only the start of a real slot.
func TestOfficeService_SlotAt(t *testing.T) {
	now := utc("2026-11-20 12:00")
	if s, err := cie.SlotAt(now, utc("2026-11-24 07:50")); err != nil || !s.End.Equal(utc("2026-11-24 08:10")) {
		t.Fatalf("a real slot: %+v, %v", s, err)
	}
	for name, start := range map[string]string{
		"OffGrid":  "2026-11-24 07:55",
		"Sunday":   "2026-11-22 08:30",
		"Past":     "2026-11-19 07:30",
		"Holiday":  "2026-12-08 07:30",
		"Horizon":  "2027-01-05 07:30",
		"Closed":   "2026-11-24 13:30",
		"LastSlot": "2026-11-24 09:00", // 10:00 Rome is closing time
	} {
		if _, err := cie.SlotAt(now, utc(start)); sportello.ErrorCode(err) != sportello.EINVALID {
			t.Errorf("%s (%s): %v, want EINVALID", name, start, err)
		}
	}
}

// TestSlotCalendar_Validate refuses calendars that give no sensible slots.
func TestSlotCalendar_Validate(t *testing.T) {
	ok := cie.Calendar
	for name, mod := range map[string]func(*sportello.SlotCalendar){
		"ShortSlot":   func(c *sportello.SlotCalendar) { c.SlotMinutes = 1 },
		"NoPlaces":    func(c *sportello.SlotCalendar) { c.Capacity = 0 },
		"NoHorizon":   func(c *sportello.SlotCalendar) { c.HorizonDays = 0 },
		"BadHours":    func(c *sportello.SlotCalendar) { c.Hours = "lunedì 9-12" },
		"UnknownZone": func(c *sportello.SlotCalendar) { c.Zone = "Europe/Nowhere" },
		"NoZone":      func(c *sportello.SlotCalendar) { c.Zone = "" },
	} {
		c := ok
		mod(&c)
		if _, _, err := c.Validate(); sportello.ErrorCode(err) != sportello.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	if _, _, err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestAppointment_Summary tells the appointment in Rome's time.
func TestAppointment_Summary(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	a := sportello.Appointment{OfficeName: "Anagrafe centrale", ServiceName: "Carta d'identità", Start: utc("2026-12-01 08:30")}
	if got, want := a.Summary(rome), "Anagrafe centrale, Carta d'identità, mar 01/12/2026 09:30"; got != want {
		t.Fatalf("summary %q, want %q", got, want)
	}
}
