package desktop

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/app/apptest"
	"github.com/sportello/sportello/assets"
	"github.com/sportello/sportello/softphone/audio"
	"github.com/sportello/sportello/softphone/phonetest"
)

// pushedBoards is a BoardService whose boards the test pushes, as syncd's
// WebSocket does.
type pushedBoards struct {
	mu   sync.Mutex
	subs []func(*sportello.Board)
}

func (b *pushedBoards) Board(context.Context) (*sportello.Board, error) {
	return &sportello.Board{At: time.Now()}, nil
}

func (b *pushedBoards) SubscribeBoard(f func(*sportello.Board)) func() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs = append(b.subs, f)
	return func() {}
}

func (b *pushedBoards) push(nb *sportello.Board) {
	b.mu.Lock()
	subs := slices.Clone(b.subs)
	b.mu.Unlock()
	for _, f := range subs {
		f(nb)
	}
}

type noPresence struct{}

func (noPresence) SetPresence(context.Context, sportello.Presence) error { return nil }

// TestAlert_ThresholdAlertOnSpeaker: a supervisor's board gets a
// threshold alert (first-contact resolution under its target): the
// desktop's sound hands assets.AlertSound to the speaker, here a file
// device, whose WAV holds the alert's samples, played in real time. A
// speaker chosen as null, or one that does not open, stays silent.
func TestAlert_ThresholdAlertOnSpeaker(t *testing.T) {
	dir := t.TempDir()
	spk := filepath.Join(dir, "speaker.wav")
	s := openSound(Sound{Microphone: "null", Speaker: "file:" + spk, RingDevice: "null"}, slog.New(slog.DiscardHandler))
	boards := &pushedBoards{}
	d := app.Create(test.NewTempApp(t), app.Config{
		Phone: phonetest.New(), Board: boards, Presence: noPresence{}, AlertSound: s.alert,
		User: &sportello.User{ID: "u-fra", Name: "Francesca Romano", Role: sportello.RoleSupervisor},
	})
	w := d.Window
	app.WithUI(w.Show)
	t.Cleanup(d.Close)
	apptest.WaitText(t, w, 5*time.Second, "Calls in progress: 0")
	if _, err := os.Stat(filepath.Join(dir, "speaker-alert.wav")); err == nil {
		t.Fatal("a board without alerts sounded")
	}

	start := time.Now()
	boards.push(&sportello.Board{At: time.Now(), FCR: sportello.BoardFCR{Resolved: 1, WrapUps: 4, Target: 0.8},
		Alerts: []sportello.BoardAlert{{Kind: sportello.AlertFCRBelowTarget}}})
	apptest.WaitText(t, w, 5*time.Second, "ALERT: First-contact resolution today is 25%")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "speaker-alert.wav")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the alert did not reach the speaker")
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.alert.mu.Lock()
	playing := s.alert.playing
	s.alert.mu.Unlock()
	if err := s.close(); err != nil { // waits for the alert to end
		t.Fatal(err)
	}
	took := time.Since(start)

	want, err := audio.DecodeWAV(assets.AlertSound)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := audio.OpenWAV(filepath.Join(dir, "speaker-alert.wav"))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	var got []int16
	frame := make([]int16, audio.FrameSamples)
	for rec.ReadPCM(frame) == nil {
		got = append(got, frame...)
	}
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Fatalf("the speaker recorded %d samples, want the alert's %d first", len(got), len(want))
	}
	for _, v := range got[len(want):] {
		if v != 0 {
			t.Fatal("the speaker recorded more than the alert")
		}
	}
	// 4800 samples are 600 ms: written at the speaker's pace, not at once.
	if !playing || took < 500*time.Millisecond {
		t.Fatalf("the alert took %s to play (playing when the file appeared: %v)", took, playing)
	}
	t.Logf("alert: %d samples on the speaker in %s", len(want), took.Round(time.Millisecond))

	// Null and a speaker that does not open: silent, nothing fails.
	for _, spec := range []string{"null", "no such card"} {
		q := openSound(Sound{Microphone: "null", Speaker: spec, RingDevice: "null"}, slog.New(slog.DiscardHandler))
		q.alert.Play()
		if err := q.close(); err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
	}
}
