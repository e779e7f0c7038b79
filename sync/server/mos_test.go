package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/sync/server"
	"github.com/sportello/sportello/sync/storetest"
)

// TestMOS_ScriptedMorning checks call quality on the board against
// numbers worked out by hand, on Monday 28 April 2025 in Rome:
//
//	Sunday 18:00 Giulia wraps up a call with MOS 1.5 (not today's)
//	08:00 Giulia on a call, no estimate yet   -> live MOS 0
//	08:01 her desktop reports MOS 4.06        -> live 4.1 (a tenth)
//	08:05 wrap-up saved with MOS 4.06, 08:06 available -> no live MOS
//	08:10 Giulia: MOS 3.2; Marco: no MOS; Marco: missed call
//	08:20 Marco: MOS 2.75
//
// Giulia's average today: (4.06 + 3.2) / 2 = 3.63 over 2 calls; Marco's
// 2.75 over 1. A live MOS out of range, or on a state without a call, is
// refused.
func TestMOS_ScriptedMorning(t *testing.T) {
	clk := &storetest.Clock{}
	clk.Set(april(27, 18, 0))
	e := boardEnv(t, clk, nil, server.BoardConfig{Location: rome})
	giulia, marco, sup := e.signIn(t, "operatore"), e.signIn(t, "operatore2"), e.signIn(t, "supervisore")
	at := func(hh, mm int) { clk.Set(morning(hh, mm)) }
	resolved := sportello.OutcomeResolvedFirstContact

	e.wrapUp(t, giulia, sportello.WrapUp{CallID: "call-0", CitizenID: "c-rossi", Outcome: resolved, MOS: 1.5})
	at(8, 0)
	e.presence(t, giulia, `{"state":"on_call","caller":"+390212345678"}`)
	e.presence(t, marco, `{"state":"available"}`)
	if g := agent(t, e.board(t, sup), "u-a"); g.MOS != 0 || g.MOSCalls != 0 || g.AvgMOS != 0 {
		t.Fatalf("08:00 Giulia %+v: no MOS yet, and Sunday's call is not today's", g)
	}
	at(8, 1)
	e.presence(t, giulia, `{"state":"on_call","caller":"+390212345678","mos":4.06}`)
	if g := agent(t, e.board(t, sup), "u-a"); g.MOS != 4.1 {
		t.Fatalf("08:01 Giulia's live MOS %v, want 4.1", g.MOS)
	}
	for _, body := range []string{
		`{"state":"on_call","caller":"+390212345678","mos":4.6}`,
		`{"state":"on_call","caller":"+390212345678","mos":0.5}`,
		`{"state":"available","mos":3}`,
	} {
		if status, resp := e.call(t, "POST", "/v1/presence", giulia, strings.NewReader(body)); status != http.StatusBadRequest {
			t.Fatalf("presence %s: %d %s, want 400", body, status, resp)
		}
	}
	at(8, 5)
	e.wrapUp(t, giulia, sportello.WrapUp{CallID: "call-1", CitizenID: "c-rossi", Outcome: resolved, MOS: 4.06})
	at(8, 6)
	e.presence(t, giulia, `{"state":"available"}`)
	at(8, 10)
	e.wrapUp(t, giulia, sportello.WrapUp{CallID: "call-2", CitizenID: "c-verdi", Outcome: resolved, MOS: 3.2})
	e.wrapUp(t, marco, sportello.WrapUp{CallID: "call-3", CitizenID: "c-verdi", Outcome: resolved})
	e.wrapUp(t, marco, sportello.WrapUp{CallID: "call-4", CitizenID: "c-verdi", Outcome: sportello.OutcomeMissed})
	at(8, 20)
	e.wrapUp(t, marco, sportello.WrapUp{CallID: "call-5", CitizenID: "c-rossi", Outcome: resolved, MOS: 2.75})

	b := e.board(t, sup)
	g, m := agent(t, b, "u-a"), agent(t, b, "u-b")
	if g.MOS != 0 || g.MOSCalls != 2 || g.AvgMOS != 3.63 {
		t.Fatalf("08:20 Giulia live %v, %d calls averaging %v; want 0, 2, 3.63", g.MOS, g.MOSCalls, g.AvgMOS)
	}
	if m.MOSCalls != 1 || m.AvgMOS != 2.75 {
		t.Fatalf("08:20 Marco %d calls averaging %v; want 1, 2.75", m.MOSCalls, m.AvgMOS)
	}
}
