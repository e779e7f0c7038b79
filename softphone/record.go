package softphone

import (
	"fmt"

	"path/filepath"
	"strings"
	"sync"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone/audio"
)

// WithRecordDir sets the directory Record writes call recordings into
// (none: Record fails).
func WithRecordDir(dir string) Option { return func(p *Phone) { p.recordDir = dir } }

// recorder writes a call into a stereo WAV file while the operator has
// recording on: the operator's frames (as sent) left, the citizen's (as
// played) right. The two sides come from different goroutines at 20 ms
// each; they are paired frame by frame, and a side that stops (hold, no
// audio yet) is filled with silence once the other is a few frames ahead.
type recorder struct {
	mu       sync.Mutex
	wav      *audio.StereoWAV
	path     string
	operator []int16
	citizen  []int16
}

// recordSlack is how far one side may run ahead before the other is taken
// as silent.
const recordSlack = 10 * audio.FrameSamples

// add queues one frame of a side and writes what pairs up.
func (r *recorder) add(citizen bool, frame []int16) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.wav == nil {
		return
	}
	if citizen {
		r.citizen = append(r.citizen, frame...)
	} else {
		r.operator = append(r.operator, frame...)
	}
	n := min(len(r.operator), len(r.citizen))
	if n == 0 && max(len(r.operator), len(r.citizen)) > recordSlack {
		n = max(len(r.operator), len(r.citizen)) - recordSlack/2
	}
	if n == 0 {
		return
	}
	left, right := r.operator[:min(n, len(r.operator))], r.citizen[:min(n, len(r.citizen))]
	if err := r.wav.Write(left, right); err != nil {
		r.wav.Close()
		r.wav = nil
		return
	}
	r.operator = append(r.operator[:0], r.operator[len(left):]...)
	r.citizen = append(r.citizen[:0], r.citizen[len(right):]...)
}

// start opens the file at path; recording already on keeps its file.
func (r *recorder) start(path string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.wav != nil {
		return nil
	}
	w, err := audio.CreateStereoWAV(path)
	if err != nil {
		return err
	}
	r.wav, r.path, r.operator, r.citizen = w, path, r.operator[:0], r.citizen[:0]
	return nil
}

// stop writes what is queued and closes the file.
func (r *recorder) stop() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.wav == nil {
		return nil
	}
	err := r.wav.Write(r.operator, r.citizen)
	if cerr := r.wav.Close(); err == nil {
		err = cerr
	}
	r.wav = nil
	return err
}

// recorded returns the tap for one side of c's audio.
func (c *call) recorded(citizen bool) func([]int16) {
	return func(frame []int16) { c.rec.add(citizen, frame) }
}

// Record switches recording of the answered call callID on or off. On,
// it writes a stereo WAV file (operator left, citizen right, 8 kHz 16-bit)
// named after the time and the call into the directory of WithRecordDir;
// the file is complete when recording goes off or the call ends. The call's
// snapshots carry Recording while it lasts.
func (p *Phone) Record(callID string, on bool) error {
	p.mu.Lock()
	c, ok := p.active[callID]
	p.mu.Unlock()
	if !ok {
		return sportello.ErrNoSuchCall
	}
	if on {
		if c.state() != sportello.CallActive {
			return sportello.ErrCallNotReady
		}
		if p.recordDir == "" {
			return sportello.Errorf(sportello.EINVALID, "no directory for call recordings is configured")
		}
		name := p.now().UTC().Format("20060102-150405") + "-" + safeFileName(callID) + ".wav"
		if err := c.rec.start(filepath.Join(p.recordDir, name)); err != nil {
			return fmt.Errorf("start recording: %w", err)
		}
	} else if err := c.rec.stop(); err != nil {
		return fmt.Errorf("stop recording: %w", err)
	}
	if c.snapshot().Recording != on {
		p.setState(c, func(s *sportello.Call) { s.Recording = on })
	}
	return nil
}

// RecordingPath returns the file the call callID is being recorded into,
// "" when it is not.
func (p *Phone) RecordingPath(callID string) string {
	p.mu.Lock()
	c, ok := p.active[callID]
	p.mu.Unlock()
	if !ok {
		return ""
	}
	c.rec.mu.Lock()
	defer c.rec.mu.Unlock()
	if c.rec.wav == nil {
		return ""
	}
	return c.rec.path
}

// safeFileName keeps letters, digits, '-' and '.' of s for a file name.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return '_'
	}, s)
}

// finishRecording closes c's recording when the call ends; the ended
// snapshot then says it is off.
func (c *call) finishRecording() error {
	err := c.rec.stop()
	c.mu.Lock()
	c.snap.Recording = false
	c.mu.Unlock()
	return err
}
