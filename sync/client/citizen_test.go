package client_test

import (
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/client"
)

// TestClient_Citizens registers and edits a citizen through a real syncd:
// the client makes the id, a resend is harmless, syncd's refusal comes
// back with its words, and an unreachable syncd says registering needs it.
func TestClient_Citizens(t *testing.T) {
	db := openStore(t)
	srv := openServer(t, db, "127.0.0.1:0")
	c := signIn(t, srv.URL(), "operatore")
	c.Replica = openReplica(t, filepath.Join(t.TempDir(), "replica.db"))
	in := sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Giulia Bianchi", TaxCode: "BNCGLI90E55F205D", Phones: []string{"333 765 4321"}}
	got, err := c.CreateCitizen(ctx(t), in, "call-1")
	if err != nil || got.ID == "" || got.Phones[0] != "+393337654321" {
		t.Fatalf("create: %+v, %v", got, err)
	}
	in.ID = got.ID
	if again, err := c.CreateCitizen(ctx(t), in, "call-1"); err != nil || again.ID != got.ID {
		t.Fatalf("resend: %+v, %v", again, err)
	}
	_, err = c.CreateCitizen(ctx(t), sportello.Citizen{Kind: sportello.CitizenPerson, Name: "Altra", TaxCode: "BNCGLI90E55F205D"}, "")
	if sportello.ErrorCode(err) != sportello.ECONFLICT || !strings.Contains(sportello.ErrorMessage(err), "Giulia Bianchi") {
		t.Fatalf("duplicate: %v", err)
	}
	got.Phones = append(got.Phones, "02 8845 0000")
	edited, err := c.UpdateCitizen(ctx(t), *got, "call-2")
	if err != nil || len(edited.Phones) != 2 {
		t.Fatalf("edit: %+v, %v", edited, err)
	}
	card, err := c.LookupCaller(ctx(t), "02 8845 0000", "call-3")
	if err != nil || card.Citizen == nil || card.Citizen.ID != got.ID {
		t.Fatalf("lookup: %+v, %v", card, err)
	}
	// The desktop's copy has the citizen on the new number's card.
	if kept, err := c.Replica.Card(ctx(t), "+390288450000"); err != nil || kept.Citizen == nil || kept.Citizen.ID != got.ID {
		t.Fatalf("kept card %+v, %v", kept, err)
	}
	found, err := c.SearchCitizens(ctx(t), "bianchi", "call-3")
	if err != nil || len(found) != 1 {
		t.Fatalf("search: %+v, %v", found, err)
	}
	_, err = c.MergeCitizens(ctx(t), got.ID, "c-rossi", "")
	if sportello.ErrorCode(err) != sportello.EFORBIDDEN {
		t.Fatalf("an operator merges: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	off := client.New(url, nil)
	off.SetToken("some-token")
	_, err = off.CreateCitizen(ctx(t), in, "call-4")
	if sportello.ErrorCode(err) != sportello.EUNAVAILABLE || !strings.Contains(sportello.ErrorMessage(err), "registering a citizen needs syncd") {
		t.Fatalf("offline: %v", err)
	}
}
