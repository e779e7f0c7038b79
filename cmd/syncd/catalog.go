package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/catalog"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/wire"
)

// The catalogue's commands (docs/CATALOG.md).
const (
	CommandImport = "import"
	CommandExport = "export"
)

// CatalogCommand is what "syncd import" and "syncd export" were asked:
// with Server they talk to a running syncd over HTTP (signed in as User,
// the password on stdin), so that every desktop gets the import pushed at
// once; without, they work on the database (--db) directly.
type CatalogCommand struct {
	Files  []string // import: catalog.json, or services.csv, offices.csv, directory.csv
	Table  string   // import of one CSV file with another name; export of one table as CSV
	Format string   // export: json or csv
	Out    string   // export: a file (json, one table) or a directory (csv, every table); stdout when empty
	Server string   // a running syncd's URL
	User   string   // an admin's username on Server
	// RetireMissing retires, in the import's transaction, the stored
	// entries of the imported tables that the files do not name.
	RetireMissing bool
	// Result is what the import did.
	Result *wire.ImportResponse
}

// importer is who "syncd import --db" records as the author of the
// versions it saves.
var importer = sportello.User{ID: "syncd-import", Username: "syncd", Name: "syncd import", Role: sportello.RoleAdmin}

func (m *Main) parseCatalog(command string, args []string) error {
	fs := m.newFlagSet(command)
	c := &m.Catalog
	fs.StringVar(&m.DB, "db", "", "SQLite database file, or a postgres:// URL (without --server)")
	fs.StringVar(&c.Server, "server", "", "URL of a running syncd, such as https://syncd.comune.example:8443")
	fs.StringVar(&c.User, "user", "", "an admin's username on --server (the password is read from stdin)")
	fs.StringVar(&c.Table, "table", "", "services, offices, answers or directory")
	if command == CommandImport {
		fs.BoolVar(&c.RetireMissing, "retire-missing", false, "retire the stored entries of the imported tables that the files do not name")
	}
	if command == CommandExport {
		fs.StringVar(&c.Format, "format", "json", "json or csv")
		fs.StringVar(&c.Out, "out", "", "file (json, or csv with --table) or directory (csv, every table); stdout when empty")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.Files = fs.Args()
	switch {
	case (m.DB == "") == (c.Server == ""):
		return fmt.Errorf("syncd %s needs --db PATH or --server URL (one of them)", command)
	case c.Server != "" && c.User == "":
		return fmt.Errorf("syncd %s --server needs --user (an admin)", command)
	case c.Table != "" && catalog.TableOf(c.Table+".csv") == "":
		return fmt.Errorf("unknown table %q: use %s", c.Table, strings.Join(catalog.Tables, ", "))
	}
	if command == CommandImport {
		if len(c.Files) == 0 {
			return errors.New("syncd import needs the files to import: catalog.json, or services.csv, offices.csv, directory.csv")
		}
		if c.Table != "" && len(c.Files) != 1 {
			return errors.New("--table names the table of one CSV file")
		}
		return nil
	}
	switch {
	case len(c.Files) > 0:
		return fmt.Errorf("unexpected arguments %q", c.Files)
	case c.Format != "json" && c.Format != "csv":
		return fmt.Errorf("unknown format %q: use json or csv", c.Format)
	case c.Format == "csv" && c.Table == "" && c.Out == "":
		return errors.New("syncd export --format csv needs --table (to stdout) or --out DIR (every table)")
	}
	return nil
}

// readCatalog reads the files to import into one catalogue: each CSV
// file's table comes from its name (or --table), JSON is a whole catalogue.
func (m *Main) readCatalog() (*catalog.Catalog, error) {
	all := &catalog.Catalog{Format: catalog.Format}
	for _, name := range m.Catalog.Files {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		var part *catalog.Catalog
		base := filepath.Base(name)
		if strings.HasSuffix(strings.ToLower(name), ".json") {
			part, err = catalog.ReadJSON(f, base)
		} else {
			table := m.Catalog.Table
			if table == "" {
				table = catalog.TableOf(name)
			}
			if table == "" {
				f.Close()
				return nil, fmt.Errorf("%s: name the file services.csv, offices.csv or directory.csv, or give --table", name)
			}
			part, err = catalog.ReadCSV(f, table, base)
		}
		f.Close()
		if err != nil {
			return nil, catalogError(err)
		}
		all.Merge(part)
	}
	// Every row is checked here, where the file and line are known.
	if err := server.CheckCatalog(all); err != nil {
		return nil, catalogError(err)
	}
	return all, nil
}

// catalogError shows an application error in its words.
func catalogError(err error) error {
	if code := sportello.ErrorCode(err); code != sportello.EINTERNAL && code != "" {
		return errors.New(sportello.ErrorMessage(err))
	}
	return err
}

func (m *Main) importCatalog(ctx context.Context) error {
	c, err := m.readCatalog()
	if err != nil {
		return err
	}
	if m.Catalog.Server != "" {
		var doc bytes.Buffer
		if err := catalog.WriteJSON(&doc, c); err != nil {
			return err
		}
		var res wire.ImportResponse
		path := "/v1/catalog/import"
		if m.Catalog.RetireMissing {
			path += "?retire_missing=true"
		}
		if err := m.call(ctx, http.MethodPost, path, doc.Bytes(), &res); err != nil {
			return err
		}
		m.Catalog.Result = &res
	} else {
		if err := m.openStore(); err != nil {
			return err
		}
		res, err := server.ImportCatalog(ctx, m.Store, &importer, c, m.Catalog.RetireMissing)
		if err != nil {
			return catalogError(err)
		}
		m.Catalog.Result = res
	}
	r := m.Catalog.Result
	fmt.Fprintf(m.Stdout, "imported %d services, offices and answers and %d directory entries: %d new, %d changed, %d as they were\n",
		len(c.Services)+len(c.Offices)+len(c.Answers), len(c.Directory),
		r.Created["kb"]+r.Created["directory"], r.Updated["kb"]+r.Updated["directory"], r.Unchanged["kb"]+r.Unchanged["directory"])
	if m.Catalog.RetireMissing {
		fmt.Fprintf(m.Stdout, "retired %d entries the files do not name\n", r.Retired["kb"]+r.Retired["directory"])
	}
	return nil
}

func (m *Main) exportCatalog(ctx context.Context) error {
	cc := &m.Catalog
	var c *catalog.Catalog
	if cc.Server != "" {
		var data []byte
		if err := m.call(ctx, http.MethodGet, "/v1/catalog/export?format=json", nil, &data); err != nil {
			return err
		}
		var err error
		if c, err = catalog.ReadJSON(bytes.NewReader(data), "export.json"); err != nil {
			return catalogError(err)
		}
	} else {
		if err := m.openStore(); err != nil {
			return err
		}
		var err error
		if c, err = server.ExportCatalog(ctx, m.Store); err != nil {
			return err
		}
	}
	write := func(name string, fn func(w io.Writer) error) error {
		if name == "" {
			return fn(m.Stdout)
		}
		var buf bytes.Buffer
		if err := fn(&buf); err != nil {
			return catalogError(err)
		}
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "wrote %s\n", name)
		return nil
	}
	switch {
	case cc.Format == "json":
		return write(cc.Out, func(w io.Writer) error { return catalog.WriteJSON(w, c) })
	case cc.Table != "":
		return write(cc.Out, func(w io.Writer) error { return catalog.WriteCSV(w, c, cc.Table) })
	}
	if err := os.MkdirAll(cc.Out, 0o755); err != nil {
		return err
	}
	for _, table := range catalog.Tables {
		if err := write(filepath.Join(cc.Out, table+".csv"), func(w io.Writer) error { return catalog.WriteCSV(w, c, table) }); err != nil {
			return err
		}
	}
	return nil
}

