package audio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// DecodeWAV returns the samples of a WAV file held in memory (8 kHz,
// mono, 16-bit PCM), such as the ring tone the assets embed; it returns
// an error wrapping ErrWAVFormat for any other format.
func DecodeWAV(b []byte) ([]int16, error) {
	r := bytes.NewReader(b)
	n, err := parseWAVHeader(r)
	if err != nil {
		return nil, fmt.Errorf("decode wav: %w", err)
	}
	n = min(n, r.Len())
	out := make([]int16, n/2)
	for i := range out {
		var s [2]byte
		if _, err := io.ReadFull(r, s[:]); err != nil {
			return nil, fmt.Errorf("decode wav: %w", err)
		}
		out[i] = int16(uint16(s[0]) | uint16(s[1])<<8)
	}
	return out, nil
}

// Ringer plays a tone over and over on a Sink (the ring device) between
// Ring and Stop, one 20 ms frame at a time in real time, each ring from
// the tone's start. Its methods may be called from any goroutine.
type Ringer struct {
	sink Sink
	tone []int16

	mu   sync.Mutex
	stop chan struct{} // closed by Stop; nil when not ringing
	done chan struct{} // closed when the playing goroutine ends
	err  error         // the sink's last error
}

// NewRinger returns a Ringer of tone on sink; an empty tone is silence.
func NewRinger(sink Sink, tone []int16) *Ringer {
	return &Ringer{sink: sink, tone: tone}
}

// Ring starts ringing; ringing already, it does nothing.
func (r *Ringer) Ring() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stop != nil {
		return
	}
	r.stop, r.done = make(chan struct{}), make(chan struct{})
	go r.play(r.stop, r.done)
}

// Stop stops ringing and returns once the ring device has its last
// frame; not ringing, it does nothing.
func (r *Ringer) Stop() {
	r.mu.Lock()
	stop, done := r.stop, r.done
	r.stop, r.done = nil, nil
	r.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

// Ringing reports whether the ringer is ringing.
func (r *Ringer) Ringing() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stop != nil
}

// Err returns the error the ring device last gave, if any.
func (r *Ringer) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// play writes the tone, looped, a frame every 20 ms until stop closes.
func (r *Ringer) play(stop, done chan struct{}) {
	defer close(done)
	frame := make([]int16, FrameSamples)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	pos := 0
	for {
		clear(frame)
		if len(r.tone) > 0 {
			for i := range frame {
				frame[i] = r.tone[pos]
				pos = (pos + 1) % len(r.tone)
			}
		}
		if err := r.sink.WritePCM(frame); err != nil {
			r.mu.Lock()
			r.err = err
			r.mu.Unlock()
			if errors.Is(err, io.ErrClosedPipe) {
				return
			}
		}
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}

// PlayOnce writes tone to sink once, a 20 ms frame at a time in real time
// (as the Ringer does), then waits up to 400 ms for a sink that buffers
// (a speaker keeps 200 ms ahead) to play what it holds.
func PlayOnce(sink Sink, tone []int16) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	frame := make([]int16, FrameSamples)
	for pos := 0; pos < len(tone); pos += len(frame) {
		clear(frame)
		copy(frame, tone[pos:])
		if err := sink.WritePCM(frame); err != nil {
			return err
		}
		<-tick.C
	}
	if b, ok := sink.(interface{ Buffered() int }); ok {
		for range 20 {
			if b.Buffered() == 0 {
				break
			}
			<-tick.C
		}
	}
	return nil
}
