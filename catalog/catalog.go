// Package catalog reads and writes the city's catalogue (the services,
// offices and free-form answers of the knowledge base, and the transfer
// directory) as the CSV
// and JSON files described in docs/CATALOG.md, so that a city loads its
// own data and takes it out again. Parse errors name the file, the line
// and the field.
package catalog

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/sportello/sportello"
)

// Format names the JSON document's format and its version.
const Format = "sportello-catalog/1"

// The tables of the catalogue, as CSV files and JSON lists are named.
const (
	Services  = "services"
	Offices   = "offices"
	Answers   = "answers"
	Directory = "directory"
)

// Tables lists the tables in the order they are read and written.
var Tables = []string{Services, Offices, Answers, Directory}

// Catalog is the city's catalogue: services, offices and free-form
// answers (entries of the knowledge base of those kinds) and the transfer
// directory.
type Catalog struct {
	Format    string                     `json:"format"`
	Services  []sportello.KBEntry        `json:"services"`
	Offices   []sportello.KBEntry        `json:"offices"`
	Answers   []sportello.KBEntry        `json:"answers"`
	Directory []sportello.DirectoryEntry `json:"directory"`
	// Source says where each entry was read, by table and id ("services
	// kb-cie" -> "services.csv line 4"), so that a refusal later can point
	// at the line.
	Source map[string]string `json:"-"`
	// held are the tables the catalogue was read with (a CSV file's
	// table, a JSON document's lists), even when empty.
	held map[string]bool
}

// Holds reports whether the catalogue was read with table (Services,
// Offices, Directory): an import with --retire-missing retires the stored
// entries of those tables that it does not name.
func (c *Catalog) Holds(table string) bool { return c.held[table] }

// Sweep returns what an import of the catalogue with --retire-missing
// holds whole: the kinds of its knowledge-base tables and the directory.
func (c *Catalog) Sweep() sportello.Sweep {
	var sw sportello.Sweep
	if c.Holds(Services) {
		sw.KBKinds = append(sw.KBKinds, sportello.EntryService)
	}
	if c.Holds(Offices) {
		sw.KBKinds = append(sw.KBKinds, sportello.EntryOffice)
	}
	if c.Holds(Answers) {
		sw.KBKinds = append(sw.KBKinds, sportello.EntryAnswer)
	}
	sw.Directory = c.Holds(Directory)
	return sw
}

func (c *Catalog) hold(table string) {
	if c.held == nil {
		c.held = map[string]bool{}
	}
	c.held[table] = true
}

// SourceOf returns where the entry id of table was read, or "".
func (c *Catalog) SourceOf(table, id string) string { return c.Source[table+" "+id] }

// Merge adds the entries of o to c (the tables of several CSV files).
func (c *Catalog) Merge(o *Catalog) {
	c.Services = append(c.Services, o.Services...)
	c.Offices = append(c.Offices, o.Offices...)
	c.Answers = append(c.Answers, o.Answers...)
	c.Directory = append(c.Directory, o.Directory...)
	if c.Source == nil {
		c.Source = map[string]string{}
	}
	for k, v := range o.Source {
		c.Source[k] = v
	}
	for t := range o.held {
		c.hold(t)
	}
}

// Edits turns the catalogue into edits that make the store hold it: each
// entry created, or updated over whatever version is stored.
func (c *Catalog) Edits() []sportello.Edit {
	var out []sportello.Edit
	for i := range c.Services {
		out = append(out, sportello.Edit{KB: &c.Services[i], Base: sportello.AnyVersion})
	}
	for i := range c.Offices {
		out = append(out, sportello.Edit{KB: &c.Offices[i], Base: sportello.AnyVersion})
	}
	for i := range c.Answers {
		out = append(out, sportello.Edit{KB: &c.Answers[i], Base: sportello.AnyVersion})
	}
	for i := range c.Directory {
		out = append(out, sportello.Edit{Directory: &c.Directory[i], Base: sportello.AnyVersion})
	}
	return out
}

