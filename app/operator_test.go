package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

const wait = 5 * time.Second

// citizens is a fake CitizenService.
type citizens struct {
	mu      sync.Mutex
	cards   map[string]*sportello.CallerCard
	reasons []string
}

func (c *citizens) LookupCaller(_ context.Context, number, reason string) (*sportello.CallerCard, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reasons = append(c.reasons, reason)
	if card, ok := c.cards[number]; ok {
		return card, nil
	}
	return &sportello.CallerCard{Number: number}, nil
}

// cases is a fake CaseService.
type cases struct {
	mu     sync.Mutex
	err    error
	got    []sportello.WrapUp
	result func(w sportello.WrapUp) *sportello.Case
}

func (c *cases) RecordWrapUp(_ context.Context, w sportello.WrapUp) (*sportello.Case, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return nil, c.err
	}
	c.got = append(c.got, w)
	return c.result(w), nil
}

// syncFeed is a fake SyncService.
type syncFeed struct {
	onState  func(sportello.SyncState)
	onChange func(sportello.Change)
}

func (f *syncFeed) State() sportello.SyncState { return sportello.SyncState{Online: true, Cursor: 7} }
func (f *syncFeed) Subscribe(s func(sportello.SyncState), c func(sportello.Change)) func() {
	f.onState, f.onChange = s, c
	return func() {}
}

var t0 = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

func maria() *sportello.CallerCard {
	ev := func(kind sportello.EventKind, at time.Time, note string) *sportello.CaseEvent {
		return &sportello.CaseEvent{ID: "ev-" + note, CaseID: "case-1", Kind: kind, At: at, Note: note, Author: "Giulia Bianchi"}
	}
	k, err := sportello.Replay("case-1", "cit-1", []*sportello.CaseEvent{
		ev(sportello.EventOpened, t0, "Rinnovo carta d'identità"),
		ev(sportello.EventNote, t0.Add(time.Minute), "Manca la foto"),
	})
	if err != nil {
		panic(err)
	}
	k.Category = "Carta d'identità elettronica"
	return &sportello.CallerCard{
		Number:  "+390212345678",
		Citizen: &sportello.Citizen{ID: "cit-1", Name: "Maria Rossi", TaxCode: "RSSMRA80A41F205X", Phones: []string{"+390212345678"}},
		Cases:   []*sportello.Case{k},
	}
}

type rig struct {
	d      *app.Desktop
	w      fyne.Window
	phone  *phonetest.Phone
	cits   *citizens
	cases  *cases
	feed   *syncFeed
	mu     sync.Mutex
	answer []string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	test.NewTempApp(t)
	r := &rig{phone: phonetest.New(), cits: &citizens{cards: map[string]*sportello.CallerCard{"+390212345678": maria()}}, feed: &syncFeed{}}
	r.cases = &cases{result: func(w sportello.WrapUp) *sportello.Case {
		k, _ := sportello.Replay("case-2", w.CitizenID, []*sportello.CaseEvent{
			{ID: "n1", CaseID: "case-2", Kind: sportello.EventOpened, At: t0, Category: "Informazioni"},
			{ID: "n2", CaseID: "case-2", Kind: sportello.EventWrapUp, At: t0, Outcome: w.Outcome, Note: w.Note},
		})
		return k
	}}
	r.phone.AnswerFn = func(id string) error { r.mu.Lock(); r.answer = append(r.answer, id); r.mu.Unlock(); return nil }
	r.phone.HangupFn = func(id string) error { return nil }
	r.d = app.Create(test.NewTempApp(t), app.Config{
		Phone: r.phone, Citizens: r.cits, Cases: r.cases, Sync: r.feed,
		User: &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator},
	})
	r.w = r.d.Window
	r.w.Show()
	t.Cleanup(r.d.Close)
	return r
}

func call(state sportello.CallState, number string) sportello.Call {
	c := sportello.Call{ID: "call-1", Number: number, State: state, StartedAt: t0, Codec: "PCMU"}
	if state != sportello.CallRinging {
		c.AnsweredAt = t0.Add(2 * time.Second)
	}
	if state == sportello.CallEnded {
		c.EndedAt = t0.Add(65 * time.Second)
	}
	return c
}

func TestOperator_RingingPopsCallerCard(t *testing.T) {
	r := newRig(t)
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Ringing", "+39 02 1234 5678", "Maria Rossi", "RSSMRA80A41F205X", "Rinnovo carta d'identità", "Manca la foto")
	if got := r.cits.reasons; len(got) != 1 || got[0] != "call call-1" {
		t.Fatalf("lookup reasons = %q, want the call id", got)
	}
	if !strings.Contains(r.w.Title(), "+39 02 1234 5678") {
		t.Fatalf("title %q does not announce the call", r.w.Title())
	}
}

func TestOperator_UnknownCaller(t *testing.T) {
	r := newRig(t)
	r.phone.CallsCh <- call(sportello.CallRinging, "+390299999999")
	apptest.WaitText(t, r.w, wait, "Unknown caller +39 02 9999 9999", "No open cases")
}

