package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/demo"
)

// TestClient_AssignCase: a supervisor's desktop gives the case waiting at
// Tributi to Luca through the real syncd; Luca's desktop has the assigned
// event pushed over its WebSocket, and his queue shows the case as his;
// an operator may not assign.
func TestClient_AssignCase(t *testing.T) {
	d := deskCity()
	d.Users = append(d.Users, demo.User{User: sportello.User{ID: "u-sup", Username: "supervisore", Name: "Francesca Romano", Role: sportello.RoleSupervisor}, Password: "demo"})
	db := openStoreWith(t, d)
	srv := openServer(t, db, "127.0.0.1:0")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	sup, luca, op := signIn(t, srv.URL(), "supervisore"), signIn(t, srv.URL(), "specialista"), signIn(t, srv.URL(), "operatore")
	states, changes := watch(t, luca)
	if err := luca.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitState(t, states, "online", func(s sportello.SyncState) bool { return s.Online })

	k, err := sup.AssignCase(ctx, "k-tari", "u-luca")
	if err != nil || k.Status != sportello.StatusClaimed || k.ClaimedByID != "u-luca" || k.ClaimedBy != "Luca Esposito" {
		t.Fatalf("assign: %+v, %v", k, err)
	}
	deadline := time.After(timeout)
	for pushed := false; !pushed; {
		select {
		case ch := <-changes:
			pushed = ch.CaseID == "k-tari" && ch.Event != nil && ch.Event.Kind == sportello.EventAssigned && ch.Event.AssigneeID == "u-luca"
		case <-deadline:
			t.Fatal("the assignment was not pushed to Luca's desktop")
		}
	}
	q, err := luca.Queue(ctx)
	if err != nil || len(q) != 1 || q[0].ClaimedByID != "u-luca" || q[0].Status != sportello.StatusClaimed {
		t.Fatalf("Luca's queue %+v, %v", q, err)
	}
	if _, err := luca.CaseAction(ctx, "k-tari", sportello.CaseEvent{Kind: sportello.EventAnswerReady, Note: "Rimborso disposto"}); err != nil {
		t.Fatalf("the assignee marks the answer ready: %v", err)
	}
	if _, err := op.AssignCase(ctx, "k-tari", "u-luca"); sportello.ErrorCode(err) != sportello.EFORBIDDEN {
		t.Fatalf("an operator assigned: %v", err)
	}
}
