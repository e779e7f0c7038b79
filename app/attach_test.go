package app_test

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// endCall rings, answers and ends Maria's call so that the wrap-up is open.
func endCall(t *testing.T, r *rig) {
	t.Helper()
	r.phone.CallsCh <- call(sportello.CallRinging, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Maria Rossi")
	r.phone.CallsCh <- call(sportello.CallActive, "+390212345678")
	r.phone.CallsCh <- call(sportello.CallEnded, "+390212345678")
	apptest.WaitText(t, r.w, wait, "Call ended")
}

func TestAttach_WrapUpOnOpenCaseByKeyboard(t *testing.T) {
	r := newRig(t)
	endCall(t, r)
	apptest.WaitText(t, r.w, wait, "Record on: a new case", "The caller has open cases: Alt+A")

	apptest.Press(r.w, app.ShortcutAttach)
	apptest.WaitText(t, r.w, wait, "Record on: attach to case case-1 · Carta d'identità elettronica")
	apptest.Press(r.w, app.ShortcutOutcome(1))
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on case")

	r.cases.mu.Lock()
	defer r.cases.mu.Unlock()
	if len(r.cases.got) != 1 {
		t.Fatalf("recorded %d wrap-ups, want 1", len(r.cases.got))
	}
	if w := r.cases.got[0]; w.CaseID != "case-1" || w.CitizenID != "cit-1" || w.NewCaseID != "" {
		t.Fatalf("wrap-up = %+v, want it on case-1", w)
	}
}

func TestAttach_CycleBackToNewCase(t *testing.T) {
	r := newRig(t)
	endCall(t, r)
	apptest.Press(r.w, app.ShortcutAttach)
	apptest.WaitText(t, r.w, wait, "Record on: attach to case case-1")
	apptest.Press(r.w, app.ShortcutAttach)
	apptest.WaitText(t, r.w, wait, "Record on: a new case")
	apptest.Press(r.w, app.ShortcutOutcome(0))
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on case")
	r.cases.mu.Lock()
	defer r.cases.mu.Unlock()
	if len(r.cases.got) != 1 || r.cases.got[0].CaseID != "" {
		t.Fatalf("wrap-ups = %+v, want one opening a new case", r.cases.got)
	}
}

func TestAttach_HiddenWithoutOpenCases(t *testing.T) {
	r := newRig(t)
	r.phone.CallsCh <- call(sportello.CallRinging, "+390299999999")
	apptest.WaitText(t, r.w, wait, "No open cases")
	r.phone.CallsCh <- call(sportello.CallEnded, "+390299999999")
	apptest.WaitText(t, r.w, wait, "Call ended")
	apptest.Press(r.w, app.ShortcutAttach)
	apptest.Press(r.w, app.ShortcutOutcome(0))
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on case")
	if got := apptest.Text(r.w); contains(got, "Record on") {
		t.Fatal("the attach choice shows for a caller with no open case")
	}
	r.cases.mu.Lock()
	defer r.cases.mu.Unlock()
	if len(r.cases.got) != 1 || r.cases.got[0].CaseID != "" {
		t.Fatalf("wrap-ups = %+v, want one opening a new case", r.cases.got)
	}
}

// TestAttach_SameServiceFirst: of two open cases, the one on the service
// whose answer the operator used comes first, though the other is newer.
func TestAttach_SameServiceFirst(t *testing.T) {
	card := maria()
	tari, err := sportello.Replay("case-3", "cit-1", []*sportello.CaseEvent{
		{ID: "t1", CaseID: "case-3", Kind: sportello.EventOpened, At: t0.Add(2 * time.Hour), Category: "TARI", Note: "Rimborso"},
	})
	if err != nil {
		t.Fatal(err)
	}
	card.Cases = append([]*sportello.Case{tari}, card.Cases...)
	fake := &kb{entries: []sportello.KBEntry{{ID: "s-cie", Kind: sportello.EntryService, Title: "Carta d'identità elettronica", Summary: "Si prenota online."}}}
	ph := phonetest.New()
	ph.HangupFn = func(string) error { return nil }
	ph.AnswerFn = func(string) error { return nil }
	cs := &cases{result: func(w sportello.WrapUp) *sportello.Case { return &sportello.Case{ID: w.CaseID} }}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: ph, Citizens: &citizens{cards: map[string]*sportello.CallerCard{"+390212345678": card}}, Cases: cs, KB: fake,
		User: &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator},
	})
	t.Cleanup(d.Close)
	w := d.Window
	w.Show()

	ph.CallsCh <- call(sportello.CallRinging, "+390212345678")
	ph.CallsCh <- call(sportello.CallActive, "+390212345678")
	apptest.WaitText(t, w, wait, "In conversation")
	apptest.Press(w, app.ShortcutKB)
	apptest.TypeFocused(w, "carta")
	apptest.WaitText(t, w, wait, "Carta d'identità elettronica")
	apptest.Press(w, app.ShortcutInsertKB)
	ph.CallsCh <- call(sportello.CallEnded, "+390212345678")
	apptest.WaitText(t, w, wait, "Call ended",
		"Open case on the same service: attach to case case-1 · Carta d'identità elettronica")
	apptest.Press(w, app.ShortcutAttach)
	apptest.WaitText(t, w, wait, "Record on: attach to case case-1")
	apptest.Press(w, app.ShortcutOutcome(0))
	apptest.Press(w, app.ShortcutSave)
	apptest.WaitText(t, w, wait, "Saved on case")
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if len(cs.got) != 1 || cs.got[0].CaseID != "case-1" || cs.got[0].KBEntries[0] != "s-cie" {
		t.Fatalf("wrap-ups %+v, want one on case-1", cs.got)
	}
}
