//go:build opus

package softphone

import (
	"testing"

	"github.com/sportello/sportello/softphone/audio"
)

// TestStreamCodec_Opus: the stream coders carry 8 kHz tones through
// libopus in 20 ms packets that fit the send buffer (160 octets), at the
// level sent; a garbled packet adds nothing and the stream goes on.
func TestStreamCodec_Opus(t *testing.T) {
	for _, freq := range []float64{400, 1000, 3000} {
		var enc streamEncoder
		var dec streamDecoder
		src := audio.NewTone(freq, 8000)
		frame := make([]int16, audio.FrameSamples)
		payload := make([]byte, audio.FrameSamples)
		var in, out []int16
		octets := 0
		for k := range 50 {
			if err := src.ReadPCM(frame); err != nil {
				t.Fatal(err)
			}
			in = append(in, frame...)
			n := enc.encode(codecOpus, payload, frame)
			if n <= 0 || n > len(payload) {
				t.Fatalf("Opus payload of %d octets for 20 ms", n)
			}
			octets += n
			out = dec.decode(codecOpus, out, payload[:n])
			if k == 25 {
				if got := len(dec.decode(codecOpus, nil, []byte{0xff, 0xff, 0xff})); got != 0 {
					t.Fatalf("a garbled packet decoded to %d samples", got)
				}
			}
		}
		if len(out) != len(in) {
			t.Fatalf("%d samples back from %d", len(out), len(in))
		}
		tail := out[len(out)/4:]
		purity := audio.Goertzel(tail, freq)
		level := rms(tail) / rms(in[len(in)/4:])
		t.Logf("%.0f Hz: purity %.4f, level %.3f, %.1f kbit/s", freq, purity, level, float64(octets)*8/1000)
		if purity < 0.98 || level < 0.8 || level > 1.2 {
			t.Errorf("%.0f Hz through Opus: purity %.4f, level %.3f; want > 0.98 and about 1", freq, purity, level)
		}
	}
	if c, ok := codecNamed("OPUS"); !ok || c != codecOpus || c.String() != "opus" {
		t.Fatalf("codecNamed(OPUS) = %v, %v", c, ok)
	}
}
