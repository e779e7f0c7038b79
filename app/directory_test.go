package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/softphone/phonetest"
)

// directory is a fake DirectoryService: entries whose name or keywords
// contain what was typed, folded.
type directory struct{ entries []sportello.DirectoryEntry }

func (d *directory) SearchDirectory(_ context.Context, typed string, limit int) ([]sportello.DirectoryEntry, error) {
	var out []sportello.DirectoryEntry
	for _, e := range d.entries {
		text := sportello.FoldText(e.Name + " " + strings.Join(e.Keywords, " ") + " " + e.Note)
		if strings.Contains(text, sportello.FoldText(strings.TrimSpace(typed))) {
			out = append(out, e)
		}
	}
	return out, nil
}

// transfers records the phone's Transfer calls and answers with next.
type transfers struct {
	mu   sync.Mutex
	got  []string // "callID>number"
	next error
}

func (x *transfers) transfer(id, number string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.got = append(x.got, id+">"+number)
	return x.next
}

func (x *transfers) calls() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]string(nil), x.got...)
}

// TestOperator_DirectoryTransfer searches the Rubrica tab as the operator
// types, shows each number's state now and note, refuses a transfer
// without a call, reports a failed transfer with the call still in hand,
// asks before transferring to a closed number (Cancel, then Transfer
// anyway), and after a transfer preselects "Transferred" with the
// destination in the note of the wrap-up.
func TestOperator_DirectoryTransfer(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	morning, _ := sportello.ParseHours("lun-ven 8:30-12:30")
	afternoon, _ := sportello.ParseHours("lun-ven 14:00-16:00")
	dir := &directory{entries: []sportello.DirectoryEntry{
		{ID: "d1", Name: "Ufficio Tributi", Number: "+390288452000", Group: "Comune", Hours: &morning, HoursText: "lun-ven 8:30-12:30",
			Note: "Rimborsi TARI già notificati.", Keywords: []string{"tari"}},
		{ID: "d2", Name: "Municipio 3 - Città Studi", Number: "+390288463000", Group: "Municipi", Hours: &afternoon, HoursText: "lun-ven 14:00-16:00",
			Note: "Servizi di zona."},
	}}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, rome) // Wednesday morning
	ph := phonetest.New()
	ph.HangupFn = func(string) error { return nil }
	ph.AnswerFn = func(string) error { return nil }
	xfer := &transfers{}
	ph.TransferFn = xfer.transfer
	cases := &cases{result: func(w sportello.WrapUp) *sportello.Case { return &sportello.Case{ID: "k"} }}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: ph, Citizens: &citizens{cards: map[string]*sportello.CallerCard{}}, Cases: cases, Directory: dir,
		User:     &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator},
		Location: rome, Now: func() time.Time { return now },
	})
	t.Cleanup(d.Close)
	w := d.Window
	w.Show()

	apptest.WaitText(t, w, wait, "Directory (Ctrl+T)")
	apptest.Press(w, app.ShortcutDirectory)
	apptest.TypeFocused(w, "città")
	apptest.WaitText(t, w, wait, "Municipio 3 - Città Studi", "closed · opens at 14:00", "When to send callers here: Servizi di zona.")
	apptest.Press(w, app.ShortcutTransferCall)
	apptest.WaitText(t, w, wait, "A transfer needs a call in conversation.")
	if got := xfer.calls(); len(got) != 0 {
		t.Fatalf("transferred without a call: %v", got)
	}

	ph.CallsCh <- call(sportello.CallRinging, "+390299999999")
	ph.CallsCh <- call(sportello.CallActive, "+390299999999")
	apptest.WaitText(t, w, wait, "In conversation")

	// A closed number: the operator is asked, and Cancel transfers nothing.
	apptest.Press(w, app.ShortcutDirectory)
	apptest.TypeFocused(w, "studi")
	apptest.WaitText(t, w, wait, "▶ Municipio 3 - Città Studi")
	apptest.Press(w, app.ShortcutTransferCall)
	apptest.WaitText(t, w, wait, "Municipio 3 - Città Studi is closed now", "Transfer the call anyway?")
	if !apptest.Tap(w, "Cancel") {
		t.Fatal("no Cancel button in the confirmation")
	}
	time.Sleep(100 * time.Millisecond)
	if got := xfer.calls(); len(got) != 0 {
		t.Fatalf("transferred after Cancel: %v", got)
	}

	// An open number whose target is busy: the call stays in hand.
	xfer.mu.Lock()
	xfer.next = fmt.Errorf("transfer call-1: %w: the target answered 486 Busy Here", sportello.ErrTransferFailed)
	xfer.mu.Unlock()
	apptest.Press(w, app.ShortcutDirectory)
	apptest.TypeFocused(w, "tari")
	apptest.WaitText(t, w, wait, "▶ Ufficio Tributi", "open now until 12:30")
	apptest.Press(w, app.ShortcutTransferCall)
	apptest.WaitText(t, w, wait, "Transfer failed, the call is still yours (Ufficio Tributi): the target answered 486 Busy Here", "In conversation")

	// Again, and the target answers: the phone ends the call "transferred".
	xfer.mu.Lock()
	xfer.next = nil
	xfer.mu.Unlock()
	apptest.Tap(w, "Transfer the call")
	apptest.WaitText(t, w, wait, "Call transferred to Ufficio Tributi")
	ended := call(sportello.CallEnded, "+390299999999")
	ended.EndReason = "transferred"
	ph.CallsCh <- ended
	apptest.WaitText(t, w, wait, "Call ended", "Transferred to Ufficio Tributi (")
	if got := xfer.calls(); len(got) != 2 || got[0] != "call-1>+390288452000" || got[1] != "call-1>+390288452000" {
		t.Fatalf("Transfer calls = %v, want two to the Tributi number", got)
	}
	apptest.Press(w, app.ShortcutSave)
	apptest.WaitText(t, w, wait, "Saved on case")
	cases.mu.Lock()
	defer cases.mu.Unlock()
	if len(cases.got) != 1 || cases.got[0].Outcome != sportello.OutcomeTransferred || !strings.Contains(cases.got[0].Note, "Transferred to Ufficio Tributi") {
		t.Fatalf("wrap-up = %+v, want outcome transferred and the destination in the note", cases.got)
	}
}

