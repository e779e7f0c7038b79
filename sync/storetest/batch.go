package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/sportello/sportello"
)

// batchCase is the id the first wrap-up of testRecordWrapUps opens its
// case with, as a desktop offline does.
const batchCase = "01950000-0000-7000-8000-0000000b0001"

// testRecordWrapUps: a batch is recorded in order, each op with its own
// result; a refused op refuses no other; an op id twice in a batch, or in
// a later batch, is stored once.
func testRecordWrapUps(t *testing.T, e *env) {
	opened := sportello.WrapUp{ID: OpID, CallID: "call-1", CallerNumber: "+390212345678", NewCaseID: batchCase, Outcome: sportello.OutcomeTransferred, Note: "Aperta offline"}
	appended := sportello.WrapUp{ID: "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a23", CallID: "call-2", CaseID: batchCase, Outcome: sportello.OutcomeResolvedFirstContact, Note: "Richiamato"}
	batch := []sportello.WrapUpOp{
		{Actor: &Operator, WrapUp: opened},
		{Actor: &Operator, WrapUp: sportello.WrapUp{ID: "01932c07-a6b4-7c3e-9f2a-5b1d0e4c7a24", CallID: "call-x", CaseID: "nope", Outcome: sportello.OutcomeTransferred}},
		{Actor: &Operator, WrapUp: opened}, // the same op again in the batch
		{Actor: &Operator, WrapUp: sportello.WrapUp{ID: "not-a-uuid", CallID: "call-y", Outcome: sportello.OutcomeTransferred}},
		{Actor: &Operator, WrapUp: appended}, // on the case the first op opened
	}
	res := e.RecordWrapUps(e.ctx, batch)
	if len(res) != len(batch) {
		t.Fatalf("%d results for %d ops", len(res), len(batch))
	}
	if res[0].Err != nil || res[0].Replayed || res[0].Case.ID != batchCase || len(res[0].Case.Events) != 3 {
		t.Fatalf("op 0: %+v", res[0])
	}
	wantCode(t, res[1].Err, sportello.ENOTFOUND)
	if res[2].Err != nil || !res[2].Replayed || res[2].Case.ID != batchCase || len(res[2].Case.Events) != 3 {
		t.Fatalf("op 2, a repeat of op 0: %+v", res[2])
	}
	wantCode(t, res[3].Err, sportello.EINVALID)
	if res[4].Err != nil || res[4].Replayed || res[4].Case.ID != batchCase || len(res[4].Case.Events) != 5 || res[4].Case.Status != sportello.StatusResolved {
		t.Fatalf("op 4: %+v", res[4])
	}
	if h := e.head(t); h != 5 {
		t.Fatalf("head %d, want 5", h)
	}

	t.Run("ResentBatch", func(t *testing.T) {
		again := e.RecordWrapUps(e.ctx, batch)
		for _, i := range []int{0, 2, 4} {
			if again[i].Err != nil || !again[i].Replayed {
				t.Fatalf("op %d resent: %+v", i, again[i])
			}
		}
		if n := len(again[0].Case.Events); n != 3 {
			t.Fatalf("op 0 resent: %d events, want the case as it left it (3)", n)
		}
		wantCode(t, again[1].Err, sportello.ENOTFOUND)
		wantCode(t, again[3].Err, sportello.EINVALID)
		k, err := e.Case(e.ctx, batchCase)
		if err != nil || len(k.Events) != 5 {
			t.Fatalf("case after the resend: %+v, %v", k, err)
		}
		if h := e.head(t); h != 5 {
			t.Fatalf("head %d, want 5: the resend wrote changes", h)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		// Batches from many writers at once, each with a refused op in
		// the middle: the store groups them into shared transactions,
		// and nothing of a refusal leaks into the others.
		const writers, each = 24, 4
		start := e.head(t)
		var wg sync.WaitGroup
		results := make([][]sportello.WrapUpResult, writers)
		for w := range writers {
			wg.Go(func() {
				var ops []sportello.WrapUpOp
				for i := range each {
					id := fmt.Sprintf("01950000-0000-7000-8000-%012x", 0xc00000+w*each+i)
					ops = append(ops, sportello.WrapUpOp{Actor: &Operator2, WrapUp: sportello.WrapUp{ID: id, CallID: "c", CitizenID: "c-panificio", Outcome: sportello.OutcomeTransferred}})
					if i == 1 {
						ops = append(ops, sportello.WrapUpOp{Actor: &Operator2, WrapUp: sportello.WrapUp{CallID: "c", CaseID: batchCase, Outcome: sportello.OutcomeTransferred}})
					}
				}
				results[w] = e.RecordWrapUps(e.ctx, ops)
			})
		}
		wg.Wait()
		for w, res := range results {
			for i, r := range res {
				if i == 2 {
					wantCode(t, r.Err, sportello.ECONFLICT) // a wrap-up on a resolved case
					continue
				}
				if r.Err != nil || r.Replayed || len(r.Case.Events) != 3 {
					t.Fatalf("writer %d op %d: %+v", w, i, r)
				}
			}
		}
		want := start + writers*each*3
		if h := e.head(t); h != want {
			t.Fatalf("head %d, want %d", h, want)
		}
		changes, err := e.ChangesSince(e.ctx, start, writers*each*3+10)
		if err != nil {
			t.Fatal(err)
		}
		for i, ch := range changes {
			if ch.Seq != start+int64(i)+1 {
				t.Fatalf("change %d has seq %d: the log has a gap", i, ch.Seq)
			}
		}
		if len(changes) != writers*each*3 {
			t.Fatalf("%d changes, want %d", len(changes), writers*each*3)
		}
	})
}
