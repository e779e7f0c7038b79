//go:build !cgo

package audio_test

import (
	"errors"
	"testing"

	"github.com/sportello/sportello/softphone/audio"
)

// TestDevices_NoCgo: built without cgo, opening the sound says why.
func TestDevices_NoCgo(t *testing.T) {
	if _, err := audio.OpenDevices(); !errors.Is(err, audio.ErrNoSound) {
		t.Fatalf("OpenDevices = %v, want ErrNoSound", err)
	}
}
