package client_test

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
	"github.com/sportello/sportello/sync/client"
	"github.com/sportello/sportello/sync/sqlite"
)

var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// openStoreWith opens a store seeded with d.
func openStoreWith(t *testing.T, d *demo.Data) *sqlite.DB {
	t.Helper()
	db := sqlite.New(filepath.Join(t.TempDir(), "syncd.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Seed(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return db
}

// deskCity is the fixture with two desks, a specialist of Tributi and of
// Multe, and a case of Maria Rossi waiting at Tributi.
func deskCity() *demo.Data {
	d := *fixture
	d.Users = append(append([]demo.User{}, d.Users...),
		demo.User{User: sportello.User{ID: "u-luca", Username: "specialista", Name: "Luca Esposito", Role: sportello.RoleSpecialist}, Password: "demo"},
		demo.User{User: sportello.User{ID: "u-sara", Username: "specialista2", Name: "Sara Conti", Role: sportello.RoleSpecialist}, Password: "demo"},
	)
	d.Desks = []sportello.Desk{{ID: "desk-tributi", Name: "Tributi"}}
	d.Cases = []*sportello.Case{{ID: "k-tari", CitizenID: "c-rossi", Events: []*sportello.CaseEvent{
		{ID: "k-tari-1", CaseID: "k-tari", Kind: sportello.EventOpened, At: t0, Category: "TARI", Note: "Rimborso TARI"},
		{ID: "k-tari-2", CaseID: "k-tari", Kind: sportello.EventEscalated, At: t0, DeskID: "desk-tributi"},
	}}}
	return &d
}

func TestClient_DeskService(t *testing.T) {
	db := openStoreWith(t, deskCity())
	srv := openServer(t, db, "127.0.0.1:0")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	luca, sara, op := signIn(t, srv.URL(), "specialista"), signIn(t, srv.URL(), "specialista2"), signIn(t, srv.URL(), "operatore")
	var _ sportello.DeskService = luca

	desks, err := op.Desks(ctx)
	if err != nil || len(desks) != 1 || desks[0].Name != "Tributi" || desks[0].Member {
		t.Fatalf("operator's desks = %+v, %v", desks, err)
	}
	if desks, _ := luca.Desks(ctx); len(desks) != 1 || !desks[0].Member {
		t.Fatalf("specialist's desks = %+v (Seed makes specialists members of every desk)", desks)
	}
	q, err := luca.Queue(ctx)
	if err != nil || len(q) != 1 || q[0].ID != "k-tari" || q[0].CitizenName != "Maria Rossi" {
		t.Fatalf("queue = %+v, %v", q, err)
	}
	_, err = op.Queue(ctx)
	if sportello.ErrorCode(err) != sportello.EFORBIDDEN {
		t.Fatalf("operator's queue: %v, want EFORBIDDEN", err)
	}

	k, err := luca.CaseAction(ctx, "k-tari", sportello.CaseEvent{Kind: sportello.EventClaimed})
	if err != nil || k.Status != sportello.StatusClaimed || k.ClaimedBy != "Luca Esposito" {
		t.Fatalf("claim: %+v, %v", k, err)
	}
	_, err = sara.CaseAction(ctx, "k-tari", sportello.CaseEvent{Kind: sportello.EventClaimed})
	if sportello.ErrorCode(err) != sportello.ECONFLICT || sportello.ErrorMessage(err) != "the case is already taken by Luca Esposito" {
		t.Fatalf("second claim: %v", err)
	}
	// A resend of one action (same id) is recorded once.
	const id = "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a55"
	note := sportello.CaseEvent{ID: id, Kind: sportello.EventNote, Note: "Chiesto l'estratto conto"}
	first, err := luca.CaseAction(ctx, "k-tari", note)
	if err != nil {
		t.Fatal(err)
	}
	again, err := luca.CaseAction(ctx, "k-tari", note)
	if err != nil || len(again.Events) != len(first.Events) {
		t.Fatalf("resend: %d events (first %d), %v", len(again.Events), len(first.Events), err)
	}
	k, err = luca.CaseAction(ctx, "k-tari", sportello.CaseEvent{Kind: sportello.EventAnswerReady, Note: "Rimborso disposto"})
	if err != nil || k.Status != sportello.StatusAnswerReady {
		t.Fatalf("answer ready: %+v, %v", k, err)
	}
	_, err = luca.CaseAction(ctx, "", sportello.CaseEvent{Kind: sportello.EventNote, Note: "x"})
	if sportello.ErrorCode(err) != sportello.EINVALID {
		t.Fatalf("no case: %v", err)
	}
}

// TestClient_CaseAction_Unreachable: a desk's action is not queued; it
// fails with EUNAVAILABLE and says so.
func TestClient_CaseAction_Unreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := client.New("http://"+addr, nil)
	c.SetToken("some-token")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for name, err := range map[string]error{
		"CaseAction": func() error {
			_, err := c.CaseAction(ctx, "k-tari", sportello.CaseEvent{Kind: sportello.EventClaimed})
			return err
		}(),
		"Queue": func() error { _, err := c.Queue(ctx); return err }(),
		"Desks": func() error { _, err := c.Desks(ctx); return err }(),
	} {
		if sportello.ErrorCode(err) != sportello.EUNAVAILABLE {
			t.Errorf("%s: %v, want EUNAVAILABLE", name, err)
		}
	}
}
