package check_test

import (
	"strings"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/check"
)

// TestKBEntry_Refused: every refusal names the field and says what to
// write; good entries come back trimmed, hours read from their text.
func TestKBEntry_Refused(t *testing.T) {
	good := sportello.KBEntry{ID: "kb-1", Kind: sportello.EntryOffice, Title: " Anagrafe ", Summary: "Via Larga 12.", HoursText: "lun-ven 8:30-12:30; 2026-08-14 chiuso",
		Documents: []string{" foto ", ""}, Link: "https://www.comune.example/anagrafe", Phone: "02 0202"}
	e, err := check.KBEntry(good)
	if err != nil || e.Title != "Anagrafe" || e.Hours == nil || len(e.Hours.Exceptions) != 1 || len(e.Documents) != 1 || e.Documents[0] != "foto" {
		t.Fatalf("good entry: %+v, %v", e, err)
	}
	people := good
	people.HoursText = "lun-ven 8:30-15:30, solo su appuntamento" // for people: kept, no machine hours
	if e, err := check.KBEntry(people); err != nil || e.Hours != nil || e.HoursText != people.HoursText {
		t.Fatalf("hours for people: %+v, %v", e, err)
	}
	for _, tc := range []struct {
		name string
		edit func(e *sportello.KBEntry)
		want string
	}{
		{"NoID", func(e *sportello.KBEntry) { e.ID = " " }, "id: an entry needs an id"},
		{"IDWithSlash", func(e *sportello.KBEntry) { e.ID = "a/b" }, "id:"},
		{"Kind", func(e *sportello.KBEntry) { e.Kind = "faq" }, `kind: "faq" is not a kind of entry`},
		{"NoTitle", func(e *sportello.KBEntry) { e.Title = "" }, "title: this field is required"},
		{"NoSummary", func(e *sportello.KBEntry) { e.Summary = "  " }, "summary: this field is required"},
		{"LongTitle", func(e *sportello.KBEntry) { e.Title = strings.Repeat("a", 201) }, "title: the text is longer than 200"},
		{"Control", func(e *sportello.KBEntry) { e.Title = "a\x07b" }, "title: the text holds a control character"},
		{"Link", func(e *sportello.KBEntry) { e.Link = "javascript:alert(1)" }, "link:"},
		{"Phone", func(e *sportello.KBEntry) { e.Phone = "chiamare" }, "phone:"},
		{"TooManyKeywords", func(e *sportello.KBEntry) {
			e.Keywords = make([]string, 51)
			for i := range e.Keywords {
				e.Keywords[i] = "k"
			}
		}, "keywords: at most 50"},
		{"BadMachineHours", func(e *sportello.KBEntry) {
			e.HoursText, e.Hours = "", &sportello.WeeklyHours{Exceptions: []sportello.DayException{{Date: "14/08"}}}
		}, "hours: the exception's date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := good
			tc.edit(&e)
			_, err := check.KBEntry(e)
			if sportello.ErrorCode(err) != sportello.EINVALID || !strings.Contains(sportello.ErrorMessage(err), tc.want) {
				t.Fatalf("error %v, want EINVALID with %q", err, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		e    sportello.DirectoryEntry
		want string
	}{
		{sportello.DirectoryEntry{ID: "d", Name: "x", Number: "non so"}, "number:"},
		{sportello.DirectoryEntry{ID: "d", Number: "+390200000000"}, "name: this field is required"},
		{sportello.DirectoryEntry{ID: "d", Name: "x", Number: "+390200000000", HoursText: "sempre"}, "hours_text:"},
	} {
		if _, err := check.DirectoryEntry(tc.e); !strings.Contains(sportello.ErrorMessage(err), tc.want) {
			t.Errorf("DirectoryEntry(%+v) = %v, want %q", tc.e, err, tc.want)
		}
	}
}
