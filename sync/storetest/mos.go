package storetest

import (
	"math"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// testMOS: the MOS a wrap-up carries is kept with it and summed by
// author from a moment on; wrap-ups without one, missed calls, a replay
// of the same wrap-up and a MOS out of range add nothing.
func testMOS(t *testing.T, e *env) {
	resolved := sportello.OutcomeResolvedFirstContact
	e.clock.Set(T0.Add(-2 * time.Hour)) // before the sum's start
	e.record(t, &Operator, sportello.WrapUp{CallID: "call-old", CitizenID: "c-rossi", Outcome: resolved, MOS: 1.2})
	e.clock.Set(T0)
	first := sportello.WrapUp{ID: OpID, CallID: "call-1", CitizenID: "c-rossi", Outcome: resolved, MOS: 4.3}
	e.record(t, &Operator, first)
	if _, replayed, err := e.RecordWrapUpOnce(e.ctx, &Operator, first); err != nil || !replayed {
		t.Fatalf("replay: replayed %v, %v", replayed, err)
	}
	e.clock.Set(T0.Add(time.Minute))
	e.record(t, &Operator, sportello.WrapUp{CallID: "call-2", CitizenID: "c-panificio", Outcome: sportello.OutcomeTransferred, MOS: 3.6})
	e.record(t, &Operator, sportello.WrapUp{CallID: "call-3", CitizenID: "c-panificio", Outcome: resolved}) // no MOS measured
	e.record(t, &Operator2, sportello.WrapUp{CallID: "call-4", CitizenID: "c-rossi", Outcome: resolved, MOS: 2.5})
	e.record(t, &Operator2, sportello.WrapUp{CallID: "call-5", CallerNumber: "+390299999999", Outcome: sportello.OutcomeMissed})
	_, err := e.RecordWrapUp(e.ctx, &Operator2, sportello.WrapUp{CallID: "call-6", CitizenID: "c-rossi", Outcome: resolved, MOS: 4.6})
	wantCode(t, err, sportello.EINVALID)

	got, err := e.WrapUpMOS(e.ctx, T0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]wire.WrapUpMOS{
		Operator.ID:  {AuthorID: Operator.ID, Calls: 2, Sum: 4.3 + 3.6},
		Operator2.ID: {AuthorID: Operator2.ID, Calls: 1, Sum: 2.5},
	}
	if len(got) != len(want) {
		t.Fatalf("WrapUpMOS = %+v, want %+v", got, want)
	}
	for _, m := range got {
		w, ok := want[m.AuthorID]
		if !ok || m.Calls != w.Calls || math.Abs(m.Sum-w.Sum) > 1e-9 {
			t.Fatalf("WrapUpMOS = %+v, want %+v", got, want)
		}
	}
	all, err := e.WrapUpMOS(e.ctx, T0.Add(-3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.AuthorID == Operator.ID && (m.Calls != 3 || math.Abs(m.Sum-(1.2+4.3+3.6)) > 1e-9) {
			t.Fatalf("since 3 h before: %+v, want 3 calls summing 9.1", m)
		}
	}
	none, err := e.WrapUpMOS(e.ctx, T0.Add(time.Hour))
	if err != nil || len(none) != 0 {
		t.Fatalf("after the last wrap-up: %+v, %v", none, err)
	}
}
