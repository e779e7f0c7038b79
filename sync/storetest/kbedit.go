package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// Admin edits the catalogue in the edit tests; the store needs no user row.
var Admin = sportello.User{ID: "u-admin", Username: "admin", Name: "Paolo Galli", Role: sportello.RoleAdmin}

// testKBEdit creates, edits, refuses a stale edit, retires and reads the
// history of a knowledge-base entry: versions count up, each saved edit
// is one change carrying the entry, refused and empty edits write nothing.
func testKBEdit(t *testing.T, e *env) {
	apply := func(actor *sportello.User, rule func(old, next *sportello.KBEntry) error, edits ...sportello.Edit) ([]sportello.EntryVersion, error) {
		return e.ApplyEdits(e.ctx, actor, edits, rule)
	}
	nothingWritten := func(t *testing.T, head int64, total int) {
		t.Helper()
		if h := e.head(t); h != head {
			t.Fatalf("a refused edit wrote changes: head %d, was %d", h, head)
		}
		if n, _ := e.KBTotal(e.ctx); n != total {
			t.Fatalf("a refused edit changed the knowledge base: %d entries, was %d", n, total)
		}
	}
	head, total := e.head(t), 3

	// Create.
	t1 := T0.Add(time.Hour)
	e.clock.Set(t1)
	entry := sportello.KBEntry{ID: "kb-tessera", Kind: sportello.EntryService, Title: "  Tessera elettorale ", Summary: "Si ritira all'Ufficio elettorale.",
		Documents: []string{"documento d'identità", " "}, OwnerDesk: "desk-anagrafe", Link: "https://www.comune.example/tessera"}
	vs, err := apply(&Admin, nil, sportello.Edit{KB: &entry})
	if err != nil {
		t.Fatal(err)
	}
	v := vs[0]
	if v.Action != sportello.EditCreated || v.Version != 1 || v.Author != Admin.Name || v.AuthorID != Admin.ID || !v.At.Equal(t1) ||
		v.KB == nil || v.KB.Title != "Tessera elettorale" || !slices.Equal(v.KB.Documents, []string{"documento d'identità"}) ||
		!v.KB.ReviewedAt.Equal(t1) || v.KB.Version != 1 || !slices.Contains(v.Changed, "title") {
		t.Fatalf("created %+v %+v", v, v.KB)
	}
	total++
	page, _ := e.KBPage(e.ctx, "kb-t", 10)
	if len(page) != 2 || page[1].ID != "kb-tessera" || page[1].Version != 1 || page[1].Title != "Tessera elettorale" {
		t.Fatalf("KBPage after create: %+v", page)
	}
	changes, err := e.ChangesSince(e.ctx, head, 10)
	if err != nil || len(changes) != 1 {
		t.Fatalf("changes %+v, %v", changes, err)
	}
	if c := changes[0]; c.Kind != sportello.ChangeKindKB || c.EntryID != "kb-tessera" || c.KB == nil || c.KB.Version != 1 || c.KB.Title != "Tessera elettorale" ||
		c.Event != nil || c.CaseID != "" || !c.At.Equal(t1) {
		t.Fatalf("change %+v", c)
	}
	head++

	// A second create of the same id is refused.
	_, err = apply(&Admin, nil, sportello.Edit{KB: &sportello.KBEntry{ID: "kb-tessera", Kind: sportello.EntryAnswer, Title: "x", Summary: "y"}})
	wantCode(t, err, sportello.ECONFLICT)
	nothingWritten(t, head, total)

	// Update from version 1.
	t2 := T0.Add(2 * time.Hour)
	e.clock.Set(t2)
	edited := *v.KB
	edited.Summary = "Si ritira all'Ufficio elettorale di via Messina 52."
	vs, err = apply(&Specialist, nil, sportello.Edit{KB: &edited, Base: 1})
	if err != nil {
		t.Fatal(err)
	}
	if v := vs[0]; v.Action != sportello.EditUpdated || v.Version != 2 || !slices.Equal(v.Changed, []string{"summary"}) ||
		!v.KB.ReviewedAt.Equal(t2) || !v.KB.UpdatedAt.Equal(t2) || v.Author != Specialist.Name {
		t.Fatalf("updated %+v", v)
	}
	head++

	// A stale edit from version 1 is refused, naming who saved version 2 and when.
	stale := edited
	stale.Title = "Tessera elettorale (duplicato)"
	_, err = apply(&Admin, nil, sportello.Edit{KB: &stale, Base: 1})
	wantCode(t, err, sportello.ECONFLICT)
	if msg := sportello.ErrorMessage(err); !strings.Contains(msg, Specialist.Name) || !strings.Contains(msg, "version 2") || !strings.Contains(msg, "2025-03-14 11:00") {
		t.Fatalf("conflict says %q", msg)
	}
	nothingWritten(t, head, total)

	// Saving what is stored makes no version and no change.
	same := edited
	same.Version = 2
	vs, err = apply(&Admin, nil, sportello.Edit{KB: &same, Base: 2})
	if err != nil || vs[0].Action != sportello.EditUnchanged || vs[0].Version != 2 {
		t.Fatalf("unchanged save: %+v, %v", vs, err)
	}
	nothingWritten(t, head, total)

	// Invalid input is refused with the field named.
	bad := edited
	bad.Title, bad.Link = "", "ftp://x"
	_, err = apply(&Admin, nil, sportello.Edit{KB: &bad, Base: 2})
	wantCode(t, err, sportello.EINVALID)
	if !strings.Contains(sportello.ErrorMessage(err), "title") {
		t.Fatalf("invalid edit: %v", err)
	}
	bad.Title = "Tessera"
	_, err = apply(&Admin, nil, sportello.Edit{KB: &bad, Base: 2})
	if sportello.ErrorCode(err) != sportello.EINVALID || !strings.Contains(sportello.ErrorMessage(err), "link") {
		t.Fatalf("bad link: %v", err)
	}
	nothingWritten(t, head, total)

	// The rule sees the entry as stored, and its refusal writes nothing.
	var seen *sportello.KBEntry
	rule := func(old, next *sportello.KBEntry) error {
		seen = old
		return sportello.Errorf(sportello.EFORBIDDEN, "not your desk")
	}
	moved := edited
	moved.OwnerDesk = "desk-tributi"
	_, err = apply(&Specialist, rule, sportello.Edit{KB: &moved, Base: 2})
	wantCode(t, err, sportello.EFORBIDDEN)
	if seen == nil || seen.OwnerDesk != "desk-anagrafe" || seen.Version != 2 {
		t.Fatalf("the rule saw %+v", seen)
	}
	nothingWritten(t, head, total)

	// A seeded entry is at version 1 and edits like any other.
	cie := sportello.KBEntry{ID: "kb-cie", Kind: sportello.EntryService, Title: "Carta d'identità elettronica", Summary: "Si prenota online o al telefono."}
	vs, err = apply(&Admin, nil, sportello.Edit{KB: &cie, Base: 1})
	if err != nil || vs[0].Version != 2 {
		t.Fatalf("edit of a seeded entry: %+v, %v", vs, err)
	}
	head++

	// Retire: out of the pages, into the history.
	t3 := T0.Add(3 * time.Hour)
	e.clock.Set(t3)
	_, err = apply(&Admin, nil, sportello.Edit{KB: &sportello.KBEntry{ID: "kb-tessera"}, Base: 1, Retire: true})
	wantCode(t, err, sportello.ECONFLICT)
	vs, err = apply(&Admin, nil, sportello.Edit{KB: &sportello.KBEntry{ID: "kb-tessera"}, Base: 2, Retire: true})
	if err != nil || vs[0].Action != sportello.EditRetired || vs[0].Version != 3 {
		t.Fatalf("retire: %+v, %v", vs, err)
	}
	total--
	if n, _ := e.KBTotal(e.ctx); n != total {
		t.Fatalf("KBTotal after retire = %d, want %d", n, total)
	}
	changes, _ = e.ChangesSince(e.ctx, head, 10)
	if len(changes) != 1 || changes[0].Kind != sportello.ChangeKindKB || changes[0].EntryID != "kb-tessera" || changes[0].KB != nil {
		t.Fatalf("retire change %+v", changes)
	}
	head++
	_, err = apply(&Admin, nil, sportello.Edit{KB: &sportello.KBEntry{ID: "kb-tessera"}, Base: 2, Retire: true})
	if sportello.ErrorCode(err) != sportello.ECONFLICT || !strings.Contains(sportello.ErrorMessage(err), "retired") {
		t.Fatalf("second retire: %v", err)
	}
	_, err = apply(&Admin, nil, sportello.Edit{KB: &sportello.KBEntry{ID: "kb-nessuna"}, Base: 1, Retire: true})
	wantCode(t, err, sportello.ENOTFOUND)
	nothingWritten(t, head, total)

	hist, err := e.History(e.ctx, sportello.ChangeKindKB, "kb-tessera")
	if err != nil || len(hist) != 3 {
		t.Fatalf("history %+v, %v", hist, err)
	}
	for i, want := range []struct {
		action sportello.EditAction
		author string
		at     time.Time
	}{{sportello.EditCreated, Admin.Name, t1}, {sportello.EditUpdated, Specialist.Name, t2}, {sportello.EditRetired, Admin.Name, t3}} {
		h := hist[i]
		if h.Version != i+1 || h.Action != want.action || h.Author != want.author || !h.At.Equal(want.at) || h.KB == nil || h.KB.ID != "kb-tessera" {
			t.Fatalf("history[%d] = %+v", i, h)
		}
	}
	if hist[1].KB.Summary != edited.Summary || hist[2].KB.Summary != edited.Summary {
		t.Fatalf("history keeps %q, %q", hist[1].KB.Summary, hist[2].KB.Summary)
	}
	if h, err := e.History(e.ctx, sportello.ChangeKindKB, "kb-orari"); err != nil || len(h) != 0 {
		t.Fatalf("history of an entry never edited: %+v, %v", h, err)
	}

	// Created again after retirement, it goes on from the last version.
	vs, err = apply(&Admin, nil, sportello.Edit{KB: &entry})
	if err != nil || vs[0].Version != 4 || vs[0].Action != sportello.EditCreated {
		t.Fatalf("recreate: %+v, %v", vs, err)
	}
}

