package wire

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// TestServerFrameType_Peek: the type peeked from a frame's start is the
// one a full scan finds, for every frame syncd writes; any other layout
// goes to the full scan, and a frame broken after its type is still
// refused when decoded.
func TestServerFrameType_Peek(t *testing.T) {
	at := time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)
	frames := []ServerFrame{
		Hello(7), Pong(0),
		ChangeFrame(sportello.Change{Seq: 3, At: at, CaseID: "k-1", Event: &sportello.CaseEvent{ID: "e-1", Kind: sportello.EventNote, Note: `"type":"board"`}}),
		ChangeFrameAfter(sportello.Change{Seq: 4, At: at, Kind: ChangeKindHidden}, 2),
		BoardFrame(&sportello.Board{At: at}),
		HandFrame(nil),
		CallbackDueFrame(&sportello.Callback{ID: "cb-1"}, 0),
	}
	for _, f := range frames {
		data, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ServerFrameType(data)
		want, werr := frameType(data)
		if err != nil || werr != nil || got != want || got != f.Type {
			t.Errorf("%s: peeked %q (%v), scanned %q (%v), want %q", data, got, err, want, werr, f.Type)
		}
	}
	for data, want := range map[string]FrameType{
		` {"type":"hello","cursor":1}`:              FrameHello,  // not at the start
		`{"cursor":1,"type":"pong"}`:                FramePong,   // not first
		`{"type":"\u0063hange","change":{"seq":1}}`: FrameChange, // escaped
		`{"type":"hello" ,"cursor":1}`:              FrameHello,  // spaced
	} {
		if got, err := ServerFrameType([]byte(data)); err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", data, got, err, want)
		}
	}
	for _, data := range []string{`{"type":"hello",`, `{"type":"change","change":{"seq":1}`, `{"type":"board","board":[}`, `{"type":"nuovo","x":1}`} {
		if _, err := DecodeServerFrame([]byte(data)); sportello.ErrorCode(err) != sportello.EINVALID {
			t.Errorf("%s: decoded with %v, want an invalid frame", data, err)
		}
	}
}
