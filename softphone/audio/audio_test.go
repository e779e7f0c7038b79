package audio_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sportello/sportello/softphone/audio"
)

func TestGoertzel(t *testing.T) {
	tone := make([]int16, audio.SampleRate/2)
	if err := audio.NewTone(1000, 0).ReadPCM(tone); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		samples  []int16
		freq     float64
		min, max float64
	}{
		{"ToneAtFreq", tone, 1000, 0.95, 1},
		{"ToneElsewhere", tone, 1500, 0, 0.01},
		{"Silence", make([]int16, 4000), 1000, 0, 0},
		{"Empty", nil, 1000, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := audio.Goertzel(tc.samples, tc.freq)
			if got < tc.min || got > tc.max {
				t.Fatalf("Goertzel(%v Hz) = %.4f, want in [%v, %v]", tc.freq, got, tc.min, tc.max)
			}
		})
	}
}

func TestNull(t *testing.T) {
	frame := []int16{1, 2, 3}
	if err := (audio.Null{}).ReadPCM(frame); err != nil {
		t.Fatal(err)
	}
	for _, v := range frame {
		if v != 0 {
			t.Fatalf("Null.ReadPCM = %v, want silence", frame)
		}
	}
	if err := (audio.Null{}).WritePCM(frame); err != nil {
		t.Fatal(err)
	}
}

func TestWAV_RoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tone.wav")
	sink, err := audio.CreateWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	tone := audio.NewTone(440, 0)
	frame := make([]int16, audio.FrameSamples)
	const frames = 10
	var want []int16
	for range frames {
		if err := tone.ReadPCM(frame); err != nil {
			t.Fatal(err)
		}
		want = append(want, frame...)
		if err := sink.WritePCM(frame); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != 44+frames*audio.FrameSamples*2 {
		t.Fatalf("wav size: %v %v", fi.Size(), err)
	}

	src, err := audio.OpenWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var got []int16
	for {
		err := src.ReadPCM(frame)
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		got = append(got, frame...)
	}
	if len(got) != len(want) {
		t.Fatalf("read %d samples, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("sample %d = %d, want %d", i, got[i], want[i])
		}
	}
	if r := audio.Goertzel(got, 440); r < 0.9 {
		t.Fatalf("Goertzel(440) = %.3f after round trip", r)
	}
}

func TestOpenWAV_BadFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.wav")
	if err := os.WriteFile(path, []byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00\x44\xac\x00\x00\x10\xb1\x02\x00\x04\x00\x10\x00data\x00\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := audio.OpenWAV(path); !errors.Is(err, audio.ErrWAVFormat) {
		t.Fatalf("OpenWAV(stereo 44.1k) error = %v, want ErrWAVFormat", err)
	}
}
