package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/catalog"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/wire"
)

// TestServer_CatalogImportExport imports the demo city's catalogue as
// JSON through syncd, exports it back identical, imports it again (nothing
// changes), round-trips each table as CSV, and refuses bad files whole,
// naming the line.
func TestServer_CatalogImportExport(t *testing.T) {
	e := newCityEnv(t)
	token := e.signIn(t, "admin")
	ctx := context.Background()
	d := demo.Generate(1, t0)
	want := catalog.Of(d.KB, d.Directory)
	// The desks the entries name must exist: here they are the city's.
	for _, kb := range [][]sportello.KBEntry{want.Services, want.Offices} {
		for i := range kb {
			if kb[i].OwnerDesk != "" {
				kb[i].OwnerDesk = "desk-tributi"
			}
		}
	}
	for i := range want.Directory {
		if want.Directory[i].DeskID != "" {
			want.Directory[i].DeskID = "desk-tributi"
		}
	}
	var doc bytes.Buffer
	if err := catalog.WriteJSON(&doc, want); err != nil {
		t.Fatal(err)
	}
	head, _ := e.db.Head(ctx)
	status, body := e.call(t, "POST", "/v1/catalog/import", token, bytes.NewReader(doc.Bytes()))
	var res wire.ImportResponse
	res = wire.ImportResponse{}
	json.Unmarshal(body, &res)
	nKB, nDir := len(want.Services)+len(want.Offices)+len(want.Answers), len(want.Directory)
	if status != http.StatusOK || res.Created["kb"] != nKB || res.Created["directory"] != nDir {
		t.Fatalf("import: %d %s", status, body)
	}
	if h, _ := e.db.Head(ctx); h != head+int64(nKB+nDir) {
		t.Fatalf("head %d after import, want %d (one change per entry)", h, head+int64(nKB+nDir))
	}
	head += int64(nKB + nDir)

	// Exported back, the same catalogue.
	status, body = e.call(t, "GET", "/v1/catalog/export?format=json", token, nil)
	if status != http.StatusOK {
		t.Fatalf("export: %d %s", status, body)
	}
	got, err := catalog.ReadJSON(bytes.NewReader(body), "export.json")
	if err != nil {
		t.Fatal(err)
	}
	got.Source, want.Source = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("exported catalogue differs from the imported one:\n%+v\n%+v", got.Offices[0], want.Offices[0])
	}

	// The same import again changes nothing.
	status, body = e.call(t, "POST", "/v1/catalog/import", token, bytes.NewReader(doc.Bytes()))
	res = wire.ImportResponse{}
	json.Unmarshal(body, &res)
	if status != http.StatusOK || len(res.Created) != 0 || len(res.Updated) != 0 || res.Unchanged["kb"] != nKB {
		t.Fatalf("second import: %d %s", status, body)
	}
	if h, _ := e.db.Head(ctx); h != head {
		t.Fatalf("an import that changes nothing wrote changes: head %d, want %d", h, head)
	}

	// Each table as CSV: exported, imported, nothing changes.
	for _, table := range catalog.Tables {
		status, csvData := e.call(t, "GET", "/v1/catalog/export?format=csv&table="+table, token, nil)
		if status != http.StatusOK || !strings.HasPrefix(string(csvData), strings.Join(catalog.Columns(table), ",")+"\n") {
			t.Fatalf("export %s: %d %s", table, status, csvData)
		}
		status, body = e.call(t, "POST", "/v1/catalog/import?table="+table, token, bytes.NewReader(csvData))
		res = wire.ImportResponse{}
		json.Unmarshal(body, &res)
		if status != http.StatusOK || len(res.Created)+len(res.Updated) != 0 {
			t.Fatalf("CSV re-import of %s: %d %s", table, status, body)
		}
	}

	// A bad row refuses the whole file, naming its line; nothing changes.
	for _, tc := range []struct{ table, data, want string }{
		{"directory", "id,name,number\nd-new,Numero nuovo,+390211111111\nd-bad,Senza numero,\n", "directory.csv line 3, column number: this field is required"},
		{"directory", "id,name,number\nd-new,Numero nuovo,+390211111111\nd-bad,Numero sbagliato,chiamare il centralino\n", "directory.csv line 3: number:"},
		{"services", "id,title,summary,link\ns-new,Servizio nuovo,Si fa online,https://www.comune.example\ns-bad,Servizio,Si fa,ftp://x\n", "services.csv line 3: link:"},
	} {
		status, body = e.call(t, "POST", "/v1/catalog/import?table="+tc.table, token, strings.NewReader(tc.data))
		wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, tc.want)
	}
	if h, _ := e.db.Head(ctx); h != head {
		t.Fatalf("a refused import wrote changes")
	}
	if n, _ := e.db.DirectoryTotal(ctx); n != nDir {
		t.Fatalf("a refused import changed the directory: %d entries", n)
	}
	status, body = e.call(t, "GET", "/v1/catalog/export?format=xml", token, nil)
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "format")
}

