package app_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
)

// ringer is a fake app.Ringer that records what it was told.
type ringer struct {
	mu  sync.Mutex
	got []string
}

func (r *ringer) Ring() { r.mu.Lock(); r.got = append(r.got, "ring"); r.mu.Unlock() }
func (r *ringer) Stop() { r.mu.Lock(); r.got = append(r.got, "stop"); r.mu.Unlock() }

func (r *ringer) calls() []string { r.mu.Lock(); defer r.mu.Unlock(); return slices.Clone(r.got) }

// TestRinger_RingsWhileInboundRings: the ring device rings while an
// inbound call rings and stops when it is answered; a call the caller
// gives up on stops it too; an outbound call never rings it. The status
// bar warns of the sound devices that did not open.
func TestRinger_RingsWhileInboundRings(t *testing.T) {
	r := newRig(t)
	rg := &ringer{}
	r.d.Close()
	r.d = app.Create(test.NewTempApp(t), app.Config{
		Phone: r.phone, Citizens: r.cits, Cases: r.cases, Sync: r.feed, Ringer: rg,
		NoSound: []string{"microphone", "ring device"},
		User:    &sportello.User{ID: "u-a", Name: "Giulia Bianchi", Role: sportello.RoleOperator},
	})
	r.w = r.d.Window
	app.WithUI(r.w.Show)
	t.Cleanup(r.d.Close)
	apptest.WaitText(t, r.w, wait, "⚠ No sound device, silent: microphone, ring device")
	want := func(what string, calls ...string) {
		t.Helper()
		waitFor(t, what+": "+strings.Join(calls, ", "), func() bool { return slices.Equal(rg.calls(), calls) })
	}
	inbound := func(state sportello.CallState, id string) sportello.Call {
		c := call(state, "+390212345678")
		c.ID, c.Direction = id, sportello.CallInbound
		return c
	}

	r.phone.CallsCh <- inbound(sportello.CallRinging, "call-1")
	want("ringing", "ring")
	r.phone.CallsCh <- inbound(sportello.CallRinging, "call-1") // the same call again
	r.phone.CallsCh <- inbound(sportello.CallActive, "call-1")
	apptest.WaitText(t, r.w, wait, "In conversation")
	want("answered", "ring", "stop")
	r.phone.CallsCh <- inbound(sportello.CallEnded, "call-1")
	apptest.WaitText(t, r.w, wait, "Call ended")
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on case")

	r.phone.CallsCh <- inbound(sportello.CallRinging, "call-2")
	want("second call ringing", "ring", "stop", "ring")
	missed := inbound(sportello.CallEnded, "call-2")
	missed.AnsweredAt = time.Time{} // never answered
	r.phone.CallsCh <- missed
	want("caller gave up", "ring", "stop", "ring", "stop")

	out := call(sportello.CallDialing, "+390212345678")
	out.ID, out.Direction = "call-3", sportello.CallOutbound
	r.phone.CallsCh <- out
	out.State = sportello.CallActive
	r.phone.CallsCh <- out
	apptest.WaitText(t, r.w, wait, "In conversation")
	if got := rg.calls(); len(got) != 4 {
		t.Fatalf("an outbound call rang the ring device: %v", got)
	}
}
