package softphone

import "testing"

// TestCodec_RTPClock: Opus's 48 kHz timestamps count in 8 kHz steps,
// across the 32-bit wrap, out of order, and from the start again for a new
// stream.
func TestCodec_RTPClock(t *testing.T) {
	var c rtpClock
	start := uint32(0xffffffff - 960*2 + 1) // wraps after two packets
	first := c.narrow(7, start)
	for k, tc := range []struct {
		ts   uint32
		want uint32 // steps of 160 from the first
	}{
		{start + 960, 1}, {start + 2*960, 2}, {start + 4*960, 4}, {start + 3*960, 3}, {start + 5*960, 5},
	} {
		if got := c.narrow(7, tc.ts); got-first != tc.want*160 {
			t.Fatalf("packet %d (ts %d): %d after the first, want %d", k, tc.ts, got-first, tc.want*160)
		}
	}
	if got := c.narrow(8, 48000); got != 8000 {
		t.Fatalf("a new stream at 48000 counts %d, want 8000", got)
	}
}