func TestOperator_AnswerHangupWrapUpByKeyboard(t *testing.T) {
	r := newRig(t)
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Maria Rossi")

	apptest.Press(r.w, app.ShortcutAnswer)
	r.mu.Lock()
	if len(r.answer) != 1 || r.answer[0] != "call-1" {
		t.Fatalf("answered %q, want call-1", r.answer)
	}
	r.mu.Unlock()
	r.phone.CallsCh <- call(sportello.CallActive, "+390212345678")
	apptest.WaitText(t, r.w, wait, "In conversation · PCMU")
	r.phone.CallsCh <- call(sportello.CallEnded, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Call ended: record the wrap-up · 1:03")

	apptest.Press(r.w, app.ShortcutOutcome(0))
	apptest.Press(r.w, app.ShortcutNote)
	apptest.TypeFocused(r.w, "Orari anagrafe comunicati")
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on case", "Wrap-up: Resolved at first contact", "Orari anagrafe comunicati")

	r.cases.mu.Lock()
	defer r.cases.mu.Unlock()
	if len(r.cases.got) != 1 {
		t.Fatalf("recorded %d wrap-ups, want 1", len(r.cases.got))
	}
	w := r.cases.got[0]
	if w.Outcome != sportello.OutcomeResolvedFirstContact || w.Note != "Orari anagrafe comunicati" || w.CitizenID != "cit-1" || w.CallID != "call-1" {
		t.Fatalf("wrap-up = %+v", w)
	}
}

func TestOperator_SaveFailureKeepsTheNote(t *testing.T) {
	r := newRig(t)
	r.cases.err = sportello.Errorf(sportello.EUNAVAILABLE, "syncd unreachable at http://127.0.0.1:1")
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallActive, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallEnded, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Call ended")
	apptest.Press(r.w, app.ShortcutNote)
	apptest.TypeFocused(r.w, "Da richiamare")
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "syncd is unreachable", "Da richiamare")
}

func TestOperator_PushedChangeShowsAtOnce(t *testing.T) {
	r := newRig(t)
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Maria Rossi")
	r.feed.onChange(sportello.Change{Seq: 8, Kind: sportello.ChangeKindCaseEvent, CitizenID: "cit-1", CaseID: "case-1",
		Event: &sportello.CaseEvent{ID: "pushed", CaseID: "case-1", Kind: sportello.EventNote, At: t0.Add(time.Hour), Note: "Nota da un collega", Author: "Marco Ferri"}})
	apptest.WaitText(t, r.w, wait, "Nota da un collega", "in sync through 8")
}

func TestOperator_StatusBar(t *testing.T) {
	r := newRig(t)
	apptest.WaitText(t, r.w, wait, "SIP: listening on udp 127.0.0.1:5060", "syncd: online · in sync through 7", "Giulia Bianchi (operator)")
	r.feed.onState(sportello.SyncState{Online: false, Pending: 2, Err: "connection refused"})
	apptest.WaitText(t, r.w, wait, "syncd: offline · 2 changes waiting · connection refused")
}

func TestOperator_OfflineSaveAndCopy(t *testing.T) {
	r := newRig(t)
	offline := maria()
	offline.Offline = true
	r.cits.cards["+390212345678"] = offline
	r.cases.result = func(w sportello.WrapUp) *sportello.Case {
		k, _ := sportello.Replay("case-9", w.CitizenID, []*sportello.CaseEvent{
			{ID: "p1", CaseID: "case-9", Kind: sportello.EventOpened, At: t0, Category: "Informazioni"},
			{ID: "p2", CaseID: "case-9", Kind: sportello.EventWrapUp, At: t0, Outcome: w.Outcome, Note: w.Note},
		})
		k.Pending = true
		return k
	}
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Maria Rossi", "Copy kept on this desktop")
	r.phone.CallsCh <- call(sportello.CallActive, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallEnded, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Call ended")
	apptest.Press(r.w, app.ShortcutNote)
	apptest.TypeFocused(r.w, "Scritta offline")
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on this desktop", "Scritta offline", "waiting to be sent")
	r.feed.onState(sportello.SyncState{Online: false, Pending: 1})
	apptest.WaitText(t, r.w, wait, "syncd: offline · 1 changes waiting")

	// syncd accepts it: its events replace the provisional ones.
	r.feed.onChange(sportello.Change{Seq: 9, CitizenID: "cit-1", CaseID: "case-9",
		Event: &sportello.CaseEvent{ID: "s1", CaseID: "case-9", Kind: sportello.EventOpened, At: t0, Category: "Informazioni", Note: "Scritta offline"}})
	r.feed.onChange(sportello.Change{Seq: 10, CitizenID: "cit-1", CaseID: "case-9",
		Event: &sportello.CaseEvent{ID: "s2", CaseID: "case-9", Kind: sportello.EventWrapUp, At: t0, Outcome: sportello.OutcomeResolvedFirstContact, Note: "Scritta offline"}})
	apptest.WaitText(t, r.w, wait, "Scritta offline")
	if strings.Contains(apptest.Text(r.w), "waiting to be sent") {
		t.Fatal("the case is still shown as waiting after syncd accepted it")
	}
}
