package wire_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// TestCallbackDueFrame: a callback just due goes through a callback_due
// frame both ways, its next attempt and the count of others due included;
// one without a callback, or with fewer than no others, is refused both
// ways.
func TestCallbackDueFrame(t *testing.T) {
	from := time.Date(2026, 4, 27, 7, 10, 0, 0, time.UTC)
	cb := &sportello.Callback{ID: "cb-1", CaseID: "k-1", Number: "+393351112233", From: from, To: from.Add(time.Hour), Owner: "u-a",
		State: sportello.CallbackScheduled, CreatedAt: from, UpdatedAt: from, NextAt: from.Add(17 * time.Minute), CitizenName: "Luca Verdi"}
	const want = `{"type":"callback_due","callback":{"id":"cb-1","case_id":"k-1","number":"+393351112233","from":"2026-04-27T07:10:00Z","to":"2026-04-27T08:10:00Z","owner":"u-a","state":"scheduled","created_at":"2026-04-27T07:10:00Z","updated_at":"2026-04-27T07:10:00Z","citizen_name":"Luca Verdi","next_attempt":"2026-04-27T07:27:00Z"}}`
	data, err := json.Marshal(wire.CallbackDueFrame(cb, 0))
	if err != nil || string(data) != want {
		t.Fatalf("encoded %s, %v;\nwant %s", data, err, want)
	}
	f, err := wire.DecodeServerFrame(data)
	if err != nil || f.Type != wire.FrameCallbackDue || f.Due == nil || f.Due.ID != "cb-1" || !f.Due.NextAt.Equal(cb.NextAt) || f.DueMore != 0 {
		t.Fatalf("decoded %+v, %v", f, err)
	}
	data, err = json.Marshal(wire.CallbackDueFrame(cb, 340))
	if err != nil || !strings.HasSuffix(string(data), `"next_attempt":"2026-04-27T07:27:00Z"},"more":340}`) {
		t.Fatalf("encoded with 340 more: %s, %v", data, err)
	}
	if f, err := wire.DecodeServerFrame(data); err != nil || f.Due == nil || f.Due.ID != "cb-1" || f.DueMore != 340 {
		t.Fatalf("decoded with 340 more: %+v, %v", f, err)
	}
	if _, err := json.Marshal(wire.CallbackDueFrame(nil, 0)); err == nil {
		t.Fatal("a frame without a callback encoded")
	}
	if _, err := json.Marshal(wire.CallbackDueFrame(cb, -1)); err == nil {
		t.Fatal("a frame with -1 more encoded")
	}
	for _, bad := range []string{`{"type":"callback_due"}`, `{"type":"callback_due","callback":{"id":"cb-1"},"more":-2}`} {
		if _, err := wire.DecodeServerFrame([]byte(bad)); sportello.ErrorCode(err) != sportello.EINVALID {
			t.Fatalf("%s decoded: %v", bad, err)
		}
	}
}
