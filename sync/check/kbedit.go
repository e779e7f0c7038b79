package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sportello/sportello"
)

// Bounds of the fields of knowledge-base and directory entries.
const (
	MaxEntryIDLen   = 64
	MaxTitleLen     = 200
	MaxShortTextLen = 2000  // summary, who, cost, how, note, ...
	MaxBodyLen      = 20000 // an answer's full text
	MaxListItems    = 50    // documents, keywords
	MaxListItemLen  = 300
)

// KBEntry checks an entry of the knowledge base before it is saved and
// returns it normalized: text trimmed, Hours parsed from HoursText. Each
// refusal names the field and says what to write instead.
func KBEntry(e sportello.KBEntry) (sportello.KBEntry, error) {
	var err error
	if e.ID, err = entryID(e.ID); err != nil {
		return e, err
	}
	switch e.Kind {
	case sportello.EntryService, sportello.EntryOffice, sportello.EntryAnswer:
	default:
		return e, sportello.Errorf(sportello.EINVALID, "kind: %q is not a kind of entry; use service, office or answer", e.Kind)
	}
	texts := []struct {
		name string
		v    *string
		max  int
		need bool
	}{
		{"title", &e.Title, MaxTitleLen, true},
		{"summary", &e.Summary, MaxShortTextLen, true},
		{"body", &e.Body, MaxBodyLen, false},
		{"who", &e.Who, MaxShortTextLen, false},
		{"cost", &e.Cost, MaxShortTextLen, false},
		{"how_to", &e.HowTo, MaxShortTextLen, false},
		{"link", &e.Link, MaxShortTextLen, false},
		{"office_id", &e.OfficeID, MaxEntryIDLen, false},
		{"address", &e.Address, MaxShortTextLen, false},
		{"phone", &e.Phone, 40, false},
		{"hours_text", &e.HoursText, MaxShortTextLen, false},
		{"owner_desk", &e.OwnerDesk, MaxEntryIDLen, false},
	}
	for _, f := range texts {
		if *f.v, err = text(f.name, *f.v, f.max, f.need, f.name == "body"); err != nil {
			return e, err
		}
	}
	if e.Documents, err = list("documents", e.Documents); err != nil {
		return e, err
	}
	if e.Keywords, err = list("keywords", e.Keywords); err != nil {
		return e, err
	}
	if e.Link != "" {
		u, perr := url.Parse(e.Link)
		if perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return e, sportello.Errorf(sportello.EINVALID, "link: %q is not a web address; write it like https://www.comune.example/servizi", e.Link)
		}
	}
	if e.Phone != "" {
		if _, perr := Number(e.Phone); perr != nil {
			return e, sportello.Errorf(sportello.EINVALID, "phone: %q is not a phone number", e.Phone)
		}
	}
	// An office's hours_text is for people ("lun-ven 8:30-15:30, solo su
	// appuntamento"); Hours are for "open now", read from the text only
	// when none are given and the text is in ParseHours' form.
	if e.Hours == nil && e.HoursText != "" {
		if h, perr := sportello.ParseHours(e.HoursText); perr == nil {
			e.Hours = &h
		}
	}
	if e.Hours, err = hours("", e.Hours); err != nil {
		return e, err
	}
	return e, nil
}

// DirectoryEntry checks an entry of the transfer directory before it is
// saved and returns it normalized, like KBEntry.
func DirectoryEntry(e sportello.DirectoryEntry) (sportello.DirectoryEntry, error) {
	var err error
	if e.ID, err = entryID(e.ID); err != nil {
		return e, err
	}
	texts := []struct {
		name string
		v    *string
		max  int
		need bool
	}{
		{"name", &e.Name, MaxTitleLen, true},
		{"number", &e.Number, 40, true},
		{"group", &e.Group, MaxTitleLen, false},
		{"hours_text", &e.HoursText, MaxShortTextLen, false},
		{"note", &e.Note, MaxShortTextLen, false},
		{"desk_id", &e.DeskID, MaxEntryIDLen, false},
	}
	for _, f := range texts {
		if *f.v, err = text(f.name, *f.v, f.max, f.need, false); err != nil {
			return e, err
		}
	}
	if _, perr := Number(e.Number); perr != nil {
		return e, sportello.Errorf(sportello.EINVALID, "number: %q is not a phone number; write it like +39 02 0202", e.Number)
	}
	if e.Keywords, err = list("keywords", e.Keywords); err != nil {
		return e, err
	}
	if e.Hours, err = hours(e.HoursText, e.Hours); err != nil {
		return e, err
	}
	return e, nil
}

