package server_test

import (
	"slices"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/storetest"
)

// TestBoard_ServiceFCR: first-contact resolution per service on the
// board, as recorded and true, on a scripted Tuesday with a 48-hour
// repeat-contact window, worked out by hand:
//
//	Mon 28 09:00 Rossi Anagrafe resolved   yesterday: not counted today, but repeated Tue 09:00
//	Tue 29 09:00 Rossi Anagrafe resolved   repeat of Mon 09:00: not a first contact
//	Tue 29 09:30 Verdi Tributi  resolved   first contact; repeated at 10:30: not true
//	Tue 29 10:30 Verdi Tributi  escalated  repeat of 09:30
//	Tue 29 11:00 Rossi Multe    resolved   first contact, true
//	Tue 29 11:10 Verdi Multe    resolved   first contact, true
//
// At 09:45: Anagrafe 1 wrap-up, 1 resolved, 0 first contacts, 0 true;
// Tributi 1, 1, 1, 1. At 11:30: Anagrafe 1, 1, 0, 0; Multe 2, 2, 2, 2;
// Tributi 2, 1, 1, 0 (50% recorded, 0% true). The next day: none.
func TestBoard_ServiceFCR(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(morning(8, 0))
	e := boardEnv(t, clk, nil, server.BoardConfig{Location: rome, RepeatContactWindow: 48 * time.Hour,
		FCRTarget: 0.8, FCRMinWrapUps: 2})
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
	svc := func(name string, wrapUps, resolved, first, trueResolved int) sportello.ServiceFCR {
		return sportello.ServiceFCR{Service: name, FCRCounts: sportello.FCRCounts{WrapUps: wrapUps, Resolved: resolved, FirstContacts: first, TrueResolved: trueResolved}}
	}
	resolved := sportello.OutcomeResolvedFirstContact
	wrap(morning(9, 0), "operatore", sportello.WrapUp{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: resolved})
	wrap(april(29, 9, 0), "operatore2", sportello.WrapUp{CitizenID: "c-rossi", Category: "Anagrafe", Outcome: resolved})
	wrap(april(29, 9, 30), "operatore", sportello.WrapUp{CitizenID: "c-verdi", Category: "Tributi", Outcome: resolved})

	b := read(april(29, 9, 45))
	if want := []sportello.ServiceFCR{svc("Anagrafe", 1, 1, 0, 0), svc("Tributi", 1, 1, 1, 1)}; !slices.Equal(b.FCR.Services, want) {
		t.Fatalf("09:45 services %+v, want %+v", b.FCR.Services, want)
	}

	wrap(april(29, 10, 30), "operatore2", sportello.WrapUp{CitizenID: "c-verdi", Category: "Tributi", Outcome: sportello.OutcomeEscalated, DeskID: "desk-tributi"})
	wrap(april(29, 11, 0), "operatore2", sportello.WrapUp{CitizenID: "c-rossi", Category: "Multe", Outcome: resolved})
	wrap(april(29, 11, 10), "operatore", sportello.WrapUp{CitizenID: "c-verdi", Category: "Multe", Outcome: resolved})
	b = read(april(29, 11, 30))
	want := []sportello.ServiceFCR{svc("Anagrafe", 1, 1, 0, 0), svc("Multe", 2, 2, 2, 2), svc("Tributi", 2, 1, 1, 0)}
	if !slices.Equal(b.FCR.Services, want) {
		t.Fatalf("11:30 services %+v, want %+v", b.FCR.Services, want)
	}
	if tr := b.FCR.Services[2]; tr.Rate() != 0.5 || tr.TrueRate() != 0 {
		t.Fatalf("Tributi: recorded %v true %v, want 0.5 and 0", tr.Rate(), tr.TrueRate())
	}
	// The services add up to the day's counts.
	var sum sportello.FCRCounts
	for _, s := range b.FCR.Services {
		sum.WrapUps, sum.Resolved = sum.WrapUps+s.WrapUps, sum.Resolved+s.Resolved
		sum.FirstContacts, sum.TrueResolved = sum.FirstContacts+s.FirstContacts, sum.TrueResolved+s.TrueResolved
	}
	if sum.WrapUps != b.FCR.WrapUps || sum.Resolved != b.FCR.Resolved || sum.FirstContacts != b.FCR.FirstContacts || sum.TrueResolved != b.FCR.TrueResolved {
		t.Fatalf("services add up to %+v; the day is %+v", sum, b.FCR)
	}

	// The next day starts empty.
	if b = read(april(30, 8, 30)); len(b.FCR.Services) != 0 {
		t.Fatalf("next day: services %+v", b.FCR.Services)
	}
}
