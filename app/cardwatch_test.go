package app_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
)

// TestWatchCard: the watcher sees the ringing call's card once the
// caller's record is on it, and nothing once it stops watching.
func TestWatchCard(t *testing.T) {
	r := newRig(t)
	type seen struct {
		callID, state, number, name string
		cases                       int
	}
	got := make(chan seen, 16)
	r.d.WatchCard(func(c *sportello.Call, card *sportello.CallerCard) {
		s := seen{number: card.Number, cases: len(card.Cases)}
		if c != nil {
			s.callID, s.state = c.ID, string(c.State)
		}
		if card.Citizen != nil {
			s.name = card.Citizen.Name
		}
		got <- s
	})
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	deadline := time.After(wait)
	for {
		select {
		case s := <-got:
			if s.name == "" {
				continue // a render before the lookup answered
			}
			if s != (seen{callID: "call-1", state: string(sportello.CallRinging), number: "+390212345678", name: "Maria Rossi", cases: 1}) {
				t.Fatalf("watched %+v", s)
			}
		case <-deadline:
			t.Fatal("the watcher never saw Maria Rossi's card")
		}
		break
	}

	r.d.WatchCard(nil)
	for len(got) > 0 {
		<-got // renders before it stopped
	}
	r.phone.CallsCh <- call(sportello.CallEnded, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	time.Sleep(200 * time.Millisecond)
	select {
	case s := <-got:
		t.Fatalf("watched %+v after WatchCard(nil)", s)
	default:
	}
}
