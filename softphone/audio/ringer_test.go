package audio_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/sportello/sportello/assets"
	"github.com/sportello/sportello/softphone/audio"
)

// TestRingTone: the ring tone the assets embed is the Italian cadence,
// 425 Hz for 1 s then 4 s of silence, 8 kHz mono 16-bit.
func TestRingTone(t *testing.T) {
	tone, err := audio.DecodeWAV(assets.RingTone)
	if err != nil {
		t.Fatal(err)
	}
	if len(tone) != 5*audio.SampleRate {
		t.Fatalf("%d samples, want 5 s (%d)", len(tone), 5*audio.SampleRate)
	}
	on := tone[1000:1800]
	if p, other := audio.Goertzel(on, 425), audio.Goertzel(on, 1000); p < 100*other || p == 0 {
		t.Fatalf("first second: 425 Hz power %g, 1000 Hz %g: not a 425 Hz tone", p, other)
	}
	for _, s := range tone[audio.SampleRate:] {
		if s != 0 {
			t.Fatal("the last 4 s of the cycle are not silent")
		}
	}
	if _, err := audio.DecodeWAV(assets.RingTone[:30]); err == nil {
		t.Fatal("a truncated header decoded")
	}
}

// TestRinger_FileSink rings on a WAV file sink: the file records the
// 425 Hz tone from its start at real-time pace, nothing after Stop, and a
// second ring starts the tone again.
func TestRinger_FileSink(t *testing.T) {
	tone, err := audio.DecodeWAV(assets.RingTone)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ring.wav")
	sink, err := audio.CreateWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	rec := &audio.Recorder{}
	r := audio.NewRinger(teeSink{sink, rec}, tone)
	r.Ring()
	r.Ring() // already ringing: no second player
	if !r.Ringing() {
		t.Fatal("not ringing after Ring")
	}
	time.Sleep(400 * time.Millisecond)
	r.Stop()
	r.Stop()
	n := len(rec.Samples())
	// 400 ms at 20 ms a frame: about 20 frames (a first at once).
	if frames := n / audio.FrameSamples; frames < 12 || frames > 24 {
		t.Fatalf("%d frames in 400 ms, want about 20: not real-time", frames)
	}
	time.Sleep(100 * time.Millisecond)
	if len(rec.Samples()) != n || r.Ringing() {
		t.Fatal("the ringer kept playing after Stop")
	}
	r.Ring()
	time.Sleep(60 * time.Millisecond)
	r.Stop()
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}

	src, err := audio.OpenWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var got []int16
	frame := make([]int16, audio.FrameSamples)
	for src.ReadPCM(frame) == nil {
		got = append(got, frame...)
	}
	if len(got) < n+audio.FrameSamples {
		t.Fatalf("the file holds %d samples, want the first ring's %d and the second's", len(got), n)
	}
	if p, other := audio.Goertzel(got[160:n], 425), audio.Goertzel(got[160:n], 1000); p < 100*other || p == 0 {
		t.Fatalf("recorded ring: 425 Hz power %g, 1000 Hz %g", p, other)
	}
	// The second ring starts from the tone's fade-in again.
	if got[n] != tone[0] || got[n+100] != tone[100] {
		t.Fatalf("the second ring starts with %d, %d; want the tone's start %d, %d", got[n], got[n+100], tone[0], tone[100])
	}
}

// teeSink writes every frame to two sinks.
type teeSink struct{ a, b audio.Sink }

func (s teeSink) WritePCM(frame []int16) error {
	if err := s.a.WritePCM(frame); err != nil {
		return err
	}
	return s.b.WritePCM(frame)
}