// Of builds a catalogue from the stored knowledge base (services, offices
// and answers) and directory, in id order, without the store's
// bookkeeping (versions, update times).
func Of(kb []sportello.KBEntry, dir []sportello.DirectoryEntry) *Catalog {
	c := &Catalog{Format: Format, Services: []sportello.KBEntry{}, Offices: []sportello.KBEntry{}, Answers: []sportello.KBEntry{}, Directory: []sportello.DirectoryEntry{}}
	for _, t := range Tables {
		c.hold(t)
	}
	for _, e := range kb {
		e.Version, e.UpdatedAt = 0, time.Time{}
		switch e.Kind {
		case sportello.EntryService:
			c.Services = append(c.Services, e)
		case sportello.EntryOffice:
			c.Offices = append(c.Offices, e)
		case sportello.EntryAnswer:
			c.Answers = append(c.Answers, e)
		}
	}
	for _, e := range dir {
		e.Version, e.UpdatedAt = 0, time.Time{}
		c.Directory = append(c.Directory, e)
	}
	byID := func(a, b sportello.KBEntry) int { return strings.Compare(a.ID, b.ID) }
	slices.SortFunc(c.Services, byID)
	slices.SortFunc(c.Offices, byID)
	slices.SortFunc(c.Answers, byID)
	slices.SortFunc(c.Directory, func(a, b sportello.DirectoryEntry) int { return strings.Compare(a.ID, b.ID) })
	return c
}

// parseError is a refusal naming where: "services.csv line 4, column
// title: this field is required".
func parseError(where, field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if field != "" {
		return sportello.Errorf(sportello.EINVALID, "%s, column %s: %s", where, field, msg)
	}
	return sportello.Errorf(sportello.EINVALID, "%s: %s", where, msg)
}

// ReadJSON reads a catalogue in JSON; name is the file's name for errors.
// Unknown fields are refused, so that a misspelt field is not lost.
func ReadJSON(r io.Reader, name string) (*Catalog, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, parseError(fmt.Sprintf("%s line %d", name, lineAt(data, syn.Offset)), "", "%s", syn.Error())
		case errors.As(err, &typ):
			return nil, parseError(fmt.Sprintf("%s line %d", name, lineAt(data, typ.Offset)), typ.Field, "expected %s, found %s", typ.Type, typ.Value)
		}
		return nil, parseError(name, "", "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if c.Format != Format {
		return nil, parseError(name, "format", "expected %q, found %q", Format, c.Format)
	}
	c.Source = map[string]string{}
	if c.Services != nil {
		c.hold(Services)
	}
	if c.Offices != nil {
		c.hold(Offices)
	}
	if c.Answers != nil {
		c.hold(Answers)
	}
	if c.Directory != nil {
		c.hold(Directory)
	}
	seen := map[string]string{}
	for _, t := range []struct {
		table   string
		entries []sportello.KBEntry
		kind    sportello.EntryKind
	}{{Services, c.Services, sportello.EntryService}, {Offices, c.Offices, sportello.EntryOffice}, {Answers, c.Answers, sportello.EntryAnswer}} {
		for i := range t.entries {
			e := &t.entries[i]
			where := fmt.Sprintf("%s %s[%d]", name, t.table, i)
			if e.Kind == "" {
				e.Kind = t.kind
			} else if e.Kind != t.kind {
				return nil, parseError(where, "kind", "an entry of %s has kind %q or none, not %q", t.table, t.kind, e.Kind)
			}
			if err := c.note(seen, t.table, e.ID, where); err != nil {
				return nil, err
			}
			if e.Hours == nil && e.HoursText != "" {
				// Hours written only for people are read for machines
				// when they can be.
				if h, err := sportello.ParseHours(e.HoursText); err == nil {
					e.Hours = &h
				}
			}
			e.Version, e.UpdatedAt = 0, time.Time{}
		}
	}
	for i := range c.Directory {
		e := &c.Directory[i]
		where := fmt.Sprintf("%s %s[%d]", name, Directory, i)
		if err := c.note(seen, Directory, e.ID, where); err != nil {
			return nil, err
		}
		if e.HoursText != "" {
			h, err := sportello.ParseHours(e.HoursText)
			if err != nil {
				return nil, parseError(where, "hours_text", "%s", sportello.ErrorMessage(err))
			}
			e.Hours = &h
		}
		e.Version, e.UpdatedAt = 0, time.Time{}
	}
	return &c, nil
}

// note records where an entry was read, refusing a missing or repeated id.
func (c *Catalog) note(seen map[string]string, table, id, where string) error {
	if strings.TrimSpace(id) == "" {
		return parseError(where, "id", "every entry needs an id")
	}
	key := table
	if table != Directory {
		key = "kb" // services and offices share the knowledge base's ids
	}
	if prev, ok := seen[key+" "+id]; ok {
		return parseError(where, "id", "the id %q is used already at %s", id, prev)
	}
	seen[key+" "+id] = where
	c.Source[table+" "+id] = where
	return nil
}

