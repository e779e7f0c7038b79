package catalog_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/catalog"
	"github.com/sportello/sportello/demo"
)

var t0 = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

// demoCatalog is the demo city's catalogue as syncd would export it.
func demoCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	d := demo.Generate(1, t0)
	c := catalog.Of(d.KB, d.Directory)
	if len(c.Services) < 5 || len(c.Offices) < 5 || len(c.Answers) < 5 || len(c.Directory) < 20 {
		t.Fatalf("demo catalogue too small: %d services, %d offices, %d answers, %d numbers", len(c.Services), len(c.Offices), len(c.Answers), len(c.Directory))
	}
	// A free-form answer with every column filled, new lines and commas.
	a := &c.Answers[0]
	a.Link, a.Keywords, a.OwnerDesk = "https://www.comune.example/estate", []string{"estate", "negozi, alimentari"}, "desk-tributi"
	a.Body = "Prima riga, con virgola.\nSeconda riga: \"tra virgolette\"."
	return c
}

// TestCSV_RoundTrip: export every table as CSV, import it, export again:
// the same bytes, and the same entries (dates kept to the day).
func TestCSV_RoundTrip(t *testing.T) {
	c := demoCatalog(t)
	// An office with exceptions: a closure and special hours.
	withExceptions := mustHours(t, "lun-ven 8:30-12:30; 2026-08-14 chiuso; 2026-12-24,2026-12-31 8:30-11:00")
	c.Offices[0].Hours = &withExceptions
	back := &catalog.Catalog{}
	for _, table := range catalog.Tables {
		var first bytes.Buffer
		if err := catalog.WriteCSV(&first, c, table); err != nil {
			t.Fatal(err)
		}
		got, err := catalog.ReadCSV(bytes.NewReader(first.Bytes()), table, table+".csv")
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		var second bytes.Buffer
		if err := catalog.WriteCSV(&second, got, table); err != nil {
			t.Fatal(err)
		}
		if first.String() != second.String() {
			t.Fatalf("%s: export -> import -> export differs:\n%s\n---\n%s", table, first.String(), second.String())
		}
		back.Merge(got)
	}
	want := c
	for i := range want.Services {
		want.Services[i].ReviewedAt = day(want.Services[i].ReviewedAt)
	}
	for i := range want.Offices {
		want.Offices[i].ReviewedAt = day(want.Offices[i].ReviewedAt)
	}
	for i := range want.Answers {
		want.Answers[i].ReviewedAt = day(want.Answers[i].ReviewedAt)
	}
	if !reflect.DeepEqual(back.Services, want.Services) {
		t.Errorf("services differ:\n%+v\n%+v", back.Services[0], want.Services[0])
	}
	if back.Offices[0].Hours == nil || len(back.Offices[0].Hours.Exceptions) != 3 {
		t.Errorf("the office's exceptions did not come back: %+v", back.Offices[0].Hours)
	}
	if !reflect.DeepEqual(back.Offices, want.Offices) {
		t.Errorf("offices differ:\n%+v\n%+v", back.Offices[0], want.Offices[0])
	}
	if !reflect.DeepEqual(back.Answers, want.Answers) {
		t.Errorf("answers differ:\n%+v\n%+v", back.Answers[0], want.Answers[0])
	}
	if back.Answers[0].Kind != "answer" || back.Answers[0].Body != want.Answers[0].Body || !back.Holds(catalog.Answers) {
		t.Errorf("the answer came back as %+v", back.Answers[0])
	}
	if !reflect.DeepEqual(back.Directory, want.Directory) {
		t.Errorf("directory differs:\n%+v\n%+v", back.Directory[0], want.Directory[0])
	}
	if got := back.SourceOf(catalog.Offices, want.Offices[1].ID); got != "offices.csv line 3" {
		t.Errorf("SourceOf = %q, want offices.csv line 3", got)
	}
}

