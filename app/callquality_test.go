package app_test

import (
	"strings"
	"testing"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
)

// TestCallQuality_RecordShowsRECAndQuality: on an answered call
// Ctrl+Alt+R asks the phone to record; the snapshot that says so shows the
// REC mark and the button to stop, and the call's quality line; the same
// key stops it. The wrap-up then carries the call's MOS to syncd.
func TestCallQuality_RecordShowsRECAndQuality(t *testing.T) {
	r, l := controlRig(t)
	r.phone.RecordFn = func(id string, on bool) error { l.add("record %s %v", id, on); return nil }
	apptest.Press(r.w, app.ShortcutRecord) // no call: nothing
	r.phone.CallsCh <- call(sportello.CallActive, "+390212345678")
	apptest.WaitText(t, r.w, wait, "In conversation · PCMU", "Record  [Ctrl+Alt+R]")
	if strings.Contains(apptest.Text(r.w), "REC") {
		t.Fatal("REC shown before recording")
	}
	apptest.Press(r.w, app.ShortcutRecord)
	l.wait(t, "record call-1 true")

	c := call(sportello.CallActive, "+390212345678")
	c.Recording = true
	c.Quality = &sportello.CallQuality{MOS: 4.37, JitterMS: 1.5, RTTMS: 2, DelayMS: 40}
	r.phone.CallsCh <- c
	apptest.WaitText(t, r.w, wait, "● REC", "Stop recording  [Ctrl+Alt+R]", "Audio quality 4.4 (good)")
	apptest.Press(r.w, app.ShortcutRecord)
	l.wait(t, "record call-1 true", "record call-1 false")

	c.Recording = false
	c.Quality = &sportello.CallQuality{MOS: 3.2, LossPct: 12}
	r.phone.CallsCh <- c
	apptest.WaitText(t, r.w, wait, "Record  [Ctrl+Alt+R]", "Audio quality 3.2 (poor)")
	if strings.Contains(apptest.Text(r.w), "● REC") {
		t.Fatal("REC still shown after recording stopped")
	}

	ended := call(sportello.CallEnded, "+390212345678")
	ended.Quality = c.Quality
	r.phone.CallsCh <- ended
	apptest.WaitText(t, r.w, wait, "Call ended: record the wrap-up")
	apptest.Press(r.w, app.ShortcutOutcome(0))
	apptest.Press(r.w, app.ShortcutSave)
	apptest.WaitText(t, r.w, wait, "Saved on case")
	r.cases.mu.Lock()
	defer r.cases.mu.Unlock()
	if len(r.cases.got) != 1 || r.cases.got[0].MOS != 3.2 {
		t.Fatalf("wrap-ups %+v, want one with MOS 3.2", r.cases.got)
	}
}
