package client_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/sqlite"
)

var _ client.EditReplica = (*sqlite.Replica)(nil)

// editCity has an admin who edits and an operator who searches.
var editCity = &demo.Data{
	Users: []demo.User{
		{User: sportello.User{ID: "u-a", Username: "operatore", Name: "Giulia Bianchi", Role: sportello.RoleOperator}, Password: "demo"},
		{User: sportello.User{ID: "u-adm", Username: "admin", Name: "Paolo Galli", Role: sportello.RoleAdmin}, Password: "demo"},
	},
	KB: []sportello.KBEntry{
		{ID: "kb-tari", Kind: sportello.EntryAnswer, Title: "Scadenze TARI", Summary: "16 aprile e 16 ottobre."},
	},
	Directory: []sportello.DirectoryEntry{
		{ID: "dir-amsa", Name: "Esempio Ambiente", Number: "+390289470000", Group: "Società del gruppo"},
	},
}

// waitKind waits for the next change of kind, skipping others.
func waitKind(t *testing.T, changes <-chan sportello.Change, kind string) sportello.Change {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ch := <-changes:
			if ch.Kind == kind {
				return ch
			}
		case <-deadline:
			t.Fatalf("no %s change within %v", kind, timeout)
		}
	}
}

// TestClient_EditPushed: an admin edits the knowledge base and the
// directory through syncd (change feed filtered, as cmd/syncd runs it);
// a second, real desktop client with its own replica finds each edit in
// its replica's search as soon as the change arrives, without signing in
// again: a new entry, a changed title (one copy, the new one), a
// retirement, a directory number. A stale edit is refused naming who
// saved the newer version.
func TestClient_EditPushed(t *testing.T) {
	db := openStoreWith(t, editCity)
	srv := server.New(db, nil)
	srv.FilterChanges = true
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })

	op := signIn(t, srv.URL(), "operatore")
	op.Replica = openReplica(t, filepath.Join(t.TempDir(), "operatore.db"))
	if err := op.SyncKB(ctx(t), nil); err != nil {
		t.Fatal(err)
	}
	if err := op.SyncDirectory(ctx(t)); err != nil {
		t.Fatal(err)
	}
	states, changes := watch(t, op)
	if err := op.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitState(t, states, "online", online)

	adm := signIn(t, srv.URL(), "admin")
	adm.Replica = openReplica(t, filepath.Join(t.TempDir(), "admin.db"))
	search := func(typed string) []string {
		hits, err := op.SearchKB(ctx(t), typed, 10)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, h := range hits {
			titles = append(titles, h.Entry.Title)
		}
		return titles
	}

	// A new entry.
	v, err := adm.SaveEdit(ctx(t), sportello.Edit{KB: &sportello.KBEntry{ID: "kb-agosto", Kind: sportello.EntryAnswer,
		Title: "Negozi aperti in agosto", Summary: "L'elenco dei negozi aperti è sul portale.", Keywords: []string{"estate", "ferie"}}})
	if err != nil || v.Action != sportello.EditCreated || v.Version != 1 {
		t.Fatalf("create: %+v, %v", v, err)
	}
	if ch := waitKind(t, changes, sportello.ChangeKindKB); ch.EntryID != "kb-agosto" || ch.KB == nil {
		t.Fatalf("change %+v", ch)
	}
	if got := search("negozi ago"); len(got) != 1 || got[0] != "Negozi aperti in agosto" {
		t.Fatalf("operator's search after the push: %v", got)
	}
	if got := search("ferie"); len(got) != 1 {
		t.Fatalf("keyword search after the push: %v", got)
	}
	// The editor's own replica has it at once, before any push.
	if hits, _ := adm.SearchKB(ctx(t), "agosto", 10); len(hits) != 1 {
		t.Fatalf("admin's own replica: %+v", hits)
	}

	// A changed title: the new words find it, and no stale copy is left.
	tari := sportello.KBEntry{ID: "kb-tari", Kind: sportello.EntryAnswer, Title: "Tassa rifiuti: scadenze di pagamento", Summary: "16 aprile e 16 ottobre; F24 precompilato."}
	if _, err := adm.SaveEdit(ctx(t), sportello.Edit{KB: &tari, Base: 1}); err != nil {
		t.Fatal(err)
	}
	waitKind(t, changes, sportello.ChangeKindKB)
	if got := search("pagamento"); len(got) != 1 || got[0] != tari.Title {
		t.Fatalf("search of the new title: %v", got)
	}
	if got := search("Scadenze TARI"); len(got) != 1 || got[0] != tari.Title {
		t.Fatalf("the old title's words find %v", got)
	}
	hits, _ := op.SearchKB(ctx(t), "precompilato", 10)
	if len(hits) != 1 || hits[0].Entry.Version != 2 {
		t.Fatalf("the replica holds %+v", hits)
	}

	// A stale edit (from version 1 again) is refused with who and when.
	tari.Summary = "Altro"
	_, err = adm.SaveEdit(ctx(t), sportello.Edit{KB: &tari, Base: 1})
	if sportello.ErrorCode(err) != sportello.ECONFLICT || !strings.Contains(sportello.ErrorMessage(err), "Paolo Galli changed this entry on") {
		t.Fatalf("stale edit: %v", err)
	}
	// Invalid input is refused in words naming the field.
	_, err = adm.SaveEdit(ctx(t), sportello.Edit{KB: &sportello.KBEntry{ID: "kb-x", Kind: sportello.EntryAnswer, Title: "Senza riassunto"}})
	if sportello.ErrorCode(err) != sportello.EINVALID || !strings.Contains(sportello.ErrorMessage(err), "summary") {
		t.Fatalf("invalid entry: %v", err)
	}

	// Retired: gone from the operator's search.
	if _, err := adm.SaveEdit(ctx(t), sportello.Edit{KB: &sportello.KBEntry{ID: "kb-agosto"}, Base: 1, Retire: true}); err != nil {
		t.Fatal(err)
	}
	if ch := waitKind(t, changes, sportello.ChangeKindKB); ch.EntryID != "kb-agosto" || ch.KB != nil {
		t.Fatalf("retire change %+v", ch)
	}
	if got := search("agosto"); len(got) != 0 {
		t.Fatalf("a retired entry is still found: %v", got)
	}

	// The directory: a changed number reaches the operator's Rubrica.
	dir := sportello.DirectoryEntry{ID: "dir-amsa", Name: "Esempio Ambiente", Number: "+390289471111", Group: "Società del gruppo", Note: "Ritiro ingombranti."}
	if _, err := adm.SaveEdit(ctx(t), sportello.Edit{Directory: &dir, Base: 1}); err != nil {
		t.Fatal(err)
	}
	waitKind(t, changes, sportello.ChangeKindDirectory)
	found, err := op.SearchDirectory(ctx(t), "ingombranti", 10)
	if err != nil || len(found) != 1 || found[0].Number != "+390289471111" {
		t.Fatalf("directory search after the push: %+v, %v", found, err)
	}

	// The history: who, when, what changed.
	hist, err := op.History(ctx(t), sportello.ChangeKindKB, "kb-tari")
	if err != nil || len(hist) != 1 || hist[0].Version != 2 || hist[0].Author != "Paolo Galli" || hist[0].Changed[0] != "summary" {
		t.Fatalf("history %+v, %v", hist, err)
	}
	// The operator may read but not edit.
	_, err = op.SaveEdit(ctx(t), sportello.Edit{KB: &tari, Base: 2})
	if sportello.ErrorCode(err) != sportello.EFORBIDDEN {
		t.Fatalf("operator's edit: %v", err)
	}
}
