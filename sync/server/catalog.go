package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/catalog"
	"github.com/sportello/sportello/sync/check"
	"github.com/sportello/sportello/sync/wire"
)

// handleImportCatalog serves POST /v1/catalog/import: a catalogue as one
// JSON document (Content-Type application/json) or one table as CSV
// (text/csv, or no Content-Type, with ?table=services|offices|directory),
// saved all or nothing
// through the same path as edits, so every desktop gets it pushed.
func (s *Server) handleImportCatalog(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wire.MaxImportBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "the catalogue is larger than %d bytes: import it in parts", tooLarge.Limit))
		return
	} else if err != nil {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "the request body could not be read"))
		return
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	table := r.URL.Query().Get("table")
	if ctype == "" && table != "" {
		ctype = "text/csv"
	}
	var c *catalog.Catalog
	switch ctype {
	case "application/json", "":
		c, err = catalog.ReadJSON(bytes.NewReader(data), "catalog.json")
	case "text/csv":
		c, err = catalog.ReadCSV(bytes.NewReader(data), table, table+".csv")
	default:
		err = sportello.Errorf(sportello.EINVALID, "send the catalogue as application/json, or one table as text/csv with ?table=%s", strings.Join(catalog.Tables, "|"))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	retire := false
	if v := r.URL.Query().Get("retire_missing"); v != "" {
		if retire, err = strconv.ParseBool(v); err != nil {
			s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "retire_missing: use true or false, not %q", v))
			return
		}
	}
	res, err := ImportCatalog(r.Context(), s.store, u, c, retire)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.publishNew(r.Context())
	s.logger.Info("catalogue imported", logAgent, u.Username, "created", res.Created, "updated", res.Updated)
	s.writeJSON(w, http.StatusOK, res)
}

// CheckCatalog checks every entry of c as an edit would, naming the file
// and line of the first refused one.
func CheckCatalog(c *catalog.Catalog) error {
	where := func(table, id string, err error) error {
		src := c.SourceOf(table, id)
		if src == "" {
			src = table + " " + id
		}
		return sportello.Errorf(sportello.ErrorCode(err), "%s: %s", src, sportello.ErrorMessage(err))
	}
	for _, e := range c.Services {
		if _, err := check.KBEntry(e); err != nil {
			return where(catalog.Services, e.ID, err)
		}
	}
	for _, e := range c.Offices {
		if _, err := check.KBEntry(e); err != nil {
			return where(catalog.Offices, e.ID, err)
		}
	}
	for _, e := range c.Answers {
		if _, err := check.KBEntry(e); err != nil {
			return where(catalog.Answers, e.ID, err)
		}
	}
	for _, e := range c.Directory {
		if _, err := check.DirectoryEntry(e); err != nil {
			return where(catalog.Directory, e.ID, err)
		}
	}
	return nil
}

// ImportCatalog saves a catalogue by actor in store, all or nothing: every
// entry is checked first (a bad row changes nothing), then saved over
// whatever version is stored; with retireMissing, the stored entries of
// the tables the catalogue holds that it does not name are retired in the
// same transaction. syncd's import command calls it too.
func ImportCatalog(ctx context.Context, store EditStore, actor *sportello.User, c *catalog.Catalog, retireMissing bool) (*wire.ImportResponse, error) {
	if err := CheckCatalog(c); err != nil {
		return nil, err
	}
	var vs []sportello.EntryVersion
	var err error
	if retireMissing {
		vs, err = store.ApplyImport(ctx, actor, c.Edits(), c.Sweep())
	} else {
		vs, err = store.ApplyEdits(ctx, actor, c.Edits(), nil)
	}
	if err != nil {
		return nil, err
	}
	res := &wire.ImportResponse{Created: map[string]int{}, Updated: map[string]int{}, Unchanged: map[string]int{}}
	for _, v := range vs {
		switch v.Action {
		case sportello.EditCreated:
			res.Created[v.Kind]++
		case sportello.EditUpdated:
			res.Updated[v.Kind]++
		case sportello.EditRetired:
			if res.Retired == nil {
				res.Retired = map[string]int{}
			}
			res.Retired[v.Kind]++
		default:
			res.Unchanged[v.Kind]++
		}
	}
	return res, nil
}

// CatalogReader is what an export reads: the knowledge base and the
// directory, page by page.
type CatalogReader interface {
	KBPage(ctx context.Context, after string, limit int) ([]sportello.KBEntry, error)
	DirectoryPage(ctx context.Context, after string, limit int) ([]sportello.DirectoryEntry, error)
}

// ExportCatalog reads the whole catalogue from store.
func ExportCatalog(ctx context.Context, store CatalogReader) (*catalog.Catalog, error) {
	var kb []sportello.KBEntry
	for after := ""; ; {
		page, err := store.KBPage(ctx, after, wire.KBPageLimit)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		kb = append(kb, page...)
		after = page[len(page)-1].ID
	}
	var dir []sportello.DirectoryEntry
	for after := ""; ; {
		page, err := store.DirectoryPage(ctx, after, wire.DirectoryPageLimit)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		dir = append(dir, page...)
		after = page[len(page)-1].ID
	}
	return catalog.Of(kb, dir), nil
}

// handleExportCatalog serves GET /v1/catalog/export: the catalogue as one
// JSON document (?format=json, the default) or one table as CSV
// (?format=csv&table=services|offices|directory).
func (s *Server) handleExportCatalog(w http.ResponseWriter, r *http.Request, u *sportello.User) {
	format, table := r.URL.Query().Get("format"), r.URL.Query().Get("table")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "csv" {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "format: use json or csv, not %q", format))
		return
	}
	if format == "csv" && catalog.TableOf(table+".csv") == "" {
		s.writeError(w, r, sportello.Errorf(sportello.EINVALID, "table: name the table to export as CSV: %s", strings.Join(catalog.Tables, ", ")))
		return
	}
	c, err := ExportCatalog(r.Context(), s.store)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	name := "catalog.json"
	if format == "json" {
		err = catalog.WriteJSON(&buf, c)
		w.Header().Set("Content-Type", "application/json")
	} else {
		name = table + ".csv"
		err = catalog.WriteCSV(&buf, c, table)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	}
	if err != nil {
		w.Header().Del("Content-Type")
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}
