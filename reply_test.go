package sportello_test

import (
	"testing"

	"github.com/sportello/sportello"
)

func channel(ch sportello.ReplyChannel, text string) func(*sportello.CaseEvent) {
	return func(e *sportello.CaseEvent) { e.Outcome, e.Note = sportello.Outcome(ch), text }
}

// TestCase_Replied is every transition of a reply to the citizen, legal
// and illegal: only the holder replies, on a claimed or answered case,
// by a known channel, with a text; the state stays, and the case can then
// be resolved.
func TestCase_Replied(t *testing.T) {
	opened := ev(sportello.EventOpened, giulia)
	escalated := ev(sportello.EventEscalated, desk("tributi"), giulia)
	claimed := ev(sportello.EventClaimed, luca)
	email := func(author func(*sportello.CaseEvent)) *sportello.CaseEvent {
		return ev(sportello.EventReplied, channel(sportello.ReplyEmail, "La TARI è dovuta."), author)
	}
	type E = []*sportello.CaseEvent
	for _, tc := range []struct {
		name   string
		events E
		status sportello.CaseStatus
		holder string
		code   string // of the last event's error
	}{
		{"EmailByHolder", E{opened, escalated, claimed, email(luca)}, sportello.StatusClaimed, "Luca Esposito", ""},
		{"LetterByHolder", E{opened, escalated, claimed, ev(sportello.EventReplied, channel(sportello.ReplyLetter, "Gentile..."), luca)}, sportello.StatusClaimed, "Luca Esposito", ""},
		{"PhoneAfterAnswerReady", E{opened, escalated, claimed, ev(sportello.EventAnswerReady, luca), ev(sportello.EventReplied, channel(sportello.ReplyPhone, "detto a voce"), luca)}, sportello.StatusAnswerReady, "Luca Esposito", ""},
		{"ResolveAfterReply", E{opened, escalated, claimed, email(luca), ev(sportello.EventResolved, luca)}, sportello.StatusResolved, "", ""},
		{"TwoReplies", E{opened, escalated, claimed, email(luca), email(luca)}, sportello.StatusClaimed, "Luca Esposito", ""},
		{"ByColleague", E{opened, escalated, claimed, email(marco)}, sportello.StatusClaimed, "Luca Esposito", sportello.ECONFLICT},
		{"BySupervisor", E{opened, escalated, claimed, email(francesca)}, sportello.StatusClaimed, "Luca Esposito", sportello.ECONFLICT},
		{"Unclaimed", E{opened, escalated, email(luca)}, sportello.StatusEscalated, "", sportello.ECONFLICT},
		{"OnOpenCase", E{opened, email(giulia)}, sportello.StatusOpen, "", sportello.ECONFLICT},
		{"OnResolved", E{opened, escalated, claimed, ev(sportello.EventResolved, luca), email(luca)}, sportello.StatusResolved, "", sportello.ECONFLICT},
		{"AfterRelease", E{opened, escalated, claimed, ev(sportello.EventReleased, luca), email(luca)}, sportello.StatusEscalated, "", sportello.ECONFLICT},
		{"UnknownChannel", E{opened, escalated, claimed, ev(sportello.EventReplied, channel("fax", "x"), luca)}, sportello.StatusClaimed, "Luca Esposito", sportello.EINVALID},
		{"NoChannel", E{opened, escalated, claimed, ev(sportello.EventReplied, channel("", "x"), luca)}, sportello.StatusClaimed, "Luca Esposito", sportello.EINVALID},
		{"NoText", E{opened, escalated, claimed, ev(sportello.EventReplied, channel(sportello.ReplyEmail, ""), luca)}, sportello.StatusClaimed, "Luca Esposito", sportello.EINVALID},
		{"FirstEvent", E{email(luca)}, "", "", sportello.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &sportello.Case{ID: "c1"}
			var err error
			for i, e := range tc.events {
				err = c.Apply(e)
				if err != nil && i != len(tc.events)-1 {
					t.Fatalf("event %d (%s): %v", i, e.Kind, err)
				}
			}
			if got := sportello.ErrorCode(err); got != tc.code {
				t.Fatalf("error code = %q (%v), want %q", got, err, tc.code)
			}
			if c.Status != tc.status || c.ClaimedBy != tc.holder {
				t.Fatalf("status, holder = %q, %q; want %q, %q", c.Status, c.ClaimedBy, tc.status, tc.holder)
			}
			want := len(tc.events)
			if tc.code != "" {
				want--
			}
			if len(c.Events) != want {
				t.Fatalf("history has %d events, want %d: a rejected reply must leave the case as it was", len(c.Events), want)
			}
		})
	}
}

func TestCaseReference(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "PR-2E3F4A5B"},
		{"abc", "PR-ABC"},
	} {
		if got := sportello.CaseReference(tc.id); got != tc.want {
			t.Errorf("CaseReference(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}
