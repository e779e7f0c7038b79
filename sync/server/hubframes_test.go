package server

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// TestEncodeFrame: a frame encoded once for every WebSocket is byte for
// byte what Conn.WriteJSON (a json.Encoder) writes, HTML-like and
// non-ASCII text in a note included; a frame that cannot be encoded is
// nil.
func TestEncodeFrame(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 30, 0, 123456789, time.UTC)
	e := &sportello.CaseEvent{ID: "e-1", CaseID: "k-1", Kind: sportello.EventNote, At: at, AuthorID: "u-a", Author: "Giulia Bianchi",
		Note: `<b>TARI</b> & "rimborso" · città` + "\u2028" + `fine`}
	ch := sportello.Change{Seq: 42, At: at, Kind: sportello.ChangeKindCaseEvent, CitizenID: "c-1", CaseID: "k-1", Event: e}
	for _, f := range []wire.ServerFrame{wire.ChangeFrame(ch), wire.ChangeFrame(wire.Hidden(ch)), wire.Hello(7)} {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(f); err != nil {
			t.Fatal(err)
		}
		if got := encodeFrame(f); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("encoded\n%s\nwant\n%s", got, want.Bytes())
		}
	}
	if got := encodeFrame(wire.ServerFrame{Type: "no-such-frame"}); got != nil {
		t.Fatalf("an unknown frame encoded: %s", got)
	}
}