// call signs in to the running syncd as the admin (once, the password
// read from stdin) and sends one request; out is a *[]byte for the raw
// answer or a value to decode JSON into.
func (m *Main) call(ctx context.Context, method, path string, body []byte, out any) error {
	cc := &m.Catalog
	base := strings.TrimRight(cc.Server, "/")
	hc := &http.Client{Timeout: 5 * time.Minute}
	send := func(method, path, token string, body []byte) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, fmt.Errorf("syncd at %s does not answer: %w", base, err)
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode/100 != 2 {
			var e wire.ErrorResponse
			if json.Unmarshal(data, &e) == nil && e.Message != "" {
				return nil, errors.New(e.Message)
			}
			return nil, fmt.Errorf("syncd answered %s", resp.Status)
		}
		return data, nil
	}
	password, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	password = strings.TrimRight(password, "\r\n")
	if password == "" {
		return fmt.Errorf("no password on stdin for %s", cc.User)
	}
	login, _ := json.Marshal(wire.LoginRequest{Username: cc.User, Password: password})
	data, err := send(http.MethodPost, "/v1/login", "", login)
	if err != nil {
		return fmt.Errorf("sign in as %s: %w", cc.User, err)
	}
	var lr wire.LoginResponse
	if err := json.Unmarshal(data, &lr); err != nil {
		return err
	}
	defer send(http.MethodPost, "/v1/logout", lr.Token, nil)
	data, err = send(method, path, lr.Token, body)
	if err != nil {
		return err
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return nil
	}
	return json.Unmarshal(data, out)
}
