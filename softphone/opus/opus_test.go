//go:build opus

package opus_test

import (
	"errors"
	"math"
	"testing"

	"github.com/sportello/sportello/softphone/opus"
)

// sine returns n samples of a tone at freq Hz and rate Hz.
func sine(n, rate int, freq, amp float64) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return s
}

// goertzel returns the share (0 to 1) of the energy of samples at rate Hz
// that lies at freq Hz.
func goertzel(samples []int16, rate int, freq float64) float64 {
	n := len(samples)
	w := 2 * math.Pi * freq / float64(rate)
	c := 2 * math.Cos(w)
	var s1, s2, energy float64
	for _, v := range samples {
		x := float64(v)
		energy += x * x
		s0 := x + c*s1 - s2
		s2, s1 = s1, s0
	}
	if energy == 0 {
		return 0
	}
	return min(2*(s1*s1+s2*s2-c*s1*s2)/(float64(n)*energy), 1)
}

// loudest returns the frequency, in 10 Hz steps from 100 Hz to below
// rate/2 or 8 kHz, that holds the most energy of samples.
func loudest(samples []int16, rate int) (float64, float64) {
	best, share := 0.0, 0.0
	for f := 100.0; f < min(float64(rate)/2-100, 8000); f += 10 {
		if g := goertzel(samples, rate, f); g > share {
			best, share = f, g
		}
	}
	return best, share
}

// roundTrip encodes pcm in 20 ms packets at rate and decodes them back,
// returning the audio and the packets' total size.
func roundTrip(t *testing.T, rate int, pcm []int16) ([]int16, int) {
	t.Helper()
	enc, err := opus.NewEncoder(rate)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	dec, err := opus.NewDecoder(rate)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	frame := rate / 50
	packet := make([]byte, 1275)
	var out []int16
	total := 0
	for i := 0; i+frame <= len(pcm); i += frame {
		n, err := enc.Encode(packet, pcm[i:i+frame])
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 || n > len(packet) {
			t.Fatalf("packet %d of %d octets", i/frame, n)
		}
		total += n
		if out, err = dec.Decode(out, packet[:n]); err != nil {
			t.Fatal(err)
		}
	}
	if len(out) != len(pcm)/frame*frame {
		t.Fatalf("decoded %d samples from %d", len(out), len(pcm))
	}
	return out, total
}

// TestOpus_RoundTripTones: tones encoded and decoded at 48 kHz (the
// codec's own rate) and at 8 kHz (the phone's devices) come back at the
// frequency sent, found by a Goertzel scan of every 10 Hz, with most of
// the energy in 50 ms blocks after the codec's start-up.
func TestOpus_RoundTripTones(t *testing.T) {
	for _, tc := range []struct {
		rate int
		freq float64
	}{
		{48000, 1000}, {48000, 440}, {48000, 6000}, {16000, 1000}, {8000, 440}, {8000, 1000}, {8000, 3000},
	} {
		in := sine(tc.rate, tc.rate, tc.freq, 8000) // one second
		out, size := roundTrip(t, tc.rate, in)
		tail := out[len(out)/5:]
		f, share := loudest(tail, tc.rate)
		block := tc.rate / 20
		hits, blocks := 0, 0
		for b := tail; len(b) >= block; b = b[block:] {
			blocks++
			if goertzel(b[:block], tc.rate, tc.freq) >= 0.8 {
				hits++
			}
		}
		t.Logf("%d Hz: %.0f Hz tone back as %.0f Hz (%.3f of the energy), %d of %d blocks, %.1f kbit/s",
			tc.rate, tc.freq, f, share, hits, blocks, float64(size)*8/1000)
		if math.Abs(f-tc.freq) > 10 || share < 0.8 || hits*10 < blocks*9 {
			t.Errorf("%d Hz: sent %.0f Hz, heard %.0f Hz (%.3f), %d of %d blocks", tc.rate, tc.freq, f, share, hits, blocks)
		}
	}
}

// TestOpus_SilenceAndConcealment: silence stays silent and cheap; a lost
// packet (empty) is concealed with one 20 ms frame; a garbled packet is an
// error, not a crash, and the decoder goes on.
func TestOpus_SilenceAndConcealment(t *testing.T) {
	out, size := roundTrip(t, 8000, make([]int16, 8000))
	for _, v := range out {
		if v > 100 || v < -100 {
			t.Fatalf("silence came back as %d", v)
		}
	}
	if size > 50*20 {
		t.Errorf("a second of silence took %d octets", size)
	}
	dec, err := opus.NewDecoder(8000)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	pcm, err := dec.Decode(nil, nil)
	if err != nil || len(pcm) != 160 {
		t.Fatalf("concealment: %d samples, %v", len(pcm), err)
	}
	if _, err := dec.Decode(nil, []byte{0xff, 0xff, 0xff}); err == nil {
		t.Errorf("a packet of 63 frames of nothing decoded")
	}
	enc, err := opus.NewEncoder(8000)
	if err != nil {
		t.Fatal(err)
	}
	packet := make([]byte, 200)
	n, err := enc.Encode(packet, sine(160, 8000, 440, 8000))
	if err != nil {
		t.Fatal(err)
	}
	if pcm, err = dec.Decode(nil, packet[:n]); err != nil || len(pcm) != 160 {
		t.Fatalf("after a bad packet: %d samples, %v", len(pcm), err)
	}
	enc.Close()
	enc.Close()
	if _, err := enc.Encode(packet, make([]int16, 160)); !errors.Is(err, opus.ErrClosed) {
		t.Fatalf("encode after Close: %v", err)
	}
}

// TestOpus_Errors: rates and frame sizes libopus does not take are errors.
func TestOpus_Errors(t *testing.T) {
	if _, err := opus.NewEncoder(44100); err == nil {
		t.Error("encoder at 44100 Hz")
	}
	if _, err := opus.NewDecoder(11025); err == nil {
		t.Error("decoder at 11025 Hz")
	}
	enc, err := opus.NewEncoder(8000)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	if _, err := enc.Encode(make([]byte, 100), make([]int16, 150)); err == nil {
		t.Error("a frame of 150 samples at 8 kHz (18.75 ms) encoded")
	}
	if err := enc.SetBitrate(24000); err != nil {
		t.Error(err)
	}
}