// entryID checks an entry id: given by the client (a UUIDv7, or a
// readable key in imported data), without spaces.
func entryID(id string) (string, error) {
	id = strings.TrimSpace(id)
	switch {
	case id == "":
		return id, sportello.Errorf(sportello.EINVALID, "id: an entry needs an id")
	case len(id) > MaxEntryIDLen:
		return id, sportello.Errorf(sportello.EINVALID, "id: %q is longer than %d characters", id, MaxEntryIDLen)
	case !Storable(id) || strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' }) >= 0:
		return id, sportello.Errorf(sportello.EINVALID, "id: %q may hold no spaces, slashes or control characters", id)
	}
	return id, nil
}

// text trims a text field and checks its length and characters; multiline
// allows new lines and tabs.
func text(name, v string, max int, need, multiline bool) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case need && v == "":
		return v, sportello.Errorf(sportello.EINVALID, "%s: this field is required", name)
	case !Storable(v):
		return v, sportello.Errorf(sportello.EINVALID, "%s: the text is not UTF-8", name)
	case utf8.RuneCountInString(v) > max:
		return v, sportello.Errorf(sportello.EINVALID, "%s: the text is longer than %d characters (%d)", name, max, utf8.RuneCountInString(v))
	}
	if strings.IndexFunc(v, func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r'))
	}) >= 0 {
		return v, sportello.Errorf(sportello.EINVALID, "%s: the text holds a control character", name)
	}
	return v, nil
}

// list trims the items of a list, drops empty ones and checks the rest.
func list(name string, items []string) ([]string, error) {
	var out []string
	for _, it := range items {
		it, err := text(name, it, MaxListItemLen, false, false)
		if err != nil {
			return nil, err
		}
		if it != "" {
			out = append(out, it)
		}
	}
	if len(out) > MaxListItems {
		return nil, sportello.Errorf(sportello.EINVALID, "%s: at most %d items, not %d", name, MaxListItems, len(out))
	}
	return out, nil
}

// hours parses the hours text (the source of truth when given), or checks
// machine-readable hours given without text.
func hours(textHours string, h *sportello.WeeklyHours) (*sportello.WeeklyHours, error) {
	if textHours != "" {
		parsed, err := sportello.ParseHours(textHours)
		if err != nil {
			return nil, sportello.Errorf(sportello.EINVALID, "hours_text: %s; write them like \"lun-ven 8:30-12:30, 14:00-16:00; sab 9:00-12:00\"", sportello.ErrorMessage(err))
		}
		return &parsed, nil
	}
	if h == nil {
		return nil, nil
	}
	for d, ranges := range h.Days {
		for _, r := range ranges {
			if r.From < 0 || r.To > 24*60 || r.To <= r.From {
				return nil, sportello.Errorf(sportello.EINVALID, "hours: day %d has the bad range %d-%d (minutes from midnight)", d, r.From, r.To)
			}
		}
	}
	for _, x := range h.Exceptions {
		if _, err := time.Parse(sportello.DateLayout, x.Date); err != nil {
			return nil, sportello.Errorf(sportello.EINVALID, "hours: the exception's date %q is not like 2026-08-14", x.Date)
		}
		for _, r := range x.Ranges {
			if r.From < 0 || r.To > 24*60 || r.To <= r.From {
				return nil, sportello.Errorf(sportello.EINVALID, "hours: %s has the bad range %d-%d (minutes from midnight)", x.Date, r.From, r.To)
			}
		}
	}
	return h, nil
}

