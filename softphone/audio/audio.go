// Package audio holds the softphone's sound devices behind two small
// interfaces, Source (a microphone) and Sink (a speaker), plus null, tone and
// WAV file devices for tests and headless runs. It knows nothing of SIP or RTP.
//
// All audio is signed 16-bit linear PCM, 8 kHz, mono, moved in frames of
// FrameSamples samples (20 ms), the packet size the softphone sends.
package audio

import (
	"io"
	"math"
)

// SampleRate is the rate of every device, in samples per second.
const SampleRate = 8000

// FrameSamples is the number of samples in one 20 ms frame.
const FrameSamples = SampleRate / 50

// Source produces audio to send to the other party, like a microphone.
//
// ReadPCM fills the whole frame; it returns io.EOF when the source has
// nothing more (the phone then sends silence). A Source that also implements
// io.Closer is closed by the phone when the call ends.
type Source interface {
	ReadPCM(frame []int16) error
}

// Sink consumes the audio received from the other party, like a speaker.
//
// WritePCM must not keep frame after it returns. A Sink that also implements
// io.Closer is closed by the phone when the call ends.
type Sink interface {
	WritePCM(frame []int16) error
}

// Null is a silent Source and a Sink that discards everything.
type Null struct{}

var (
	_ Source = Null{}
	_ Sink   = Null{}
)

// ReadPCM fills frame with silence.
func (Null) ReadPCM(frame []int16) error {
	clear(frame)
	return nil
}

// WritePCM discards frame.
func (Null) WritePCM(frame []int16) error { return nil }

// Tone is a Source of an endless sine wave, for tests and ring-back checks.
type Tone struct {
	step      float64 // phase increment per sample, radians
	phase     float64
	amplitude float64
}

// NewTone returns a sine source at freq Hz with the given peak amplitude
// (0 means 8000, about -12 dBFS).
func NewTone(freq float64, amplitude int16) *Tone {
	if amplitude == 0 {
		amplitude = 8000
	}
	return &Tone{step: 2 * math.Pi * freq / SampleRate, amplitude: float64(amplitude)}
}

// ReadPCM fills frame with the next samples of the tone; it never ends.
func (t *Tone) ReadPCM(frame []int16) error {
	for i := range frame {
		frame[i] = int16(t.amplitude * math.Sin(t.phase))
		t.phase += t.step
		if t.phase > 2*math.Pi {
			t.phase -= 2 * math.Pi
		}
	}
	return nil
}

// Goertzel returns the fraction (0 to 1) of the energy of samples that lies
// at freq Hz, measured with the Goertzel algorithm: close to 1 for a pure
// tone at freq, close to 0 for silence or any other tone. Tests use it to
// check that a tone went through a call.
func Goertzel(samples []int16, freq float64) float64 {
	n := len(samples)
	if n == 0 {
		return 0
	}
	// Round the frequency to the nearest bin so a whole number of cycles fits.
	k := math.Round(float64(n) * freq / SampleRate)
	coeff := 2 * math.Cos(2*math.Pi*k/float64(n))
	var s1, s2, energy float64
	for _, x := range samples {
		v := float64(x)
		energy += v * v
		s0 := v + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	if energy == 0 {
		return 0
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2
	// A sine of amplitude A has power (A*n/2)^2 in its bin and energy A^2*n/2.
	return min(2*power/(float64(n)*energy), 1)
}

// readFull is io.ReadFull for callers that only have an io.Reader.
func readFull(r io.Reader, b []byte) error {
	_, err := io.ReadFull(r, b)
	return err
}