// lineAt is the line of a byte offset in data, from 1.
func lineAt(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// WriteJSON writes the catalogue as an indented JSON document.
func WriteJSON(w io.Writer, c *Catalog) error {
	out := *c
	out.Format = Format
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(&out)
}

// column is one column of a table's CSV file: its header name, whether a
// row must fill it, and how it reads into and out of an entry.
type column struct {
	name     string
	required bool
	get      func(e any) string
	set      func(e any, v string) error
}

// ListSeparator splits the items of a list column (documents, keywords).
const ListSeparator = "|"

// DateLayout is the layout of the reviewed_at column.
const DateLayout = "2006-01-02"

func kbText(f func(e *sportello.KBEntry) *string) (func(any) string, func(any, string) error) {
	return func(e any) string { return *f(e.(*sportello.KBEntry)) },
		func(e any, v string) error { *f(e.(*sportello.KBEntry)) = v; return nil }
}

func dirText(f func(e *sportello.DirectoryEntry) *string) (func(any) string, func(any, string) error) {
	return func(e any) string { return *f(e.(*sportello.DirectoryEntry)) },
		func(e any, v string) error { *f(e.(*sportello.DirectoryEntry)) = v; return nil }
}

func kbList(f func(e *sportello.KBEntry) *[]string) (func(any) string, func(any, string) error) {
	return func(e any) string { return strings.Join(*f(e.(*sportello.KBEntry)), " "+ListSeparator+" ") },
		func(e any, v string) error { *f(e.(*sportello.KBEntry)) = splitList(v); return nil }
}

func splitList(v string) []string {
	var out []string
	for _, it := range strings.Split(v, ListSeparator) {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

func col(name string, required bool, get func(any) string, set func(any, string) error) column {
	return column{name: name, required: required, get: get, set: set}
}

func kbCol(name string, required bool, f func(e *sportello.KBEntry) *string) column {
	g, s := kbText(f)
	return col(name, required, g, s)
}

func kbListCol(name string, f func(e *sportello.KBEntry) *[]string) column {
	g, s := kbList(f)
	return col(name, false, g, s)
}

func dirCol(name string, required bool, f func(e *sportello.DirectoryEntry) *string) column {
	g, s := dirText(f)
	return col(name, required, g, s)
}

// kbHours reads the hours column of an office: the hours machines read
// (ParseHours' form), for "open now"; hours_text is what people read.
var kbHours = col("hours", false,
	func(e any) string {
		if k := e.(*sportello.KBEntry); k.Hours != nil {
			return sportello.FormatHours(*k.Hours)
		}
		return ""
	},
	func(e any, v string) error {
		k := e.(*sportello.KBEntry)
		k.Hours = nil
		if v == "" {
			return nil
		}
		h, err := sportello.ParseHours(v)
		if err != nil {
			return errors.New(sportello.ErrorMessage(err))
		}
		k.Hours = &h
		return nil
	})

var kbReviewed = col("reviewed_at", false,
	func(e any) string {
		k := e.(*sportello.KBEntry)
		if k.ReviewedAt.IsZero() {
			return ""
		}
		return k.ReviewedAt.UTC().Format(DateLayout)
	},
	func(e any, v string) error {
		k := e.(*sportello.KBEntry)
		k.ReviewedAt = time.Time{}
		if v == "" {
			return nil
		}
		t, err := time.Parse(DateLayout, v)
		if err != nil {
			return fmt.Errorf("%q is not a date like 2026-03-31", v)
		}
		k.ReviewedAt = t
		return nil
	})

// columns are each table's CSV columns, in the order they are written.
var columns = map[string][]column{
	Services: {
		kbCol("id", true, func(e *sportello.KBEntry) *string { return &e.ID }),
		kbCol("title", true, func(e *sportello.KBEntry) *string { return &e.Title }),
		kbCol("summary", true, func(e *sportello.KBEntry) *string { return &e.Summary }),
		kbCol("who", false, func(e *sportello.KBEntry) *string { return &e.Who }),
		kbListCol("documents", func(e *sportello.KBEntry) *[]string { return &e.Documents }),
		kbCol("cost", false, func(e *sportello.KBEntry) *string { return &e.Cost }),
		kbCol("how_to", false, func(e *sportello.KBEntry) *string { return &e.HowTo }),
		kbCol("office_id", false, func(e *sportello.KBEntry) *string { return &e.OfficeID }),
		kbCol("link", false, func(e *sportello.KBEntry) *string { return &e.Link }),
		kbListCol("keywords", func(e *sportello.KBEntry) *[]string { return &e.Keywords }),
		kbCol("owner_desk", false, func(e *sportello.KBEntry) *string { return &e.OwnerDesk }),
		kbReviewed,
		kbCol("body", false, func(e *sportello.KBEntry) *string { return &e.Body }),
	},
	Offices: {
		kbCol("id", true, func(e *sportello.KBEntry) *string { return &e.ID }),
		kbCol("title", true, func(e *sportello.KBEntry) *string { return &e.Title }),
		kbCol("summary", true, func(e *sportello.KBEntry) *string { return &e.Summary }),
		kbCol("address", false, func(e *sportello.KBEntry) *string { return &e.Address }),
		kbCol("phone", false, func(e *sportello.KBEntry) *string { return &e.Phone }),
		kbCol("hours_text", false, func(e *sportello.KBEntry) *string { return &e.HoursText }),
		kbHours,
		kbCol("link", false, func(e *sportello.KBEntry) *string { return &e.Link }),
		kbListCol("keywords", func(e *sportello.KBEntry) *[]string { return &e.Keywords }),
		kbCol("owner_desk", false, func(e *sportello.KBEntry) *string { return &e.OwnerDesk }),
		kbReviewed,
		kbCol("body", false, func(e *sportello.KBEntry) *string { return &e.Body }),
	},
	Answers: {
		kbCol("id", true, func(e *sportello.KBEntry) *string { return &e.ID }),
		kbCol("title", true, func(e *sportello.KBEntry) *string { return &e.Title }),
		kbCol("summary", true, func(e *sportello.KBEntry) *string { return &e.Summary }),
		kbCol("link", false, func(e *sportello.KBEntry) *string { return &e.Link }),
		kbListCol("keywords", func(e *sportello.KBEntry) *[]string { return &e.Keywords }),
		kbCol("owner_desk", false, func(e *sportello.KBEntry) *string { return &e.OwnerDesk }),
		kbReviewed,
		kbCol("body", false, func(e *sportello.KBEntry) *string { return &e.Body }),
	},
	Directory: {
		dirCol("id", true, func(e *sportello.DirectoryEntry) *string { return &e.ID }),
		dirCol("name", true, func(e *sportello.DirectoryEntry) *string { return &e.Name }),
		dirCol("number", true, func(e *sportello.DirectoryEntry) *string { return &e.Number }),
		dirCol("group", false, func(e *sportello.DirectoryEntry) *string { return &e.Group }),
		col("hours", false,
			func(e any) string {
				d := e.(*sportello.DirectoryEntry)
				if d.HoursText == "" && d.Hours != nil {
					return sportello.FormatHours(*d.Hours)
				}
				return d.HoursText
			},
			func(e any, v string) error {
				d := e.(*sportello.DirectoryEntry)
				d.HoursText, d.Hours = v, nil
				if v == "" {
					return nil
				}
				h, err := sportello.ParseHours(v)
				if err != nil {
					return errors.New(sportello.ErrorMessage(err))
				}
				d.Hours = &h
				return nil
			}),
		dirCol("note", false, func(e *sportello.DirectoryEntry) *string { return &e.Note }),
		col("keywords", false,
			func(e any) string {
				return strings.Join(e.(*sportello.DirectoryEntry).Keywords, " "+ListSeparator+" ")
			},
			func(e any, v string) error { e.(*sportello.DirectoryEntry).Keywords = splitList(v); return nil }),
		dirCol("desk_id", false, func(e *sportello.DirectoryEntry) *string { return &e.DeskID }),
	},
}

// Columns returns the names of a table's CSV columns, in file order.
func Columns(table string) []string {
	var out []string
	for _, c := range columns[table] {
		out = append(out, c.name)
	}
	return out
}

// TableOf returns the table a CSV file is for by its name
// ("services.csv", "2026-uffici/offices.csv"), or "".
func TableOf(filename string) string {
	base := filename[strings.LastIndexAny(filename, `/\`)+1:]
	base = strings.TrimSuffix(strings.ToLower(base), ".csv")
	if slices.Contains(Tables, base) {
		return base
	}
	return ""
}

// ReadCSV reads one table of the catalogue from a CSV file with a header
// row; name is the file's name for errors. Columns may come in any order;
// an unknown column, a missing required column or value, a bad date or
// bad hours is refused naming the line and the column.
func ReadCSV(r io.Reader, table, name string) (*Catalog, error) {
	cols, ok := columns[table]
	if !ok {
		return nil, sportello.Errorf(sportello.EINVALID, "%s: unknown table %q; use %s", name, table, strings.Join(Tables, ", "))
	}
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, parseError(name+" line 1", "", "the file is empty; it needs a header row: %s", strings.Join(Columns(table), ","))
	} else if err != nil {
		return nil, csvError(name, err)
	}
	index := make([]*column, len(header))
	have := map[string]bool{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		for j := range cols {
			if cols[j].name == h {
				index[i] = &cols[j]
			}
		}
		if index[i] == nil {
			return nil, parseError(name+" line 1", "", "unknown column %q; the columns of %s are %s", h, table, strings.Join(Columns(table), ", "))
		}
		if have[h] {
			return nil, parseError(name+" line 1", "", "the column %q comes twice", h)
		}
		have[h] = true
	}
	for _, c := range cols {
		if c.required && !have[c.name] {
			return nil, parseError(name+" line 1", "", "the column %q is missing", c.name)
		}
	}
	c := &Catalog{Format: Format, Source: map[string]string{}}
	c.hold(table)
	seen := map[string]string{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		where := fmt.Sprintf("%s line %d", name, line)
		if len(rec) != len(header) {
			return nil, parseError(where, "", "%d fields, but the header has %d", len(rec), len(header))
		}
		var entry any
		switch table {
		case Services:
			entry = &sportello.KBEntry{Kind: sportello.EntryService}
		case Offices:
			entry = &sportello.KBEntry{Kind: sportello.EntryOffice}
		case Answers:
			entry = &sportello.KBEntry{Kind: sportello.EntryAnswer}
		default:
			entry = &sportello.DirectoryEntry{}
		}
		for i, v := range rec {
			v = strings.TrimSpace(v)
			col := index[i]
			if col.required && v == "" {
				return nil, parseError(where, col.name, "this field is required")
			}
			if err := col.set(entry, v); err != nil {
				return nil, parseError(where, col.name, "%s", err)
			}
		}
		switch e := entry.(type) {
		case *sportello.KBEntry:
			if err := c.note(seen, table, e.ID, where); err != nil {
				return nil, err
			}
			switch table {
			case Services:
				c.Services = append(c.Services, *e)
			case Offices:
				c.Offices = append(c.Offices, *e)
			default:
				c.Answers = append(c.Answers, *e)
			}
		case *sportello.DirectoryEntry:
			if err := c.note(seen, table, e.ID, where); err != nil {
				return nil, err
			}
			c.Directory = append(c.Directory, *e)
		}
	}
	return c, nil
}

// csvError names the line of a CSV syntax error.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return parseError(fmt.Sprintf("%s line %d", name, pe.Line), "", "%s", pe.Err)
	}
	return fmt.Errorf("read %s: %w", name, err)
}

// WriteCSV writes one table of the catalogue as CSV with a header row. A
// list item holding the ListSeparator cannot be written and is refused.
func WriteCSV(w io.Writer, c *Catalog, table string) error {
	cols, ok := columns[table]
	if !ok {
		return sportello.Errorf(sportello.EINVALID, "unknown table %q; use %s", table, strings.Join(Tables, ", "))
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns(table)); err != nil {
		return err
	}
	var entries []any
	switch table {
	case Services:
		for i := range c.Services {
			entries = append(entries, &c.Services[i])
		}
	case Offices:
		for i := range c.Offices {
			entries = append(entries, &c.Offices[i])
		}
	case Answers:
		for i := range c.Answers {
			entries = append(entries, &c.Answers[i])
		}
	default:
		for i := range c.Directory {
			entries = append(entries, &c.Directory[i])
		}
	}
	for _, e := range entries {
		if err := listsWritable(e); err != nil {
			return err
		}
		rec := make([]string, len(cols))
		for i, col := range cols {
			rec[i] = col.get(e)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func listsWritable(e any) error {
	var id string
	var lists [][]string
	switch e := e.(type) {
	case *sportello.KBEntry:
		id, lists = e.ID, [][]string{e.Documents, e.Keywords}
	case *sportello.DirectoryEntry:
		id, lists = e.ID, [][]string{e.Keywords}
	}
	for _, l := range lists {
		for _, it := range l {
			if strings.Contains(it, ListSeparator) {
				return sportello.Errorf(sportello.EINVALID, "entry %s: the list item %q holds %q, which separates items in CSV: export as JSON", id, it, ListSeparator)
			}
		}
	}
	return nil
}
