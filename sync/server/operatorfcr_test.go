package server_test

import (
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/storetest"
)

// TestBoard_OperatorTrueFCR: first-contact resolution per operator, as
// recorded and true, and the alert on the true rate, on a scripted
// Tuesday with a 48-hour repeat-contact window, worked out by hand:
//
//	Mon 28 09:00 Giulia (u-a) Rossi Anagrafe resolved   repeated Tue 09:00: not truly resolved
//	Tue 29 09:00 Marco  (u-b) Rossi Anagrafe resolved   repeat of Mon 09:00 (24 h): not a first contact
//	Tue 29 09:30 Giulia       Verdi Tributi  resolved   first contact; repeated at 10:30: not true
//	Tue 29 10:30 Marco        Verdi Tributi  escalated  repeat of 09:30
//	Tue 29 11:00 Marco        Rossi Multe    resolved   first contact (another service), true
//
// At 09:45: Giulia 1 wrap-up, 1 resolved, 1 first contact, 1 true; Marco
// 1, 1, 0, 0. At 11:30: Giulia 1, 1, 1, 0 (0% true against 100%
// recorded); Marco 3, 2, 1, 1. The day: 4 wrap-ups, 3 resolved (75%,
// over the 70% recorded target: no alert), 2 first contacts, 1 true (50%,
// under the 80% true target, with 2 first contacts: the alert).
func TestBoard_OperatorTrueFCR(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(morning(8, 0))
	e := boardEnv(t, clk, nil, server.BoardConfig{Location: rome, RepeatContactWindow: 48 * time.Hour,
		FCRTarget: 0.7, TrueFCRTarget: 0.8, FCRMinWrapUps: 2})
	wrap := func(at time.Time, user string, w sportello.WrapUp) {
		t.Helper()
		clk.Set(at)
		w.CallID = "call-" + at.Format("0102-1504")
		e.wrapUp(t, e.login(t, user), w)
	}
	read := func(at time.Time) *sportello.Board {
		t.Helper()
		clk.Set(at)
		return e.board(t, e.login(t, "supervisore"))
	}
	agentFCR := func(b *sportello.Board, id string) sportello.FCRCounts {
		t.Helper()
		for _, a := range b.Agents {
			if a.ID == id {
				return a.FCR
			}
		}
		t.Fatalf("no agent %s on the board", id)
		return sportello.FCRCounts{}
	}
	hasAlert := func(b *sportello.Board, kind sportello.AlertKind) bool {
		for _, a := range b.Alerts {
			if a.Kind == kind {
				return true
			}
		}
		return false
	}
	resolved := sportello.OutcomeResolvedFirstContact
	wrap(morning(9, 0), "operatore", sportello.WrapUp{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: resolved})
	wrap(april(29, 9, 0), "operatore2", sportello.WrapUp{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: resolved})
	wrap(april(29, 9, 30), "operatore", sportello.WrapUp{CitizenID: "c-verdi", Category: "Tributi", Outcome: resolved})

	b := read(april(29, 9, 45))
	if got, want := agentFCR(b, "u-a"), (sportello.FCRCounts{WrapUps: 1, Resolved: 1, FirstContacts: 1, TrueResolved: 1}); got != want {
		t.Fatalf("09:45 Giulia %+v, want %+v", got, want)
	}
	if got, want := agentFCR(b, "u-b"), (sportello.FCRCounts{WrapUps: 1, Resolved: 1}); got != want {
		t.Fatalf("09:45 Marco %+v, want %+v", got, want)
	}
	if hasAlert(b, sportello.AlertTrueFCRBelowTarget) || hasAlert(b, sportello.AlertFCRBelowTarget) {
		t.Fatalf("09:45: one first contact is under the minimum, no alert: %+v", b.Alerts)
	}

	wrap(april(29, 10, 30), "operatore2", sportello.WrapUp{CitizenID: "c-verdi", Category: "Tributi", Outcome: sportello.OutcomeEscalated, DeskID: "desk-tributi"})
	wrap(april(29, 11, 0), "operatore2", sportello.WrapUp{CitizenID: "c-rossi", Category: "Multe", Outcome: resolved})
	b = read(april(29, 11, 30))
	giulia, marco := agentFCR(b, "u-a"), agentFCR(b, "u-b")
	if want := (sportello.FCRCounts{WrapUps: 1, Resolved: 1, FirstContacts: 1, TrueResolved: 0}); giulia != want {
		t.Fatalf("11:30 Giulia %+v, want %+v", giulia, want)
	}
	if want := (sportello.FCRCounts{WrapUps: 3, Resolved: 2, FirstContacts: 1, TrueResolved: 1}); marco != want {
		t.Fatalf("11:30 Marco %+v, want %+v", marco, want)
	}
	if giulia.Rate() != 1 || giulia.TrueRate() != 0 || marco.Rate() != 2.0/3 || marco.TrueRate() != 1 {
		t.Fatalf("rates: Giulia %v/%v, Marco %v/%v", giulia.Rate(), giulia.TrueRate(), marco.Rate(), marco.TrueRate())
	}
	if b.FCR.Rate() != 0.75 || b.FCR.TrueRate() != 0.5 {
		t.Fatalf("day: recorded %v true %v, want 0.75 and 0.5", b.FCR.Rate(), b.FCR.TrueRate())
	}
	if !hasAlert(b, sportello.AlertTrueFCRBelowTarget) || hasAlert(b, sportello.AlertFCRBelowTarget) {
		t.Fatalf("11:30: want the true-rate alert only: %+v", b.Alerts)
	}

	// The next day starts empty: no counts, no alert.
	b = read(april(30, 8, 30))
	for _, a := range b.Agents {
		if a.FCR != (sportello.FCRCounts{}) {
			t.Fatalf("next day: %s has %+v", a.Name, a.FCR)
		}
	}
	if hasAlert(b, sportello.AlertTrueFCRBelowTarget) {
		t.Fatalf("next day: alerts %+v", b.Alerts)
	}
}
