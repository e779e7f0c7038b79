package storetest

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// testRecordAccess: a read written with its own time is in the citizen's
// access log at that time, once per id however often it is written; a
// read without an id is written every time, at the store's now; an
// unknown citizen is ENOTFOUND and writes nothing.
func testRecordAccess(t *testing.T, e *env) {
	at := T0.Add(-3*time.Hour + 123456*time.Microsecond)
	read := wire.AccessEntry{At: at, UserID: Operator.ID, CitizenID: "c-rossi", Number: "+390212345678", Reason: "offline: call-1"}
	for i, want := range []bool{true, false} {
		recorded, err := e.RecordAccess(e.ctx, &Operator, OpID, read)
		if err != nil || recorded != want {
			t.Fatalf("write %d: recorded %v, %v", i+1, recorded, err)
		}
	}
	for range 2 {
		if recorded, err := e.RecordAccess(e.ctx, &Operator2, "", wire.AccessEntry{CitizenID: "c-rossi", Reason: "appointments"}); err != nil || !recorded {
			t.Fatalf("read without id: recorded %v, %v", recorded, err)
		}
	}
	_, err := e.RecordAccess(e.ctx, &Operator, "01950000-0000-7000-8000-0000000000f9", wire.AccessEntry{CitizenID: "c-nessuno", Reason: "x"})
	wantCode(t, err, sportello.ENOTFOUND)

	log, err := e.AccessLog(e.ctx, "c-rossi")
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 3 {
		t.Fatalf("access log %+v, want 3 rows", log)
	}
	if got := log[0]; !got.At.Equal(at) || got.UserID != Operator.ID || got.Number != read.Number || got.Reason != read.Reason {
		t.Fatalf("offline read %+v, want %+v", got, read)
	}
	for _, got := range log[1:] {
		if !got.At.Equal(T0) || got.UserID != Operator2.ID || got.Reason != "appointments" {
			t.Fatalf("read without id %+v", got)
		}
	}
}
