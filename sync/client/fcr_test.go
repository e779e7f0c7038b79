package client_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
)

// TestClient_DeskAvailability: against a real syncd, an operator reads who
// is available at a desk as its specialists report their states, and
// syncd's being away is EUNAVAILABLE (the Rubrica says "unknown").
func TestClient_DeskAvailability(t *testing.T) {
	db := openStoreWith(t, deskCity())
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for _, u := range []string{"u-luca", "u-sara"} {
		if err := db.AddDeskMember(ctx, u, "desk-tributi"); err != nil {
			t.Fatal(err)
		}
	}
	srv := openServer(t, db, "127.0.0.1:0")
	luca, sara, op := signIn(t, srv.URL(), "specialista"), signIn(t, srv.URL(), "specialista2"), signIn(t, srv.URL(), "operatore")
	var _ sportello.DeskAvailabilityService = op

	tributi := func() sportello.DeskAvailability {
		t.Helper()
		desks, err := op.DeskAvailability(ctx)
		if err != nil || len(desks) != 1 || desks[0].DeskID != "desk-tributi" || desks[0].DeskName != "Tributi" {
			t.Fatalf("availability %+v, %v", desks, err)
		}
		return desks[0]
	}
	if d := tributi(); d.Members != 2 || len(d.Available) != 0 || d.OnCall != 0 {
		t.Fatalf("before any state: %+v", d)
	}
	if err := luca.SetPresence(ctx, sportello.Presence{State: sportello.AgentAvailable}); err != nil {
		t.Fatal(err)
	}
	if err := sara.SetPresence(ctx, sportello.Presence{State: sportello.AgentOnCall}); err != nil {
		t.Fatal(err)
	}
	if d := tributi(); !slices.Equal(d.Available, []string{"Luca Esposito"}) || d.OnCall != 1 {
		t.Fatalf("Luca available, Sara on a call: %+v", d)
	}
	if err := sara.SetPresence(ctx, sportello.Presence{State: sportello.AgentAvailable}); err != nil {
		t.Fatal(err)
	}
	if d := tributi(); !slices.Equal(d.Available, []string{"Luca Esposito", "Sara Conti"}) || d.OnCall != 0 {
		t.Fatalf("both available: %+v", d)
	}

	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := op.DeskAvailability(ctx); sportello.ErrorCode(err) != sportello.EUNAVAILABLE {
		t.Fatalf("syncd closed: %v, want %s", err, sportello.EUNAVAILABLE)
	}
}

// TestClient_KBUsefulness: the entries an operator's wrap-up names reach
// syncd and come back in a supervisor's usefulness read; an operator may
// not read it.
func TestClient_KBUsefulness(t *testing.T) {
	d := *fixture
	d.Users = append(append([]demo.User{}, d.Users...),
		demo.User{User: sportello.User{ID: "u-sup", Username: "supervisore", Name: "Francesca Romano", Role: sportello.RoleSupervisor}, Password: "demo"})
	d.KB = []sportello.KBEntry{
		{ID: "kb-cie", Kind: sportello.EntryService, Title: "Carta d'identità elettronica", Summary: "Su appuntamento.", UpdatedAt: t0},
		{ID: "kb-tari", Kind: sportello.EntryAnswer, Title: "Scadenze TARI", Summary: "16 aprile.", UpdatedAt: t0},
	}
	db := openStoreWith(t, &d)
	srv := openServer(t, db, "127.0.0.1:0")
	op, sup := signIn(t, srv.URL(), "operatore"), signIn(t, srv.URL(), "supervisore")
	var _ sportello.KBUsefulnessService = sup
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if _, err := op.RecordWrapUp(ctx, sportello.WrapUp{CallID: "call-1", CitizenID: "c-rossi", Category: "Anagrafe",
		Outcome: sportello.OutcomeResolvedFirstContact, KBEntries: []string{"kb-cie"}}); err != nil {
		t.Fatal(err)
	}
	u, err := sup.KBUsefulness(ctx, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Used) != 1 || u.Used[0].ID != "kb-cie" || u.Used[0].Uses != 1 || u.Used[0].Resolved != 1 || u.Used[0].TrueResolved != 1 ||
		u.NeverUsedTotal != 1 || u.NeverUsed[0].Title != "Scadenze TARI" ||
		len(u.Services) != 1 || u.Services[0].Service != "Anagrafe" || u.Services[0].TrueRate() != 1 {
		t.Fatalf("usefulness %+v", u)
	}
	if _, err := op.KBUsefulness(ctx, time.Now().Add(-time.Hour)); sportello.ErrorCode(err) != sportello.EFORBIDDEN || !strings.Contains(err.Error(), "may not") {
		t.Fatalf("an operator read the usefulness: %v", err)
	}
}
