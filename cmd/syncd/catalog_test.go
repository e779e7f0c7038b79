package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello/catalog"
	"github.com/sportello/sportello/demo"
)

// TestMain_ExportImport: "syncd export --server" takes the demo city's
// catalogue from a running syncd as CSV files; "syncd import --db" loads
// them into a new database; "syncd export --db" gives back the same
// catalogue as the running syncd's JSON export. A file with a bad row is
// refused naming its line, and imports nothing.
func TestMain_ExportImport(t *testing.T) {
	dir := t.TempDir()
	srv, _ := newMain("")
	srv.Now = func() time.Time { return time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC) }
	run(t, srv, "serve", "--listen", "127.0.0.1:0", "--db", filepath.Join(dir, "syncd.db"), "--demo")

	csvDir := filepath.Join(dir, "csv")
	exp, _ := newMain(demo.Password + "\n")
	run(t, exp, "export", "--server", srv.Server.URL(), "--user", "admin", "--format", "csv", "--out", csvDir)
	var files []string
	for _, table := range catalog.Tables {
		files = append(files, filepath.Join(csvDir, table+".csv"))
	}
	expJSON, want := newMain(demo.Password + "\n")
	run(t, expJSON, "export", "--server", srv.Server.URL(), "--user", "admin")

	newDB := filepath.Join(dir, "nuova.db")
	imp, out := newMain("")
	run(t, imp, append([]string{"import", "--db", newDB}, files...)...)
	if r := imp.Catalog.Result; r == nil || r.Created["kb"] < 20 || r.Created["directory"] < 20 || !strings.Contains(out.String(), "imported") {
		t.Fatalf("import said %q, %+v", out.String(), r)
	}
	imp.Close()

	back, got := newMain("")
	run(t, back, "export", "--db", newDB, "--format", "json")
	// CSV keeps the reviewed date to the day: compare the JSON documents
	// after one more CSV round trip of the original.
	orig, err := catalog.ReadJSON(strings.NewReader(want.String()), "want.json")
	if err != nil {
		t.Fatal(err)
	}
	for i := range orig.Services {
		orig.Services[i].ReviewedAt = orig.Services[i].ReviewedAt.Truncate(24 * time.Hour)
	}
	for i := range orig.Offices {
		orig.Offices[i].ReviewedAt = orig.Offices[i].ReviewedAt.Truncate(24 * time.Hour)
	}
	var wantDoc strings.Builder
	catalog.WriteJSON(&wantDoc, orig)
	if got.String() != wantDoc.String() {
		t.Fatalf("the new database exports\n%.600s\nwant\n%.600s", got.String(), wantDoc.String())
	}

	// A bad row: refused with its line, nothing imported.
	bad := filepath.Join(dir, "directory.csv")
	os.WriteFile(bad, []byte("id,name,number\nd-1,Numero uno,+390211111111\nd-2,Numero due,non so\n"), 0o644)
	again, _ := newMain("")
	if err := again.ParseFlags(context.Background(), []string{"import", "--db", filepath.Join(dir, "vuota.db"), bad}); err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	err = again.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "directory.csv line 3: number:") {
		t.Fatalf("bad import: %v", err)
	}

	// Flags: one of --db and --server; --server needs --user.
	for _, args := range [][]string{
		{"import", "x.csv"},
		{"import", "--db", "a.db", "--server", "http://x", "x.csv"},
		{"export", "--server", "http://x"},
		{"export", "--db", "a.db", "--format", "csv"},
		{"import", "--db", "a.db"},
	} {
		m, _ := newMain("")
		if err := m.ParseFlags(context.Background(), args); err == nil {
			t.Errorf("syncd %v: no error", args)
		}
	}
}

// TestMain_ImportRetireMissing: "syncd import --retire-missing" retires
// the stored numbers the file does not name and says so; without the
// flag they stay.
func TestMain_ImportRetireMissing(t *testing.T) {
	dir := t.TempDir()
	db, file := filepath.Join(dir, "syncd.db"), filepath.Join(dir, "directory.csv")
	os.WriteFile(file, []byte("id,name,number\nd-1,Numero uno,+390211111111\nd-2,Numero due,+390222222222\n"), 0o644)
	first, _ := newMain("")
	run(t, first, "import", "--db", db, file)
	first.Close()

	os.WriteFile(file, []byte("id,name,number\nd-1,Numero uno,+390211111111\n"), 0o644)
	keep, _ := newMain("")
	run(t, keep, "import", "--db", db, file)
	keep.Close()
	if r := keep.Catalog.Result; r.Unchanged["directory"] != 1 || r.Retired["directory"] != 0 {
		t.Fatalf("without --retire-missing: %+v", r)
	}

	sweep, out := newMain("")
	run(t, sweep, "import", "--db", db, "--retire-missing", file)
	sweep.Close()
	if r := sweep.Catalog.Result; r.Retired["directory"] != 1 || !strings.Contains(out.String(), "retired 1 entries the files do not name") {
		t.Fatalf("with --retire-missing: %q %+v", out.String(), r)
	}
	back, got := newMain("")
	run(t, back, "export", "--db", db, "--format", "csv", "--table", "directory")
	back.Close()
	if strings.Contains(got.String(), "d-2") || !strings.Contains(got.String(), "d-1") {
		t.Fatalf("the directory after --retire-missing:\n%s", got.String())
	}
}
