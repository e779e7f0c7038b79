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

// TestBoard_DeskBacklogReadsQueue: a supervisor's desktop is not pushed
// every desk's changes, so a board whose desks' backlog changed makes its
// every-desk queue read itself again; a board with the same backlog does not.
func TestBoard_DeskBacklogReadsQueue(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	b := &boards{first: morningBoard()}
	dk := &desks{}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Citizens: &citizens{}, Cases: &cases{}, Sync: &syncFeed{},
		Board: b, Presence: &presences{}, Desks: dk, User: supervisor, Location: rome,
	})
	w := d.Window
	app.WithUI(w.Show)
	t.Cleanup(d.Close)
	apptest.WaitText(t, w, wait, "Multe · open cases: 3")
	reads := func() int {
		dk.mu.Lock()
		defer dk.mu.Unlock()
		return dk.reads
	}
	waitReads := func(want int) {
		t.Helper()
		deadline := time.Now().Add(wait)
		for reads() < want && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := reads(); got < want {
			t.Fatalf("queue read %d times, want %d", got, want)
		}
	}
	waitReads(1) // at sign-in
	start := reads()

	// Same backlog, another agent's state: no read.
	same := morningBoard()
	same.At = t0.Add(time.Minute)
	same.Agents[1].State = sportello.AgentAvailable
	b.push(same)
	apptest.WaitText(t, w, wait, "Marco Ferri · available")
	time.Sleep(100 * time.Millisecond)
	if got := reads(); got != start {
		t.Fatalf("queue read %d times after a board with the same backlog, want %d", got, start)
	}

	// A case arrives at Multe: the queue reads itself again.
	moved := morningBoard()
	moved.At = t0.Add(2 * time.Minute)
	moved.Desks[0].Open++
	b.push(moved)
	waitReads(start + 1)
}
