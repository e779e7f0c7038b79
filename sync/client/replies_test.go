package client_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/sportello/sportello"
)

// TestClient_Replies: a letter reply through the client, recorded once
// however often it is sent, and its PDF fetched; a letter to a citizen
// without an address is refused.
func TestClient_Replies(t *testing.T) {
	d := deskCity()
	d.Citizens = slices.Clone(d.Citizens)
	for i := range d.Citizens {
		if d.Citizens[i].ID == "c-rossi" {
			d.Citizens[i].Address = "Via Larga 12, 20122 Milano"
		}
	}
	db := openStoreWith(t, d)
	srv := openServer(t, db, "127.0.0.1:0")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	luca := signIn(t, srv.URL(), "specialista")
	var _ sportello.ReplyService = luca
	if _, err := luca.CaseAction(ctx, "k-tari", sportello.CaseEvent{Kind: sportello.EventClaimed}); err != nil {
		t.Fatal(err)
	}
	req := sportello.ReplyRequest{ID: "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7abc", Channel: sportello.ReplyLetter, Text: "Il rimborso è disposto."}
	res, err := luca.Reply(ctx, "k-tari", req)
	if err != nil || res.Event.Kind != sportello.EventReplied || res.Event.Number != "Via Larga 12, 20122 Milano" {
		t.Fatalf("reply: %+v, %v", res, err)
	}
	again, err := luca.Reply(ctx, "k-tari", req)
	if err != nil || again.Event.ID != res.Event.ID || len(again.Case.Events) != len(res.Case.Events) {
		t.Fatalf("resend: %+v, %v", again, err)
	}
	pdf, err := luca.LetterPDF(ctx, "k-tari", res.Event.ID)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("letter: %d bytes, %v", len(pdf), err)
	}
	newest, err := luca.LetterPDF(ctx, "k-tari", "")
	if err != nil || len(newest) == 0 {
		t.Fatalf("newest letter: %v", err)
	}
	if _, err := luca.LetterPDF(ctx, "k-tari", "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7000"); sportello.ErrorCode(err) != sportello.ENOTFOUND {
		t.Fatalf("unknown letter: %v, want ENOTFOUND", err)
	}
	if _, err := luca.Reply(ctx, "k-tari", sportello.ReplyRequest{Channel: "fax", Text: "x"}); sportello.ErrorCode(err) != sportello.EINVALID {
		t.Fatalf("fax: %v, want EINVALID", err)
	}
}