func day(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// TestJSON_RoundTrip: the JSON document keeps every field exactly.
func TestJSON_RoundTrip(t *testing.T) {
	c := demoCatalog(t)
	var buf bytes.Buffer
	if err := catalog.WriteJSON(&buf, c); err != nil {
		t.Fatal(err)
	}
	got, err := catalog.ReadJSON(bytes.NewReader(buf.Bytes()), "catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	got.Source = nil
	if !reflect.DeepEqual(got, c) {
		t.Fatal("JSON export -> import differs")
	}
	if len(got.Answers) != len(c.Answers) || got.Answers[0].Body != c.Answers[0].Body || got.Answers[0].Kind != "answer" {
		t.Fatalf("answers after JSON: %+v", got.Answers)
	}
	var again bytes.Buffer
	catalog.WriteJSON(&again, got)
	if again.String() != buf.String() {
		t.Fatal("JSON export -> import -> export differs")
	}
}

// TestReadCSV_Errors: every refusal names the file, the line and the column.
func TestReadCSV_Errors(t *testing.T) {
	for _, tc := range []struct {
		name, table, data, want string
	}{
		{"MissingValue", catalog.Services, "id,title,summary\nkb-1,CIE,Si prenota\nkb-2,,Manca il titolo\n", "services.csv line 3, column title: this field is required"},
		{"UnknownColumn", catalog.Services, "id,title,summary,colour\n", `services.csv line 1: unknown column "colour"`},
		{"MissingColumn", catalog.Directory, "id,name\n", `directory.csv line 1: the column "number" is missing`},
		{"BadHours", catalog.Offices, "id,title,summary,hours\nuff-1,Anagrafe,Via Larga,lun-ven 8:30-12:30\nuff-2,Tributi,Via Larga,lun-xyz 9:00-12:00\n", `offices.csv line 3, column hours: hours "lun-xyz 9:00-12:00": unknown day "xyz"`},
		{"BadDate", catalog.Services, "id,title,summary,reviewed_at\nkb-1,CIE,Si prenota,31/03/2026\n", "services.csv line 2, column reviewed_at: \"31/03/2026\" is not a date"},
		{"RepeatedID", catalog.Directory, "id,name,number\nd-1,Municipio 1,+390288458000\nd-1,Municipio 2,+390288458100\n", `directory.csv line 3, column id: the id "d-1" is used already at directory.csv line 2`},
		{"FieldCount", catalog.Directory, "id,name,number\nd-1,Municipio 1\n", "directory.csv line 2: 2 fields, but the header has 3"},
		{"Quote", catalog.Directory, "id,name,number\nd-1,\"Municipio 1,+39\n", "directory.csv line 2"},
		{"MultilineThenError", catalog.Services, "id,title,summary,body\nkb-1,CIE,Si prenota,\"riga uno\nriga due\"\nkb-2,,x,y\n", "services.csv line 4, column title"},
		{"Empty", catalog.Offices, "", "offices.csv line 1: the file is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := catalog.ReadCSV(strings.NewReader(tc.data), tc.table, tc.table+".csv")
			if sportello.ErrorCode(err) != sportello.EINVALID || !strings.Contains(sportello.ErrorMessage(err), tc.want) {
				t.Fatalf("error %v, want EINVALID containing %q", err, tc.want)
			}
		})
	}
}

// TestReadJSON_Errors: syntax and type errors name the line; entries their
// list and index.
func TestReadJSON_Errors(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"Syntax", "{\n\"format\": \"sportello-catalog/1\",\n\"services\": [,]\n}", "catalog.json line 3"},
		{"Type", "{\n\"format\": \"sportello-catalog/1\",\n\"directory\": [{\"id\": 5}]\n}", "catalog.json line 3, column directory.id"},
		{"UnknownField", `{"format": "sportello-catalog/1", "services": [{"id": "a", "titel": "x"}]}`, `unknown field "titel"`},
		{"Format", `{"services": []}`, `column format: expected "sportello-catalog/1"`},
		{"WrongKind", `{"format": "sportello-catalog/1", "offices": [{"id": "a", "kind": "service", "title": "x"}]}`, "catalog.json offices[0], column kind"},
		{"BadHours", `{"format": "sportello-catalog/1", "directory": [{"id": "a", "name": "x", "number": "1", "hours_text": "sempre"}]}`, "catalog.json directory[0], column hours_text"},
		{"SameIDAcrossKBTables", `{"format": "sportello-catalog/1", "services": [{"id": "a", "title": "x"}], "offices": [{"id": "a", "title": "y"}]}`, "used already at catalog.json services[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := catalog.ReadJSON(strings.NewReader(tc.data), "catalog.json")
			if sportello.ErrorCode(err) != sportello.EINVALID || !strings.Contains(sportello.ErrorMessage(err), tc.want) {
				t.Fatalf("error %v, want EINVALID containing %q", err, tc.want)
			}
		})
	}
}

