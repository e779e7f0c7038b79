package sportello_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
)

func TestParseHours(t *testing.T) {
	h, err := sportello.ParseHours("lun-ven 8:30-12:30, 14:00-16:00; sab 9:00-12:00")
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Days[time.Wednesday]; len(got) != 2 || got[0] != (sportello.TimeRange{From: 510, To: 750}) || got[1].To != 960 {
		t.Fatalf("wednesday = %+v", got)
	}
	if len(h.Days[time.Saturday]) != 1 || len(h.Days[time.Sunday]) != 0 {
		t.Fatalf("weekend = %+v %+v", h.Days[time.Saturday], h.Days[time.Sunday])
	}
	for _, bad := range []string{"lun", "xyz 8:00-9:00", "lun 9:00-8:00", "lun 8-9", "lun 25:00-26:00"} {
		if _, err := sportello.ParseHours(bad); sportello.ErrorCode(err) != sportello.EINVALID {
			t.Errorf("ParseHours(%q) = %v, want EINVALID", bad, err)
		}
	}
}

func TestWeeklyHours_StateAt(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	cal := sportello.ItalianCalendar(1207, "Sant'Ambrogio")
	h, _ := sportello.ParseHours("lun-ven 8:30-12:30, 14:00-16:00; sab 9:00-12:00")
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, rome) }
	for _, tc := range []struct {
		name    string
		t       time.Time
		open    bool
		until   time.Time
		next    time.Time
		holiday string
	}{
		{"MorningOpen", at(2026, 11, 25, 9, 0), true, at(2026, 11, 25, 12, 30), time.Time{}, ""},
		{"LunchBreak", at(2026, 11, 25, 13, 0), false, time.Time{}, at(2026, 11, 25, 14, 0), ""},
		{"EveningToTomorrow", at(2026, 11, 25, 18, 0), false, time.Time{}, at(2026, 11, 26, 8, 30), ""},
		{"SaturdayAfterClose", at(2026, 11, 28, 13, 0), false, time.Time{}, at(2026, 11, 30, 8, 30), ""},
		{"PatronDay", at(2026, 12, 7, 10, 0), false, time.Time{}, at(2026, 12, 9, 8, 30), "Sant'Ambrogio"}, // 8th is a holiday too
		{"EasterMonday2027", at(2027, 3, 29, 10, 0), false, time.Time{}, at(2027, 3, 30, 8, 30), "Lunedì dell'Angelo"},
		// Summer time starts on Sunday 2027-03-28: Monday's hours are wall-clock hours.
		{"AcrossDST", at(2027, 3, 27, 13, 0), false, time.Time{}, at(2027, 3, 30, 8, 30), ""},
		{"AutumnDST", at(2026, 10, 24, 12, 30), false, time.Time{}, at(2026, 10, 26, 8, 30), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := h.StateAt(tc.t.UTC(), rome, cal)
			if st.Open != tc.open || !st.Until.Equal(tc.until) || !st.Next.Equal(tc.next) || st.Holiday != tc.holiday {
				t.Fatalf("StateAt(%s) = %+v, want open=%v until=%s next=%s holiday=%q", tc.t, st, tc.open, tc.until, tc.next, tc.holiday)
			}
		})
	}
	if next := h.StateAt(at(2026, 10, 24, 12, 30), rome, cal).Next; next.UTC().Hour() != 7 {
		t.Fatalf("after the autumn change 8:30 in Rome is 07:30 UTC, got %s", next.UTC())
	}
}

func TestEaster(t *testing.T) {
	for year, want := range map[int]string{2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28"} {
		if got := sportello.Easter(year).Format("2006-01-02"); got != want {
			t.Errorf("Easter(%d) = %s, want %s", year, got, want)
		}
	}
}

func TestFoldText(t *testing.T) {
	if got := sportello.FoldText("Carta d'Identità Elettronica"); got != "carta d identita elettronica" {
		t.Fatalf("FoldText = %q", got)
	}
}
