package desktop

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sportello/sportello/softphone/audio"
)

// TestSound_Settings: the sound flags override config.json, which
// overrides the defaults.
func TestSound_Settings(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"microphone":"null","speaker":"Cuffie USB","ring_device":"file:/tmp/a.wav"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	m := NewMain()
	if err := m.ParseFlags([]string{"-data", dir, "-ring-device", "null"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got := m.Config.Sound; got != (Sound{Microphone: "null", Speaker: "Cuffie USB", RingDevice: "null"}) {
		t.Fatalf("sound %+v", got)
	}
}

// TestSound_RingFileAndFallback: with the ring device a file, the rings
// are recorded there (the 425 Hz tone, by Goertzel); a speaker that does
// not exist on this machine falls back to silence and is listed for the
// status bar's warning; a call records to its own file.
func TestSound_RingFileAndFallback(t *testing.T) {
	dir := t.TempDir()
	ringPath, callPath := filepath.Join(dir, "ring.wav"), filepath.Join(dir, "call.wav")
	s := openSound(Sound{Microphone: "null", Speaker: "no such card", RingDevice: "file:" + ringPath}, slog.New(slog.DiscardHandler))
	if !slices.Equal(s.failed, []string{"speaker"}) {
		t.Fatalf("failed devices %v, want the speaker", s.failed)
	}
	s.ringer.Ring()
	time.Sleep(300 * time.Millisecond)
	s.ringer.Stop()
	src, snk, err := s.devices("c1")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := snk.(audio.Null); !ok {
		t.Fatalf("the call's speaker is %T, want silence after the fallback", snk)
	}
	if _, ok := src.(audio.Null); !ok {
		t.Fatalf("the call's microphone is %T, want null as chosen", src)
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	rec, err := audio.OpenWAV(ringPath)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	var got []int16
	frame := make([]int16, audio.FrameSamples)
	for rec.ReadPCM(frame) == nil {
		got = append(got, frame...)
	}
	if len(got) < 10*audio.FrameSamples {
		t.Fatalf("%d samples recorded in 300 ms of ringing", len(got))
	}
	if p, other := audio.Goertzel(got[160:], 425), audio.Goertzel(got[160:], 1000); p == 0 || p < 100*other {
		t.Fatalf("ring recorded: 425 Hz power %g, 1000 Hz %g", p, other)
	}

	s2 := openSound(Sound{Microphone: "null", Speaker: "file:" + callPath, RingDevice: "null"}, slog.New(slog.DiscardHandler))
	defer s2.close()
	_, snk, _ = s2.devices("c2")
	if err := snk.(io.Closer).Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "call-c2.wav")); err != nil || len(s2.failed) != 0 {
		t.Fatalf("the call's file: %v; failed %v", err, s2.failed)
	}
}
