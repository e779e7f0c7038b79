package storetest

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// testReplyChannel: the preferred reply channel an escalating wrap-up
// carries is stored on its wrap-up event and read back by the case, the
// desk's queue and the change feed; a channel on another outcome or out
// of the list is refused.
func testReplyChannel(t *testing.T, e *env) {
	before := e.head(t)
	e.clock.Set(T0.Add(time.Minute))
	k := e.record(t, &Operator, sportello.WrapUp{CallID: "call-1", CitizenID: "c-panificio", Outcome: sportello.OutcomeEscalated,
		DeskID: "desk-tributi", Note: "Rimborso TARI", ReplyChannel: sportello.ContactEmail})
	if got := k.PreferredChannel(); got != sportello.ContactEmail {
		t.Fatalf("recorded case's preferred channel %q, want email", got)
	}
	read, err := e.Case(e.ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := read.PreferredChannel(); got != sportello.ContactEmail {
		t.Fatalf("case read back: preferred channel %q, want email (events %+v)", got, read.Events)
	}
	queue, err := e.Queue(e.ctx, Specialist.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, q := range queue {
		if q.ID == k.ID {
			found = true
			if got := q.PreferredChannel(); got != sportello.ContactEmail {
				t.Fatalf("queue: preferred channel %q, want email", got)
			}
		} else if got := q.PreferredChannel(); got != "" {
			t.Fatalf("queue: case %s escalated without a channel has %q", q.ID, got)
		}
	}
	if !found {
		t.Fatalf("the escalated case %s is not in the desk's queue %+v", k.ID, queue)
	}
	changes, err := e.ChangesSince(e.ctx, before, 50)
	if err != nil {
		t.Fatal(err)
	}
	var channels []sportello.ContactChannel
	for _, ch := range changes {
		if ch.Event != nil && ch.Event.Kind == sportello.EventWrapUp {
			channels = append(channels, ch.Event.Channel)
		}
	}
	if len(channels) != 1 || channels[0] != sportello.ContactEmail {
		t.Fatalf("change feed's wrap-up channels %q, want [email]", channels)
	}

	// Escalated again with fax: the latest escalation wins.
	e.clock.Set(T0.Add(2 * time.Minute))
	k2 := e.record(t, &Operator2, sportello.WrapUp{CallID: "call-2", CaseID: k.ID, Outcome: sportello.OutcomeEscalated,
		DeskID: "desk-anagrafe", ReplyChannel: sportello.ContactFax})
	if got := k2.PreferredChannel(); got != sportello.ContactFax {
		t.Fatalf("after a second escalation: %q, want fax", got)
	}

	_, err = e.RecordWrapUp(e.ctx, &Operator, sportello.WrapUp{CallID: "call-3", CitizenID: "c-rossi",
		Outcome: sportello.OutcomeResolvedFirstContact, ReplyChannel: sportello.ContactEmail})
	wantCode(t, err, sportello.EINVALID)
	_, err = e.RecordWrapUp(e.ctx, &Operator, sportello.WrapUp{CallID: "call-4", CitizenID: "c-rossi",
		Outcome: sportello.OutcomeEscalated, DeskID: "desk-tributi", ReplyChannel: "piccione"})
	wantCode(t, err, sportello.EINVALID)
}