// Prepared is an edit checked against the entry as stored, ready to write:
// Version is the version to record (Action EditUnchanged: write nothing),
// Body the JSON to store as the entry (nil when retired).
type Prepared struct {
	Version sportello.EntryVersion
	Body    []byte
	// OldKB and NewKB are the knowledge-base entry before and after the
	// edit (nil when new, nil when retired), for the desk owners' rule.
	OldKB, NewKB *sportello.KBEntry
}

// PrepareEdit checks edit by actor against stored (the entry's JSON as
// stored, nil when there is none) and last (its newest version in the
// history, nil when none), at now. A stale base is ECONFLICT naming who
// saved the newer version and when; a new version numbers one past both.
func PrepareEdit(actor *sportello.User, edit sportello.Edit, stored []byte, last *sportello.EntryVersion, now time.Time) (*Prepared, error) {
	kind := edit.Kind()
	if kind == "" || (edit.KB != nil && edit.Directory != nil) {
		return nil, sportello.Errorf(sportello.EINVALID, "an edit names one knowledge-base entry or one directory entry")
	}
	if edit.Base < sportello.AnyVersion {
		return nil, sportello.Errorf(sportello.EINVALID, "base: %d is not a version", edit.Base)
	}
	id := strings.TrimSpace(edit.EntryID())
	cur, err := decodeEntry(kind, stored)
	if err != nil {
		return nil, err
	}
	curVersion := 0
	if cur != nil {
		curVersion = entryVersion(cur)
	}
	lastVersion := curVersion
	if last != nil {
		lastVersion = max(lastVersion, last.Version)
	}
	p := &Prepared{Version: sportello.EntryVersion{
		Kind: kind, EntryID: id, At: now, AuthorID: actor.ID, Author: actor.Name, Version: lastVersion + 1,
	}}
	stale := func() error {
		who, when := "someone", ""
		if last != nil {
			who, when = last.Author, " on "+last.At.UTC().Format("2006-01-02 15:04")+" UTC"
			if last.Action == sportello.EditRetired && cur == nil {
				return sportello.Errorf(sportello.ECONFLICT, "%s retired this entry%s after you opened it", who, when)
			}
		}
		return sportello.Errorf(sportello.ECONFLICT, "%s changed this entry%s (version %d) after you opened version %d: reopen it to see the change, then edit again",
			who, when, curVersion, edit.Base)
	}
	if edit.Retire {
		if cur == nil {
			if last != nil && edit.Base != sportello.AnyVersion {
				return nil, stale()
			}
			return nil, sportello.Errorf(sportello.ENOTFOUND, "no entry has id %s", id)
		}
		if edit.Base != sportello.AnyVersion && edit.Base != curVersion {
			return nil, stale()
		}
		p.Version.Action = sportello.EditRetired
		setEntry(&p.Version, cur)
		p.OldKB = kbOf(cur)
		return p, nil
	}

	var next any
	if edit.KB != nil {
		e, err := KBEntry(*edit.KB)
		if err != nil {
			return nil, err
		}
		if edit.Base == sportello.AnyVersion && !e.ReviewedAt.IsZero() {
			e.ReviewedAt = e.ReviewedAt.UTC() // an import keeps the date it gives
		} else {
			e.ReviewedAt = now // reviewed on save
		}
		e.UpdatedAt = now
		next = &e
	} else {
		e, err := DirectoryEntry(*edit.Directory)
		if err != nil {
			return nil, err
		}
		e.UpdatedAt = now
		next = &e
	}
	switch {
	case cur == nil && edit.Base != 0 && edit.Base != sportello.AnyVersion:
		if last != nil {
			return nil, stale()
		}
		return nil, sportello.Errorf(sportello.ENOTFOUND, "no entry has id %s", id)
	case cur == nil:
		p.Version.Action = sportello.EditCreated
		p.Version.Changed = changedFields(nil, next)
	case edit.Base == 0 && curVersion > 0:
		return nil, sportello.Errorf(sportello.ECONFLICT, "an entry with id %s exists already: open it to edit it", id)
	case edit.Base != sportello.AnyVersion && edit.Base != curVersion:
		return nil, stale()
	default:
		p.Version.Changed = changedFields(cur, next)
		if len(p.Version.Changed) == 0 {
			p.Version.Action, p.Version.Version = sportello.EditUnchanged, curVersion
			setEntry(&p.Version, cur)
			return p, nil
		}
		p.Version.Action = sportello.EditUpdated
	}
	setVersion(next, p.Version.Version)
	setEntry(&p.Version, next)
	p.OldKB, p.NewKB = kbOf(cur), kbOf(next)
	if p.Body, err = json.Marshal(next); err != nil {
		return nil, err
	}
	return p, nil
}

