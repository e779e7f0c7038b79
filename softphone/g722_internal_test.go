package softphone

import (
	"math"
	"testing"

	"github.com/sportello/sportello/softphone/audio"
)

// TestStreamCodec_G722 sends 8 kHz device frames through the G.722 path
// (interpolate, encode, decode, decimate) packet by packet, as a call
// does: a tone comes back pure, at its level, and each payload is the 160
// octets of 20 ms.
func TestStreamCodec_G722(t *testing.T) {
	for _, freq := range []float64{400, 1000, 3000} {
		var enc streamEncoder
		var dec streamDecoder
		src := audio.NewTone(freq, 8000)
		frame := make([]int16, audio.FrameSamples)
		payload := make([]byte, audio.FrameSamples)
		var in, out []int16
		for range 50 {
			if err := src.ReadPCM(frame); err != nil {
				t.Fatal(err)
			}
			in = append(in, frame...)
			n := enc.encode(codecG722, payload, frame)
			if n != 160 {
				t.Fatalf("G.722 payload of %d octets for 20 ms, want 160", n)
			}
			out = dec.decode(codecG722, out, payload[:n])
		}
		if len(out) != len(in) {
			t.Fatalf("%d samples back from %d", len(out), len(in))
		}
		tail := out[len(out)/4:]
		purity := audio.Goertzel(tail, freq)
		level := rms(tail) / rms(in[len(in)/4:])
		t.Logf("%.0f Hz: purity %.4f, level %.3f", freq, purity, level)
		if purity < 0.98 || level < 0.85 || level > 1.15 {
			t.Errorf("%.0f Hz through G.722: purity %.4f, level %.3f; want > 0.98 and about 1", freq, purity, level)
		}
	}
}

// TestStreamCodec_G711Unchanged: the stream coders leave G.711 as it was.
func TestStreamCodec_G711Unchanged(t *testing.T) {
	pcm := make([]int16, audio.FrameSamples)
	if err := audio.NewTone(1000, 0).ReadPCM(pcm); err != nil {
		t.Fatal(err)
	}
	for _, c := range []codec{codecPCMU, codecPCMA} {
		var enc streamEncoder
		var dec streamDecoder
		got := make([]byte, len(pcm))
		want := make([]byte, len(pcm))
		if n := enc.encode(c, got, pcm); n != len(pcm) {
			t.Fatalf("%s: %d octets for %d samples", c, n, len(pcm))
		}
		c.encode(want, pcm)
		if string(got) != string(want) {
			t.Fatalf("%s: stream encoder differs from the codec", c)
		}
		if a, b := dec.decode(c, nil, got), c.decode(nil, got); len(a) != len(b) || a[7] != b[7] {
			t.Fatalf("%s: stream decoder differs from the codec", c)
		}
	}
}

// TestResampler_Image: interpolating a 3 kHz tone to 16 kHz leaves its
// 5 kHz image out, and decimating a 6 kHz tone (above the 8 kHz band)
// leaves almost nothing to alias to 2 kHz.
func TestResampler_Image(t *testing.T) {
	var up resampler
	in := make([]int16, 1600)
	for i := range in {
		in[i] = int16(8000 * math.Sin(2*math.Pi*3000*float64(i)/8000))
	}
	wide := up.interpolate(nil, in)
	at3k, at5k := power16k(wide[200:], 3000), power16k(wide[200:], 5000)
	if at5k > at3k/1000 {
		t.Errorf("interpolated 3 kHz: image at 5 kHz %.2g of %.2g", at5k, at3k)
	}
	var down resampler
	hi := make([]int16, 3200)
	for i := range hi {
		hi[i] = int16(8000 * math.Sin(2*math.Pi*6000*float64(i)/16000))
	}
	narrow := down.decimate(nil, hi)
	if r := rms(narrow[100:]); r > 8000/math.Sqrt2/100 {
		t.Errorf("decimated 6 kHz tone leaves rms %.1f, want under 1%% of the input", r)
	}
}

// rms is the root mean square of samples.
func rms(s []int16) float64 {
	var e float64
	for _, v := range s {
		e += float64(v) * float64(v)
	}
	return math.Sqrt(e / float64(len(s)))
}

// power16k is the Goertzel power of freq in 16 kHz samples.
func power16k(s []int16, freq float64) float64 {
	w := 2 * math.Pi * freq / 16000
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range s {
		s1, s2 = float64(v)+c*s1-s2, s1
	}
	return s1*s1 + s2*s2 - c*s1*s2
}
