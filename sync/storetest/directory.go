package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// testDirectoryPage stores transfer-directory entries, replaces one, and
// pages through them: ids in order, pages never over the limit, every
// field (hours, note, keywords, desk) back as stored, invalid entries
// refused.
func testDirectoryPage(t *testing.T, e *env) {
	hours, err := sportello.ParseHours("lun-ven 8:30-12:30; gio 14:00-16:00")
	if err != nil {
		t.Fatal(err)
	}
	entries := []sportello.DirectoryEntry{
		{ID: "dir-b", Name: "Municipio 1", Number: "+390288461000", Group: "Municipi", HoursText: "lun-ven 8:30-12:30; gio 14:00-16:00", Hours: &hours,
			Note: "Servizi di zona.", Keywords: []string{"centro", "zona 1"}},
		{ID: "dir-a", Name: "Sportello Tributi", Number: "+390288490002", Group: "Sportelli", DeskID: "desk-tributi", Keywords: []string{"tari"}},
		{ID: "dir-c", Name: "Esempio Ambiente", Number: "+390289470000", Group: "Società del gruppo"},
		{ID: "dir-d", Name: "Vecchio nome", Number: "+390200000000"},
	}
	if err := e.PutDirectory(e.ctx, entries); err != nil {
		t.Fatal(err)
	}
	if err := e.PutDirectory(e.ctx, []sportello.DirectoryEntry{{ID: "dir-d", Name: "Oggetti smarriti", Number: "+390288455000", Note: "Oggetti persi in città."}}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.PutDirectory(e.ctx, []sportello.DirectoryEntry{{ID: "dir-x", Name: "Senza numero"}}), sportello.EINVALID)
	total, err := e.DirectoryTotal(e.ctx)
	if err != nil || total != 4 {
		t.Fatalf("DirectoryTotal() = %d, %v; want 4", total, err)
	}
	var got []sportello.DirectoryEntry
	after := ""
	for pages := 0; pages < 5; pages++ {
		page, err := e.DirectoryPage(e.ctx, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 3 {
			t.Fatalf("page of %d", len(page))
		}
		got = append(got, page...)
		after = page[len(page)-1].ID
	}
	var ids []string
	for _, d := range got {
		ids = append(ids, d.ID)
	}
	if want := []string{"dir-a", "dir-b", "dir-c", "dir-d"}; !slices.Equal(ids, want) {
		t.Fatalf("ids %v, want %v", ids, want)
	}
	if a := got[0]; a.DeskID != "desk-tributi" || !slices.Equal(a.Keywords, []string{"tari"}) || a.Hours != nil {
		t.Fatalf("desk entry back as %+v", a)
	}
	b := got[1]
	if b.Note != "Servizi di zona." || b.HoursText == "" || b.Hours == nil || b.UpdatedAt.IsZero() {
		t.Fatalf("entry with hours back as %+v", b)
	}
	// Thursday 15:00 in Rome: open by the afternoon range only.
	rome := time.FixedZone("CET", 3600)
	if st := b.Hours.StateAt(time.Date(2025, 3, 13, 15, 0, 0, 0, rome), rome, sportello.Calendar{}); !st.Open {
		t.Fatalf("hours back as %+v: closed on Thursday 15:00", b.Hours)
	}
	if d := got[3]; d.Name != "Oggetti smarriti" || d.Number != "+390288455000" || d.Note == "" {
		t.Fatalf("replaced entry %+v", d)
	}
	if page, err := e.DirectoryPage(e.ctx, "dir-d", 10); err != nil || len(page) != 0 {
		t.Fatalf("page after the last id: %+v, %v", page, err)
	}
}
