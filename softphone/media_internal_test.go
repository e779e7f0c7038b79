package softphone

import (
	"testing"

	"github.com/sportello/sportello/softphone/audio"
)

// TestCodecRoundTrip checks each G.711 variant carries a tone, and that
// decoding with the wrong one distorts it (1000 Hz keeps about 0.92 of the
// energy, against 1.00): the codec tests ask for 0.98.
func TestCodecRoundTrip(t *testing.T) {
	tone := audio.NewTone(1000, 0)
	pcm := make([]int16, audio.SampleRate)
	for i := 0; i < len(pcm); i += audio.FrameSamples {
		if err := tone.ReadPCM(pcm[i : i+audio.FrameSamples]); err != nil {
			t.Fatal(err)
		}
	}
	payload := make([]byte, len(pcm))
	for _, tc := range []struct {
		enc, dec codec
		carries  bool
	}{
		{codecPCMU, codecPCMU, true},
		{codecPCMA, codecPCMA, true},
		{codecPCMA, codecPCMU, false},
		{codecPCMU, codecPCMA, false},
	} {
		tc.enc.encode(payload, pcm)
		got := tc.dec.decode(nil, payload)
		r := audio.Goertzel(got, 1000)
		t.Logf("%v -> %v: energy at 1000 Hz %.3f", tc.enc, tc.dec, r)
		if carries := r >= 0.98; carries != tc.carries {
			t.Errorf("%v decoded as %v: energy at 1000 Hz %.3f, want carries=%v", tc.enc, tc.dec, r, tc.carries)
		}
	}
	if c, ok := codecNamed("pcma"); !ok || c != codecPCMA {
		t.Errorf("codecNamed(pcma) = %v, %v", c, ok)
	}
	if c, ok := codecNamed("g722"); !ok || c != codecG722 {
		t.Errorf("codecNamed(g722) = %v, %v; want G722 (g722.go)", c, ok)
	}
	if _, ok := codecNamed("G729"); ok {
		t.Error("codecNamed(G729) ok, want unknown")
	}
}

func TestDTMFEvents(t *testing.T) {
	type pkt struct {
		ts     uint32
		marker bool
		event  byte
		end    bool
	}
	for _, tc := range []struct {
		name string
		pkts []pkt
		want string
	}{
		{"OnePressThreeEnds", []pkt{{100, true, 1, false}, {100, false, 1, false}, {100, false, 1, true}, {100, false, 1, true}, {100, false, 1, true}}, "1"},
		{"TwoPresses", []pkt{{100, true, 5, false}, {100, false, 5, true}, {1220, true, 11, false}, {1220, false, 11, true}}, "5#"},
		{"SameKeyAgain", []pkt{{100, true, 5, false}, {100, false, 5, true}, {900, true, 5, false}}, "55"},
		{"EndOnlyLateJoin", []pkt{{100, false, 9, true}, {100, false, 9, true}}, "9"},
		{"SameStampNewKey", []pkt{{100, true, 1, false}, {100, true, 2, false}}, "12"},
		{"MarkedAfterEnd", []pkt{{100, true, 3, false}, {100, false, 3, true}, {100, true, 3, false}}, "33"},
		{"NotAKey", []pkt{{100, true, 64, false}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []byte
			d := &dtmfEvents{press: func(k byte) { got = append(got, k) }}
			for _, p := range tc.pkts {
				flags := byte(10)
				if p.end {
					flags |= 0x80
				}
				d.packet(p.ts, p.marker, []byte{p.event, flags, 0, 160})
			}
			d.packet(5000, true, []byte{1, 2}) // too short: ignored
			if string(got) != tc.want {
				t.Fatalf("keys %q, want %q", got, tc.want)
			}
		})
	}
}