// TestServer_EditKB: over HTTP, a stale edit is 409 naming who saved the
// newer version, a bad one 400 naming the field, the history lists every
// version; specialists edit only their desks' entries.
func TestServer_EditKB(t *testing.T) {
	e := newCityEnv(t)
	admin, spec := e.signIn(t, "admin"), e.signIn(t, "specialista")
	status, body := e.call(t, "POST", "/v1/kb", spec, strings.NewReader(`{"id":"kb-multe","kind":"answer","title":"Pagare una multa","summary":"Con pagoPA.","owner_desk":"desk-multe"}`))
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	status, body = e.call(t, "PUT", "/v1/kb/kb-multe", admin, strings.NewReader(`{"version":1,"kind":"answer","title":"Pagare una multa","summary":"Con pagoPA o in banca.","owner_desk":"desk-multe"}`))
	var v sportello.EntryVersion
	json.Unmarshal(body, &v)
	if status != http.StatusOK || v.Version != 2 || v.Action != sportello.EditUpdated || v.Author != "Paolo Galli" {
		t.Fatalf("update: %d %s", status, body)
	}
	status, body = e.call(t, "PUT", "/v1/kb/kb-multe", spec, strings.NewReader(`{"version":1,"kind":"answer","title":"Pagare una multa","summary":"Solo pagoPA.","owner_desk":"desk-multe"}`))
	wantError(t, status, body, http.StatusConflict, sportello.ECONFLICT, "Paolo Galli changed this entry on")
	status, body = e.call(t, "PUT", "/v1/kb/kb-multe", spec, strings.NewReader(`{"version":2,"kind":"answer","title":"","summary":"Solo pagoPA.","owner_desk":"desk-multe"}`))
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "title: this field is required")
	// The specialist may not hand the entry to another desk.
	status, body = e.call(t, "PUT", "/v1/kb/kb-multe", spec, strings.NewReader(`{"version":2,"kind":"answer","title":"Pagare una multa","summary":"x","owner_desk":"desk-tributi"}`))
	wantError(t, status, body, http.StatusForbidden, sportello.EFORBIDDEN, "desk-tributi")
	status, body = e.call(t, "DELETE", "/v1/kb/kb-multe", spec, nil)
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "version")
	status, body = e.call(t, "DELETE", "/v1/kb/kb-multe?version=2", spec, nil)
	if status != http.StatusOK {
		t.Fatalf("retire: %d %s", status, body)
	}
	status, body = e.call(t, "GET", "/v1/kb/kb-multe/history", e.signIn(t, "operatore"), nil)
	var h wire.HistoryResponse
	json.Unmarshal(body, &h)
	if status != http.StatusOK || len(h.Versions) != 3 || h.Versions[0].Author != "Specialista Multe" || h.Versions[2].Action != sportello.EditRetired {
		t.Fatalf("history: %d %s", status, body)
	}
}

// TestServer_CatalogImportRetireMissing: an import of the directory table
// with retire_missing=true retires, in its transaction, every stored
// number the file does not name and leaves the knowledge base alone; a
// bad value of retire_missing and a row naming an unknown desk are
// refused, naming the field, and change nothing.
func TestServer_CatalogImportRetireMissing(t *testing.T) {
	e := newCityEnv(t)
	token := e.signIn(t, "admin")
	ctx := context.Background()
	if err := e.db.PutDirectory(ctx, []sportello.DirectoryEntry{
		{ID: "dir-a", Name: "Ufficio A", Number: "+390200000001"},
		{ID: "dir-b", Name: "Ufficio B", Number: "+390200000002"},
		{ID: "dir-c", Name: "Ufficio C", Number: "+390200000003"},
	}); err != nil {
		t.Fatal(err)
	}
	before, err := server.ExportCatalog(ctx, e.db)
	if err != nil || len(before.Directory) < 3 {
		t.Fatalf("the city's directory: %d entries, %v", len(before.Directory), err)
	}
	kbBefore := len(before.Services) + len(before.Offices)
	head, _ := e.db.Head(ctx)

	status, body := e.call(t, "POST", "/v1/catalog/import?table=directory&retire_missing=forse", token,
		strings.NewReader("id,name,number\ndir-nuovo,Numero nuovo,+390211111111\n"))
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, "retire_missing")
	status, body = e.call(t, "POST", "/v1/catalog/import?table=directory&retire_missing=true", token,
		strings.NewReader("id,name,number,desk_id\ndir-nuovo,Numero nuovo,+390211111111,desk-inesistente\n"))
	wantError(t, status, body, http.StatusBadRequest, sportello.EINVALID, `desk_id: there is no desk with the id "desk-inesistente"`)
	if h, _ := e.db.Head(ctx); h != head {
		t.Fatalf("a refused import wrote changes: head %d, was %d", h, head)
	}

	kept := before.Directory[0]
	csvDoc := "id,name,number\n" + kept.ID + "," + kept.Name + "," + kept.Number + "\ndir-nuovo,Numero nuovo,+390211111111\n"
	status, body = e.call(t, "POST", "/v1/catalog/import?table=directory&retire_missing=true", token, strings.NewReader(csvDoc))
	var res wire.ImportResponse
	json.Unmarshal(body, &res)
	if status != http.StatusOK || res.Created["directory"] != 1 || res.Retired["directory"] != len(before.Directory)-1 || res.Retired["kb"] != 0 {
		t.Fatalf("import: %d %s", status, body)
	}
	after, err := server.ExportCatalog(ctx, e.db)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Directory) != 2 || after.Directory[0].ID != kept.ID && after.Directory[1].ID != kept.ID || len(after.Services)+len(after.Offices) != kbBefore {
		t.Fatalf("after the import: %d numbers %+v, %d entries", len(after.Directory), after.Directory, len(after.Services)+len(after.Offices))
	}
	if h, _ := e.db.Head(ctx); h != head+int64(1+res.Retired["directory"])+int64(res.Updated["directory"]) {
		t.Fatalf("head %d, want one change per saved entry after %d", h, head)
	}
}
