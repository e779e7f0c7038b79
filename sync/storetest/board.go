package storetest

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/wire"
)

// testBoardReads: what the supervisor's board reads, the cases in desks'
// queues with when they got there, and wrap-ups counted by author and
// outcome from a moment on.
func testBoardReads(t *testing.T, e *env) {
	seeded := T0.Add(-48 * time.Hour).Add(time.Minute)
	e.clock.Set(T0.Add(-2 * time.Hour)) // before the count's start
	e.record(t, &Operator2, sportello.WrapUp{CallID: "call-0", CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact})
	e.clock.Set(T0)
	e.record(t, &Operator, sportello.WrapUp{CallID: "call-1", CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact})
	e.clock.Set(T0.Add(time.Minute))
	esc := e.record(t, &Operator, sportello.WrapUp{CallID: "call-2", CitizenID: "c-panificio", Outcome: sportello.OutcomeEscalated, DeskID: "desk-anagrafe", Note: "Cambio residenza"})
	e.clock.Set(T0.Add(2 * time.Minute))
	e.record(t, &Operator2, sportello.WrapUp{CallID: "call-3", CitizenID: "c-panificio", Outcome: sportello.OutcomeTransferred})
	e.record(t, &Operator, sportello.WrapUp{CallID: "call-4", CitizenID: "c-rossi", Outcome: sportello.OutcomeResolvedFirstContact})

	backlog, err := e.DeskBacklog(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []wire.DeskCase{
		{CaseID: esc.ID, DeskID: "desk-anagrafe", EscalatedAt: T0.Add(time.Minute)},
		{CaseID: EscalatedCase, DeskID: "desk-tributi", EscalatedAt: seeded},
	}
	if len(backlog) != len(want) {
		t.Fatalf("backlog %+v, want %+v", backlog, want)
	}
	for i := range want {
		if backlog[i].CaseID != want[i].CaseID || backlog[i].DeskID != want[i].DeskID || !backlog[i].EscalatedAt.Equal(want[i].EscalatedAt) {
			t.Fatalf("backlog[%d] = %+v, want %+v", i, backlog[i], want[i])
		}
	}

	counts, err := e.WrapUpCounts(e.ctx, T0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range counts {
		got[c.AuthorID+"/"+c.Author+"/"+string(c.Outcome)] += c.Count
	}
	wantCounts := map[string]int{
		Operator.ID + "/" + Operator.Name + "/resolved_first_contact": 2,
		Operator.ID + "/" + Operator.Name + "/escalated":              1,
		Operator2.ID + "/" + Operator2.Name + "/transferred":          1,
	}
	if len(got) != len(wantCounts) {
		t.Fatalf("counts %v, want %v", got, wantCounts)
	}
	for k, n := range wantCounts {
		if got[k] != n {
			t.Fatalf("counts %v, want %v", got, wantCounts)
		}
	}
	if counts, err := e.WrapUpCounts(e.ctx, T0.Add(time.Hour)); err != nil || len(counts) != 0 {
		t.Fatalf("counts after the last wrap-up: %+v, %v", counts, err)
	}
}
