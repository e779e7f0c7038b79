package softphone

import (
	"math"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// TestMOSFromR checks the R to MOS conversion against the values of ITU-T
// G.107 (annex B, figure B.1).
func TestMOSFromR(t *testing.T) {
	for _, tc := range []struct{ r, mos float64 }{
		{-5, 1}, {0, 1}, {50, 2.58}, {60, 3.10}, {70, 3.60}, {80, 4.02}, {90, 4.34}, {93.2, 4.41}, {100, 4.5}, {120, 4.5},
	} {
		if got := mosFromR(tc.r); math.Abs(got-tc.mos) > 0.01 {
			t.Errorf("MOS(R=%v) = %.3f, want %.2f", tc.r, got, tc.mos)
		}
	}
}

// TestRFactor checks the simplified E-model for G.711 with PLC against
// values worked by hand from G.107 (Id) and G.113 appendix I (Bpl 25.1).
func TestRFactor(t *testing.T) {
	for _, tc := range []struct {
		name   string
		oneWay time.Duration
		loss   float64
		r      float64
	}{
		{"Perfect", 0, 0, 93.2},
		{"LAN", 40 * time.Millisecond, 0, 93.2 - 0.96},
		{"Delay200ms", 200 * time.Millisecond, 0, 93.2 - 4.8 - 0.11*22.7},
		{"Delay400ms", 400 * time.Millisecond, 0, 93.2 - 9.6 - 0.11*222.7},
		{"Loss1pct", 0, 0.01, 93.2 - 95.0/26.1},
		{"Loss5pct", 0, 0.05, 93.2 - 95*5/30.1},
		{"Loss20pct", 0, 0.2, 93.2 - 95*20/45.1},
		{"AllLost", 0, 1.5, 93.2 - 95*100/125.1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rFactor(tc.oneWay, tc.loss, g711PLCBpl); math.Abs(got-tc.r) > 0.01 {
				t.Errorf("R = %.3f, want %.3f", got, tc.r)
			}
		})
	}
	// The ranges a contact center reads MOS by.
	if m := mosFromR(rFactor(60*time.Millisecond, 0, g711PLCBpl)); m < 4.3 {
		t.Errorf("clean call MOS %.2f, want >= 4.3", m)
	}
	if m := mosFromR(rFactor(60*time.Millisecond, 0.05, g711PLCBpl)); m < 3.7 || m > 4.0 {
		t.Errorf("5%% loss MOS %.2f, want 3.7-4.0", m)
	}
}

// TestReceptionStats checks jitter and loss of a received stream: 20 ms
// packets arriving alternately 0 and 10 ms late converge on a jitter of
// 10 ms; two lost of 100 is 2% with a sequence wrap on the way.
func TestReceptionStats(t *testing.T) {
	var r receptionStats
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	for i := range 100 {
		if i == 30 || i == 31 {
			continue
		}
		late := time.Duration(i%2) * 10 * time.Millisecond
		r.update(7, uint16(65500+i), uint32(4294967000+i*160), true, t0.Add(time.Duration(i)*20*time.Millisecond+late))
	}
	if got := r.jitter * 1000; math.Abs(got-10) > 0.5 {
		t.Errorf("jitter %.2f ms, want 10", got)
	}
	if r.expected() != 100 || r.lost() != 2 {
		t.Errorf("expected %d lost %d, want 100 2", r.expected(), r.lost())
	}
	r.update(8, 1, 1, true, t0.Add(3*time.Second)) // a new source starts over
	if r.expected() != 1 || r.lost() != 0 || r.jitter != 0 {
		t.Errorf("after SSRC change: expected %d lost %d jitter %v", r.expected(), r.lost(), r.jitter)
	}
}

// TestReadReport checks a receiver report of the phone's stream: loss,
// jitter, and the round trip from LSR and DLSR (RFC 3550 6.4.1).
func TestReadReport(t *testing.T) {
	sent := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	arrived := sent.Add(1030 * time.Millisecond) // 1 s held by the peer, 30 ms on the wire
	pkt := &rtcp.ReceiverReport{SSRC: 99, Reports: []rtcp.ReceptionReport{
		{SSRC: 5, FractionLost: 200},
		{SSRC: 42, FractionLost: 64, TotalLost: 12, Jitter: 160, LastSenderReport: ntpMiddle(sent), Delay: 65536},
	}}
	rep, ok := readReport(pkt, 42, arrived)
	if !ok {
		t.Fatal("no report on SSRC 42")
	}
	if rep.fractionLost != 0.25 || rep.totalLost != 12 || rep.jitter != 0.02 {
		t.Errorf("report %+v, want 25%% lost, 12 total, 20 ms jitter", rep)
	}
	if d := rep.rtt - 30*time.Millisecond; d < -time.Millisecond || d > time.Millisecond {
		t.Errorf("rtt %v, want 30ms", rep.rtt)
	}
	if _, ok := readReport(pkt, 7, arrived); ok {
		t.Error("report taken for an SSRC it does not name")
	}
	if _, ok := readReport(&rtcp.Goodbye{}, 42, arrived); ok {
		t.Error("BYE taken as a report")
	}
	// Clock trouble gives a negative round trip: 0, not a huge duration.
	if rtt := roundTrip(sent, ntpMiddle(arrived), 0); rtt != 0 {
		t.Errorf("negative round trip = %v, want 0", rtt)
	}
}
