package desktop

import (
	"sync"

	"github.com/sportello/sportello/app"
	"github.com/sportello/sportello/assets"
	"github.com/sportello/sportello/softphone/audio"
)

// alertPlayer plays the supervisor's board's alert (assets.AlertSound)
// once on the speaker each time the board raises a new alert: the
// system's speaker through miniaudio when built with cgo, or the file a
// "file:PATH" speaker names (PATH with "alert" before .wav). A speaker
// that does not open leaves the alert silent, with a logged warning.
type alertPlayer struct {
	s    *sound
	tone []int16

	mu      sync.Mutex
	playing bool
	closed  bool
	wg      sync.WaitGroup
}

var _ app.AlertSound = (*alertPlayer)(nil)

func newAlertPlayer(s *sound) *alertPlayer {
	tone, err := audio.DecodeWAV(assets.AlertSound)
	if err != nil {
		s.logger.Error("alert sound", "error", err) // the embedded asset: a build error, played as silence
	}
	return &alertPlayer{s: s, tone: tone}
}

// Play starts the alert and returns at once (the board calls it on Fyne's
// goroutine); an alert already playing is not started again.
func (a *alertPlayer) Play() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.playing || a.closed || len(a.tone) == 0 {
		return
	}
	spec := a.s.speaker()
	if spec == "null" {
		return
	}
	a.playing = true
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer func() { a.mu.Lock(); a.playing = false; a.mu.Unlock() }()
		a.play(spec)
	}()
}

// play plays the alert once on the speaker (audio.PlayOnce).
func (a *alertPlayer) play(spec string) {
	snk, err := a.s.sink(spec, "alert")
	if err != nil {
		a.s.logger.Warn("speaker did not open: the board's alert is silent", "choice", spec, "error", err)
		return
	}
	defer func() {
		if err := closeDevice(snk); err != nil {
			a.s.logger.Warn("close the alert's speaker", "error", err)
		}
	}()
	if err := audio.PlayOnce(snk, a.tone); err != nil {
		a.s.logger.Warn("the board's alert stopped", "error", err)
	}
}

// close waits for an alert playing to end; later alerts stay silent.
func (a *alertPlayer) close() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.wg.Wait()
}