// TestOperator_DirectoryTransferClosedConfirmed transfers to a closed
// number once the operator confirms.
func TestOperator_DirectoryTransferClosedConfirmed(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	afternoon, _ := sportello.ParseHours("lun-ven 14:00-16:00")
	dir := &directory{entries: []sportello.DirectoryEntry{
		{ID: "d2", Name: "Municipio 3", Number: "+390288463000", Hours: &afternoon},
	}}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, rome)
	ph := phonetest.New()
	ph.HangupFn = func(string) error { return nil }
	xfer := &transfers{}
	ph.TransferFn = xfer.transfer
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: ph, Citizens: &citizens{cards: map[string]*sportello.CallerCard{}}, Cases: &cases{}, Directory: dir,
		User:     &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator},
		Location: rome, Now: func() time.Time { return now },
	})
	t.Cleanup(d.Close)
	w := d.Window
	w.Show()
	ph.CallsCh <- call(sportello.CallActive, "+390299999999")
	apptest.WaitText(t, w, wait, "In conversation")
	apptest.Press(w, app.ShortcutDirectory)
	apptest.TypeFocused(w, "municipio")
	apptest.WaitText(t, w, wait, "▶ Municipio 3")
	apptest.Press(w, app.ShortcutTransferCall)
	apptest.WaitText(t, w, wait, "Transfer the call anyway?")
	if !apptest.Tap(w, "Transfer anyway") {
		t.Fatal("no Transfer anyway button in the confirmation")
	}
	apptest.WaitText(t, w, wait, "Call transferred to Municipio 3")
	if got := xfer.calls(); len(got) != 1 || got[0] != "call-1>+390288463000" {
		t.Fatalf("Transfer calls = %v", got)
	}
}

// TestOperator_DirectoryConsultClosedConfirmed: an attended transfer to a
// number closed now asks first, like a blind one; Cancel places no
// consultation call, Transfer anyway does.
func TestOperator_DirectoryConsultClosedConfirmed(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	afternoon, _ := sportello.ParseHours("lun-ven 14:00-16:00")
	dir := &directory{entries: []sportello.DirectoryEntry{
		{ID: "d2", Name: "Municipio 3", Number: "+390288463000", Hours: &afternoon},
	}}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, rome)
	ph := phonetest.New()
	ph.HangupFn = func(string) error { return nil }
	var mu sync.Mutex
	var consulted []string
	ph.ConsultFn = func(callID, target string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		consulted = append(consulted, callID+">"+target)
		return "consult-1", nil
	}
	got := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), consulted...)
	}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: ph, Citizens: &citizens{cards: map[string]*sportello.CallerCard{}}, Cases: &cases{}, Directory: dir,
		User:     &sportello.User{Name: "Giulia Bianchi", Role: sportello.RoleOperator},
		Location: rome, Now: func() time.Time { return now },
	})
	t.Cleanup(d.Close)
	w := d.Window
	w.Show()
	ph.CallsCh <- call(sportello.CallActive, "+390299999999")
	apptest.WaitText(t, w, wait, "In conversation")
	apptest.Press(w, app.ShortcutDirectory)
	apptest.TypeFocused(w, "municipio")
	apptest.WaitText(t, w, wait, "▶ Municipio 3")

	apptest.Press(w, app.ShortcutConsult)
	apptest.WaitText(t, w, wait, "Transfer the call anyway?")
	if !apptest.Tap(w, "Cancel") {
		t.Fatal("no Cancel button in the confirmation")
	}
	time.Sleep(100 * time.Millisecond) // a consultation would start on another goroutine
	if c := got(); len(c) != 0 {
		t.Fatalf("Cancel placed a consultation call: %v", c)
	}

	apptest.Press(w, app.ShortcutConsult)
	apptest.WaitText(t, w, wait, "Transfer the call anyway?")
	if !apptest.Tap(w, "Transfer anyway") {
		t.Fatal("no Transfer anyway button in the confirmation")
	}
	deadline := time.Now().Add(wait)
	for len(got()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if c := got(); len(c) != 1 || c[0] != "call-1>+390288463000" {
		t.Fatalf("Consult calls = %v", c)
	}
}
