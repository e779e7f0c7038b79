package g722_test

import (
	"math"
	"testing"

	"github.com/sportello/sportello/softphone/g722"
)

// sine returns n samples of a tone at freq Hz and 16 kHz.
func sine(n int, freq, amp float64) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/g722.SampleRate))
	}
	return s
}

// goertzel returns the power of freq in samples at 16 kHz, normalised so a
// full-scale sine gives about 1.
func goertzel(samples []int16, freq float64) float64 {
	n := len(samples)
	k := math.Round(float64(n) * freq / g722.SampleRate)
	w := 2 * math.Pi * k / float64(n)
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range samples {
		s0 := float64(v)/32768 + c*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - c*s1*s2
	return p / float64(n*n) * 4
}

// roundTrip encodes pcm in 20 ms packets and decodes them back.
func roundTrip(t *testing.T, pcm []int16) ([]int16, []byte) {
	t.Helper()
	enc, dec := g722.NewEncoder(), g722.NewDecoder()
	var out []int16
	var all []byte
	for i := 0; i < len(pcm); i += 320 {
		payload := enc.Encode(nil, pcm[i:min(i+320, len(pcm))])
		all = append(all, payload...)
		out = dec.Decode(out, payload)
	}
	if len(out) != len(pcm) {
		t.Fatalf("decoded %d samples from %d", len(out), len(pcm))
	}
	if len(all) != len(pcm)/2 {
		t.Fatalf("encoded %d octets from %d samples, want one per pair", len(all), len(pcm))
	}
	return out, all
}

// delay returns the lag, within [from, to), at which out best correlates
// with in, skipping the first skip samples while the adaptation settles.
func delay(in, out []int16, skip, from, to int) int {
	bestLag, best := 0, math.Inf(-1)
	for lag := from; lag < to; lag++ {
		var c float64
		for i := skip; i+lag < len(out); i++ {
			c += float64(in[i]) * float64(out[i+lag])
		}
		if c > best {
			best, bestLag = c, lag
		}
	}
	return bestLag
}

// snr returns the signal to noise ratio in dB of out against in delayed by
// lag, skipping the first skip samples.
func snr(in, out []int16, lag, skip int) float64 {
	bestLag := lag
	var sig, noise float64
	for i := skip; i+bestLag < len(out); i++ {
		d := float64(out[i+bestLag]) - float64(in[i])
		sig += float64(in[i]) * float64(in[i])
		noise += d * d
	}
	return 10 * math.Log10(sig/noise)
}

// codecDelay measures the delay of the QMF pair on a pseudo-random signal,
// where the correlation peak is unambiguous (a pure tone repeats).
func codecDelay(t *testing.T) int {
	t.Helper()
	in := make([]int16, 8000)
	x := uint32(1)
	for i := range in {
		x = x*1664525 + 1013904223
		in[i] = int16(int32(x>>16)) / 8
	}
	out, _ := roundTrip(t, in)
	lag := delay(in, out, 1600, 0, 64)
	if lag != 22 && lag != 23 {
		t.Fatalf("codec delay %d samples, want the QMF pair's 22 or 23", lag)
	}
	if db := snr(in, out, lag, 1600); db < 10 {
		t.Errorf("noise SNR %.1f dB, want > 10", db)
	}
	return lag
}

func TestRoundTrip_Tones(t *testing.T) {
	lag := codecDelay(t)
	for _, freq := range []float64{1000, 5000, 300, 6500} {
		in := sine(g722.SampleRate, freq, 10000)
		out, _ := roundTrip(t, in)
		db := snr(in, out, lag, 1600)
		t.Logf("%.0f Hz: delay %d samples, SNR %.1f dB", freq, lag, db)
		if db < 20 {
			t.Errorf("%.0f Hz: SNR %.1f dB, want > 20", freq, db)
		}
		tail := out[4000:]
		want := goertzel(tail, freq)
		if want < 0.05 {
			t.Errorf("%.0f Hz: tone power %.3f after the codec, want about 0.09", freq, want)
		}
		for _, other := range []float64{440, 2000, 3500, 7000} {
			if p := goertzel(tail, other); p > want/100 {
				t.Errorf("%.0f Hz: power %.4f at %.0f Hz, want < 1%% of %.3f", freq, p, other, want)
			}
		}
	}
}

// Wideband is the point of G.722: a 6 kHz tone, which G.711 at 8 kHz cannot
// carry, must come through at its level.
func TestRoundTrip_Wideband(t *testing.T) {
	in := sine(g722.SampleRate, 6000, 8000)
	out, _ := roundTrip(t, in)
	pin, pout := goertzel(in[4000:], 6000), goertzel(out[4000:], 6000)
	if ratio := pout / pin; ratio < 0.7 || ratio > 1.4 {
		t.Errorf("6 kHz power in %.4f out %.4f, ratio %.2f", pin, pout, ratio)
	}
}

func TestRoundTrip_Silence(t *testing.T) {
	out, payload := roundTrip(t, make([]int16, 3200))
	for i, v := range out {
		if v > 8 || v < -8 {
			t.Fatalf("sample %d of silence decodes to %d", i, v)
		}
	}
	// A quiet stream codes to the smallest steps of the higher band (codes
	// 1 and 3; 0 and 2 are the large ones).
	for i, b := range payload[10:] {
		if h := b >> 6; h != 1 && h != 3 {
			t.Fatalf("octet %d of silence is %#x", i, b)
		}
	}
}

func TestEncode_OddSamplesCarryOver(t *testing.T) {
	in := sine(960, 1000, 9000)
	whole := g722.NewEncoder().Encode(nil, in)
	e := g722.NewEncoder()
	var split []byte
	for _, n := range []int{1, 2, 157, 320, 480} {
		split = e.Encode(split, in[:n])
		in = in[n:]
	}
	if string(whole) != string(split) {
		t.Fatalf("encoding in odd pieces differs from encoding at once")
	}
}

func TestReset(t *testing.T) {
	loud := sine(1600, 1000, 20000)
	quiet := sine(1600, 2000, 3000)
	fresh := g722.NewEncoder().Encode(nil, quiet)

	e := g722.NewEncoder()
	e.Encode(nil, loud)
	e.Encode(nil, loud[:1]) // leave an odd sample pending
	if used := e.Encode(nil, quiet); string(used) == string(fresh) {
		t.Fatal("the encoder kept no state from the loud tone; the reset check proves nothing")
	}
	e.Reset()
	if got := e.Encode(nil, quiet); string(got) != string(fresh) {
		t.Fatal("after Reset the encoder does not code like a new one")
	}

	d := g722.NewDecoder()
	want := g722.NewDecoder().Decode(nil, fresh)
	d.Decode(nil, g722.NewEncoder().Encode(nil, loud))
	d.Reset()
	got := d.Decode(nil, fresh)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("after Reset sample %d is %d, a new decoder gives %d", i, got[i], want[i])
		}
	}
}

// FuzzDecode feeds the decoder arbitrary octets: every octet is a valid
// code, so it must give two samples each, never panic, and stay bounded.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x00, 0xff, 0x3f, 0xc0})
	f.Add(g722.NewEncoder().Encode(nil, sine(640, 1000, 30000)))
	f.Add(make([]byte, 400))
	big := make([]byte, 400)
	for i := range big {
		big[i] = byte(0x20 | (i&1)<<7) // largest steps, alternating high band
	}
	f.Add(big)
	f.Fuzz(func(t *testing.T, payload []byte) {
		d := g722.NewDecoder()
		out := d.Decode(nil, payload)
		if len(out) != 2*len(payload) {
			t.Fatalf("%d samples from %d octets", len(out), len(payload))
		}
		// Re-encoding what came out must not panic either.
		g722.NewEncoder().Encode(nil, out)
	})
}