func decodeEntry(kind string, stored []byte) (any, error) {
	if stored == nil {
		return nil, nil
	}
	var v any
	if kind == sportello.ChangeKindKB {
		v = &sportello.KBEntry{}
	} else {
		v = &sportello.DirectoryEntry{}
	}
	if err := json.Unmarshal(stored, v); err != nil {
		return nil, fmt.Errorf("stored %s entry: %w", kind, err)
	}
	return v, nil
}

func entryVersion(v any) int {
	switch e := v.(type) {
	case *sportello.KBEntry:
		return e.Version
	case *sportello.DirectoryEntry:
		return e.Version
	}
	return 0
}

func setVersion(v any, n int) {
	switch e := v.(type) {
	case *sportello.KBEntry:
		e.Version = n
	case *sportello.DirectoryEntry:
		e.Version = n
	}
}

func setEntry(ver *sportello.EntryVersion, v any) {
	switch e := v.(type) {
	case *sportello.KBEntry:
		ver.KB = e
	case *sportello.DirectoryEntry:
		ver.Directory = e
	}
}

func kbOf(v any) *sportello.KBEntry {
	e, _ := v.(*sportello.KBEntry)
	return e
}

// bookkeeping fields change on every save and are not "what changed".
var bookkeeping = []string{"version", "updated_at", "reviewed_at"}

// changedFields returns the JSON names of the fields that differ between
// old and next (every field set in next when old is nil), sorted.
func changedFields(old, next any) []string {
	a, b := fieldsOf(old), fieldsOf(next)
	var out []string
	for k, v := range b {
		if !bytes.Equal(a[k], v) && !slices.Contains(bookkeeping, k) {
			out = append(out, k)
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok && !slices.Contains(bookkeeping, k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func fieldsOf(v any) map[string]json.RawMessage {
	m := map[string]json.RawMessage{}
	if v == nil {
		return m
	}
	b, _ := json.Marshal(v)
	json.Unmarshal(b, &m)
	return m
}

// ChangedFields returns the JSON names of the fields that differ between
// two entries of the same type, bookkeeping (version, dates) aside.
func ChangedFields(old, next any) []string { return changedFields(old, next) }

// EntryRefs checks the desks and the office a saved version names, among
// the fields it changed: owner_desk and office_id of a knowledge-base
// entry, desk_id of a directory entry. desk and office report whether
// such an id exists; an unknown one is EINVALID naming the field and the id.
func EntryRefs(v sportello.EntryVersion, desk, office func(id string) (bool, error)) error {
	changed := func(f string) bool { return slices.Contains(v.Changed, f) }
	type ref struct {
		field, id, what string
		exists          func(string) (bool, error)
	}
	var refs []ref
	if k := v.KB; k != nil {
		refs = append(refs, ref{"owner_desk", k.OwnerDesk, "desk", desk}, ref{"office_id", k.OfficeID, "office", office})
	}
	if d := v.Directory; d != nil {
		refs = append(refs, ref{"desk_id", d.DeskID, "desk", desk})
	}
	for _, r := range refs {
		if r.id == "" || !changed(r.field) {
			continue
		}
		ok, err := r.exists(r.id)
		if err != nil {
			return err
		}
		if !ok {
			return sportello.Errorf(sportello.EINVALID, "%s: there is no %s with the id %q", r.field, r.what, r.id)
		}
	}
	return nil
}
