package wire_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// TestHandFrame: a raised hand and a lowered one (null) go through a
// hand frame both ways.
func TestHandFrame(t *testing.T) {
	at := time.Date(2025, 4, 28, 7, 6, 0, 0, time.UTC)
	h := &sportello.RaisedHand{AgentID: "u-a", AgentName: "Giulia Bianchi", At: at, AnsweredByID: "u-sup", AnsweredBy: "Francesca Romano", AnsweredAt: at.Add(time.Minute)}
	for _, c := range []struct {
		hand *sportello.RaisedHand
		json string
	}{
		{h, `{"type":"hand","hand":{"agent_id":"u-a","agent_name":"Giulia Bianchi","at":"2025-04-28T07:06:00Z","answered_by_id":"u-sup","answered_by":"Francesca Romano","answered_at":"2025-04-28T07:07:00Z"}}`},
		{nil, `{"type":"hand","hand":null}`},
	} {
		data, err := json.Marshal(wire.HandFrame(c.hand))
		if err != nil || string(data) != c.json {
			t.Fatalf("encoded %s, %v; want %s", data, err, c.json)
		}
		f, err := wire.DecodeServerFrame(data)
		if err != nil || f.Type != wire.FrameHand || (f.Hand == nil) != (c.hand == nil) || (f.Hand != nil && *f.Hand != *c.hand) {
			t.Fatalf("decoded %+v, %v", f, err)
		}
	}
}
