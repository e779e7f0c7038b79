//go:build cgo

package audio_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sportello/sportello/softphone/audio"
)

// TestDevices_NullBackend opens miniaudio's null backend (a device that
// consumes and produces silence in real time, as a sound card would):
// it lists a microphone and a speaker, the microphone gives 20 ms frames
// at real-time pace, the speaker drains what it is given, and a device
// that does not exist is a clear ErrNoSound.
func TestDevices_NullBackend(t *testing.T) {
	devs, err := audio.OpenDevices(audio.NullBackend)
	if err != nil {
		t.Fatal(err)
	}
	defer devs.Close()
	capture, playback, err := devs.List()
	if err != nil || len(capture) == 0 || len(playback) == 0 {
		t.Fatalf("List: %v, %v, %v; want a microphone and a speaker", capture, playback, err)
	}
	t.Logf("null backend: capture %v, playback %v", capture, playback)

	mic, err := devs.Microphone("")
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]int16, audio.FrameSamples)
	start := time.Now()
	for range 25 {
		if err := mic.ReadPCM(frame); err != nil {
			t.Fatal(err)
		}
	}
	// 25 frames are 500 ms of audio; the device buffers at most a period
	// or two ahead.
	if d := time.Since(start); d < 300*time.Millisecond || d > 2*time.Second {
		t.Fatalf("25 frames in %v: not the microphone's real-time pace", d)
	}
	if err := mic.Close(); err != nil {
		t.Fatal(err)
	}
	if err := mic.ReadPCM(frame); !errors.Is(err, audio.ErrClosedDevice) {
		t.Fatalf("ReadPCM after Close: %v", err)
	}

	spk, err := devs.Speaker(playback[0].Name)
	if err != nil {
		t.Fatal(err)
	}
	tone := audio.NewTone(425, 8000)
	for range 10 { // 200 ms
		tone.ReadPCM(frame)
		if err := spk.WritePCM(frame); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for spk.Buffered() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := spk.Buffered(); n > 0 {
		t.Fatalf("the speaker still holds %d samples after 2 s: it does not play", n)
	}
	spk.Close()
	if err := spk.WritePCM(frame); !errors.Is(err, audio.ErrClosedDevice) {
		t.Fatalf("WritePCM after Close: %v", err)
	}

	if _, err := devs.Speaker("no such card"); !errors.Is(err, audio.ErrNoSound) {
		t.Fatalf("Speaker(no such card) = %v, want ErrNoSound", err)
	}
}

// TestDevices_ThisMachine opens the platform's backends: on a computer
// without sound (this CI machine) the error wraps ErrNoSound and says
// why; with sound, the default devices list. Either is logged.
func TestDevices_ThisMachine(t *testing.T) {
	devs, err := audio.OpenDevices()
	if err != nil {
		if !errors.Is(err, audio.ErrNoSound) {
			t.Fatalf("OpenDevices: %v, want an error wrapping ErrNoSound", err)
		}
		t.Logf("no sound here: %v", err)
		return
	}
	defer devs.Close()
	capture, playback, err := devs.List()
	t.Logf("capture %v, playback %v, %v", capture, playback, err)
	if _, err := devs.Speaker(""); err != nil {
		if !errors.Is(err, audio.ErrNoSound) {
			t.Fatalf("Speaker: %v, want an error wrapping ErrNoSound", err)
		}
		t.Logf("default speaker: %v", err)
	}
}
