package assets_test

import (
	"encoding/binary"
	"testing"

	"github.com/sportello/sportello/assets"
)

// TestAlertSound: the board's alert is a WAV the softphone's audio plays
// (8 kHz, mono, 16-bit PCM) and not silence.
func TestAlertSound(t *testing.T) {
	b := assets.AlertSound
	if len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatal("not a WAV file")
	}
	channels, rate, bits := binary.LittleEndian.Uint16(b[22:]), binary.LittleEndian.Uint32(b[24:]), binary.LittleEndian.Uint16(b[34:])
	if channels != 1 || rate != 8000 || bits != 16 {
		t.Fatalf("%d channels at %d Hz, %d bits; want 1 at 8000, 16", channels, rate, bits)
	}
	peak := 0
	for i := 44; i+1 < len(b); i += 2 {
		peak = max(peak, abs(int(int16(binary.LittleEndian.Uint16(b[i:])))))
	}
	if peak < 8000 {
		t.Fatalf("peak %d: the alert is too quiet", peak)
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