// TestFormatHours: written hours read back as the same hours.
func TestFormatHours(t *testing.T) {
	for _, text := range []string{
		"lun-ven 8:30-12:30",
		"lun-ven 8:30-12:30, 14:00-16:00; sab 9:00-12:00",
		"lun 9:00-12:00; mer 9:00-12:00; sab-dom 10:00-18:00",
		"lun-dom 0:00-24:00",
		"lun-ven 8:30-12:30; 2026-08-14 chiuso; 2026-12-24 8:30-11:00",
	} {
		h, err := sportello.ParseHours(text)
		if err != nil {
			t.Fatal(err)
		}
		out := sportello.FormatHours(h)
		back, err := sportello.ParseHours(out)
		if err != nil || !reflect.DeepEqual(back, h) {
			t.Errorf("%q -> %q -> %v, %v", text, out, back, err)
		}
	}
	if got := sportello.FormatHours(mustHours(t, "lun-ven 8:30-12:30; sab 9:00-12:00")); got != "lun-ven 8:30-12:30; sab 9:00-12:00" {
		t.Errorf("FormatHours = %q", got)
	}
}

func mustHours(t *testing.T, s string) sportello.WeeklyHours {
	h, err := sportello.ParseHours(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestWriteCSV_Separator: a list item holding the separator is refused,
// not split on the way back.
func TestWriteCSV_Separator(t *testing.T) {
	c := &catalog.Catalog{Services: []sportello.KBEntry{{ID: "kb-1", Title: "x", Summary: "y", Documents: []string{"foto | tessera"}}}}
	err := catalog.WriteCSV(&bytes.Buffer{}, c, catalog.Services)
	if !strings.Contains(sportello.ErrorMessage(err), "export as JSON") {
		t.Fatalf("error %v", err)
	}
}

// TestSweep: --retire-missing holds whole only the tables the files
// hold: a CSV file its table (even with no rows), a JSON document the
// lists it has.
func TestSweep(t *testing.T) {
	c, err := catalog.ReadCSV(strings.NewReader("id,name,number\n"), catalog.Directory, "directory.csv")
	if err != nil {
		t.Fatal(err)
	}
	if sw := c.Sweep(); !sw.Directory || len(sw.KBKinds) != 0 {
		t.Fatalf("directory.csv sweeps %+v", sw)
	}
	a, err := catalog.ReadCSV(strings.NewReader("id,title,summary\na-1,Negozi aperti,Sul portale.\n"), catalog.Answers, "answers.csv")
	if err != nil {
		t.Fatal(err)
	}
	c.Merge(a)
	if sw := c.Sweep(); !sw.Directory || !reflect.DeepEqual(sw.KBKinds, []sportello.EntryKind{sportello.EntryAnswer}) || c.Answers[0].Kind != sportello.EntryAnswer {
		t.Fatalf("directory.csv and answers.csv sweep %+v", sw)
	}
	j, err := catalog.ReadJSON(strings.NewReader(`{"format": "sportello-catalog/1", "services": [], "answers": [{"id": "a-1", "title": "x", "summary": "y"}]}`), "catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	if sw := j.Sweep(); sw.Directory || !reflect.DeepEqual(sw.KBKinds, []sportello.EntryKind{sportello.EntryService, sportello.EntryAnswer}) || j.Answers[0].Kind != sportello.EntryAnswer {
		t.Fatalf("the JSON document sweeps %+v", sw)
	}
}
