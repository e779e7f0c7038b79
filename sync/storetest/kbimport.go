package storetest

import (
	"strings"
	"testing"

	"github.com/sportello/sportello"
)

// testImportSweep: an import with a sweep (--retire-missing) retires, in
// its transaction, the stored entries of the tables it holds that it does
// not name, and leaves the other tables alone; a refused row of the import
// retires nothing.
func testImportSweep(t *testing.T, e *env) {
	if err := e.PutDirectory(e.ctx, []sportello.DirectoryEntry{
		{ID: "dir-a", Name: "Ufficio A", Number: "+390200000001"},
		{ID: "dir-b", Name: "Ufficio B", Number: "+390200000002"},
	}); err != nil {
		t.Fatal(err)
	}
	head := e.head(t)
	services := sportello.Sweep{KBKinds: []sportello.EntryKind{sportello.EntryService}}

	// A bad row: nothing retired, nothing written.
	bad := sportello.KBEntry{ID: "kb-bad", Kind: sportello.EntryService, Title: "", Summary: "x"}
	if _, err := e.ApplyImport(e.ctx, &Admin, []sportello.Edit{{KB: &bad, Base: sportello.AnyVersion}}, services); sportello.ErrorCode(err) != sportello.EINVALID {
		t.Fatalf("bad row: %v", err)
	}
	if h := e.head(t); h != head {
		t.Fatalf("a refused import wrote changes: head %d, was %d", h, head)
	}

	// Services held whole: kb-cie (a service, not named) is retired;
	// the office, the answer and the directory stay.
	pass := sportello.KBEntry{ID: "kb-passaporto", Kind: sportello.EntryService, Title: "Passaporto", Summary: "In Questura."}
	vs, err := e.ApplyImport(e.ctx, &Admin, []sportello.Edit{{KB: &pass, Base: sportello.AnyVersion}}, services)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Action != sportello.EditCreated || vs[1].Action != sportello.EditRetired || vs[1].EntryID != "kb-cie" || vs[1].Author != Admin.Name {
		t.Fatalf("versions %+v", vs)
	}
	page, _ := e.KBPage(e.ctx, "", 10)
	var ids []string
	for _, k := range page {
		ids = append(ids, k.ID)
	}
	if got := strings.Join(ids, " "); got != "kb-orari kb-passaporto kb-tari" {
		t.Fatalf("knowledge base after the sweep: %s", got)
	}
	changes, err := e.ChangesSince(e.ctx, head, 10)
	if err != nil || len(changes) != 2 || changes[1].EntryID != "kb-cie" || changes[1].KB != nil {
		t.Fatalf("changes %+v, %v", changes, err)
	}
	hist, _ := e.History(e.ctx, sportello.ChangeKindKB, "kb-cie")
	if len(hist) == 0 || hist[len(hist)-1].Action != sportello.EditRetired {
		t.Fatalf("kb-cie history %+v", hist)
	}

	// The directory held whole: dir-b goes, dir-a is named and stays.
	a := sportello.DirectoryEntry{ID: "dir-a", Name: "Ufficio A", Number: "+390200000001"}
	vs, err = e.ApplyImport(e.ctx, &Admin, []sportello.Edit{{Directory: &a, Base: sportello.AnyVersion}}, sportello.Sweep{Directory: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[1].Action != sportello.EditRetired || vs[1].EntryID != "dir-b" {
		t.Fatalf("directory versions %+v", vs)
	}
	dir, _ := e.DirectoryPage(e.ctx, "", 10)
	if len(dir) != 1 || dir[0].ID != "dir-a" {
		t.Fatalf("directory after the sweep %+v", dir)
	}
	if n, _ := e.KBTotal(e.ctx); n != 3 {
		t.Fatalf("a directory sweep changed the knowledge base: %d entries", n)
	}
}

// testEntryRefs: an entry naming a desk or an office that does not exist
// is refused, naming the field and the id, and nothing of its batch is
// written; an office created in the same batch may be named.
func testEntryRefs(t *testing.T, e *env) {
	head := e.head(t)
	refused := func(name, want string, edits ...sportello.Edit) {
		t.Helper()
		_, err := e.ApplyEdits(e.ctx, &Admin, edits, nil)
		if sportello.ErrorCode(err) != sportello.EINVALID || !strings.Contains(sportello.ErrorMessage(err), want) {
			t.Fatalf("%s: %v, want EINVALID with %q", name, err, want)
		}
		if h := e.head(t); h != head {
			t.Fatalf("%s: a refused edit wrote changes", name)
		}
	}
	ok := sportello.KBEntry{ID: "kb-ok", Kind: sportello.EntryAnswer, Title: "Ok", Summary: "Ok."}
	srv := sportello.KBEntry{ID: "kb-srv", Kind: sportello.EntryService, Title: "Servizio", Summary: "x", OwnerDesk: "desk-nessuno"}
	refused("owner desk", `owner_desk: there is no desk with the id "desk-nessuno"`, sportello.Edit{KB: &ok}, sportello.Edit{KB: &srv})
	srv.OwnerDesk, srv.OfficeID = "desk-anagrafe", "kb-tari" // an answer, not an office
	refused("office", `office_id: there is no office with the id "kb-tari"`, sportello.Edit{KB: &srv})
	d := sportello.DirectoryEntry{ID: "dir-x", Name: "X", Number: "+390200000003", DeskID: "desk-nessuno"}
	refused("directory desk", `desk_id: there is no desk with the id "desk-nessuno"`, sportello.Edit{Directory: &d})

	// The office comes later in the same batch: accepted.
	off := sportello.KBEntry{ID: "kb-ufficio", Kind: sportello.EntryOffice, Title: "Ufficio", Summary: "Via Roma 1."}
	srv.OfficeID = "kb-ufficio"
	if _, err := e.ApplyEdits(e.ctx, &Admin, []sportello.Edit{{KB: &srv}, {KB: &off}}, nil); err != nil {
		t.Fatal(err)
	}
	d.DeskID = "desk-tributi"
	if _, err := e.ApplyEdits(e.ctx, &Admin, []sportello.Edit{{Directory: &d}}, nil); err != nil {
		t.Fatal(err)
	}
}