// testDirectoryEdit saves directory entries in batches: all or nothing,
// imports over any version, each saved entry one change.
func testDirectoryEdit(t *testing.T, e *env) {
	head := e.head(t)
	good := sportello.DirectoryEntry{ID: "dir-m1", Name: "Municipio 1", Number: "+39 02 8845 8000", Group: "Municipi", HoursText: "lun-ven 8:30-12:30",
		Keywords: []string{"centro"}}
	bad := sportello.DirectoryEntry{ID: "dir-x", Name: "Senza numero", Number: "chiamare"}
	_, err := e.ApplyEdits(e.ctx, &Admin, []sportello.Edit{{Directory: &good}, {Directory: &bad}}, nil)
	wantCode(t, err, sportello.EINVALID)
	if msg := sportello.ErrorMessage(err); !strings.Contains(msg, "dir-x") || !strings.Contains(msg, "number") {
		t.Fatalf("batch refusal says %q", msg)
	}
	if n, _ := e.DirectoryTotal(e.ctx); n != 0 || e.head(t) != head {
		t.Fatalf("a refused batch wrote: %d entries, head %d", n, e.head(t))
	}

	bad.Number = "+390288450000"
	vs, err := e.ApplyEdits(e.ctx, &Admin, []sportello.Edit{{Directory: &good}, {Directory: &bad}}, nil)
	if err != nil || len(vs) != 2 || vs[0].Directory.Hours == nil || len(vs[0].Directory.Hours.Days[1]) != 1 {
		t.Fatalf("batch: %+v, %v", vs, err)
	}
	changes, _ := e.ChangesSince(e.ctx, head, 10)
	if len(changes) != 2 || changes[0].Kind != sportello.ChangeKindDirectory || changes[0].Directory == nil || changes[0].Directory.Name != "Municipio 1" ||
		changes[1].EntryID != "dir-x" {
		t.Fatalf("changes %+v", changes)
	}
	head += 2

	// An import saves over whatever version is stored; what it leaves as
	// it was makes no change.
	good.Note = "Servizi di zona del centro."
	vs, err = e.ApplyEdits(e.ctx, &Admin, []sportello.Edit{{Directory: &good, Base: sportello.AnyVersion}, {Directory: &bad, Base: sportello.AnyVersion}}, nil)
	if err != nil || vs[0].Action != sportello.EditUpdated || vs[0].Version != 2 || !slices.Equal(vs[0].Changed, []string{"note"}) ||
		vs[1].Action != sportello.EditUnchanged {
		t.Fatalf("import: %+v, %v", vs, err)
	}
	if e.head(t) != head+1 {
		t.Fatalf("head %d, want %d", e.head(t), head+1)
	}
	page, _ := e.DirectoryPage(e.ctx, "", 10)
	if len(page) != 2 || page[0].Note != good.Note || page[0].Version != 2 {
		t.Fatalf("page %+v", page)
	}
	hist, err := e.History(e.ctx, sportello.ChangeKindDirectory, "dir-m1")
	if err != nil || len(hist) != 2 || hist[1].Directory.Note != good.Note {
		t.Fatalf("history %+v, %v", hist, err)
	}
	_, err = e.History(e.ctx, "cases", "dir-m1")
	wantCode(t, err, sportello.EINVALID)
}
