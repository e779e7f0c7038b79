package softphone

import (
	"math"
	"sync"
	"time"

	"github.com/pion/rtcp"

	"github.com/sportello/sportello"
)

// This file measures call quality: what the phone receives (RFC 3550
// interarrival jitter and loss), what the other side reports of what it
// receives (RTCP sender and receiver reports, read from the RTCP port or
// the muxed RTP port by diago, which also sends the phone's own reports
// every 5 s), the round-trip time from LSR/DLSR, and an E-model MOS
// estimate. It knows RTP and RTCP, nothing of SIP.

// receptionStats follows one received RTP source as RFC 3550 appendix A
// does: extended highest sequence number, packets received, interarrival
// jitter.
type receptionStats struct {
	started   bool
	ssrc      uint32
	baseSeq   uint64
	maxSeq    uint64 // extended
	received  uint64
	transit   float64 // seconds
	jitter    float64 // seconds
	epoch     time.Time
	baseTS    uint32 // timestamp of the first packet
	clockRate float64
}

// update takes one received packet of ssrc at arrival; the timestamps of
// packets other than voice (telephone events repeat theirs) are kept out
// of the jitter.
func (r *receptionStats) update(ssrc uint32, seq uint16, ts uint32, voice bool, arrival time.Time) {
	if !r.started || ssrc != r.ssrc {
		*r = receptionStats{started: true, ssrc: ssrc, baseSeq: 1<<32 + uint64(seq), maxSeq: 1<<32 + uint64(seq),
			received: 1, epoch: arrival, baseTS: ts, clockRate: 8000}
		return
	}
	ext := uint64(int64(r.maxSeq) + int64(int16(seq-uint16(r.maxSeq))))
	if ext > r.maxSeq {
		r.maxSeq = ext
	}
	r.received++
	if !voice {
		return
	}
	// Transit on the sender's clock, relative to the first packet;
	// timestamps are compared modulo 2^32.
	arr := arrival.Sub(r.epoch).Seconds()
	media := float64(int32(ts-r.baseTS)) / r.clockRate
	transit := arr - media
	d := math.Abs(transit - r.transit)
	if d < 1 { // a jump of a second or more is a new clock, not jitter
		r.jitter += (d - r.jitter) / 16
	}
	r.transit = transit
}

// expected returns the packets the sender sent since the first received.
func (r *receptionStats) expected() uint64 {
	if !r.started {
		return 0
	}
	return r.maxSeq - r.baseSeq + 1
}

// lost returns the packets never received (0 when duplicates outnumber them).
func (r *receptionStats) lost() uint64 {
	if e := r.expected(); e > r.received {
		return e - r.received
	}
	return 0
}

// peerReport is what the other side last reported of the audio it
// receives from the phone.
type peerReport struct {
	fractionLost float64 // 0 to 1, over its last interval
	totalLost    uint32
	jitter       float64 // seconds
	rtt          time.Duration
	at           time.Time
}

// readReport takes one RTCP packet from the other side; ours is the SSRC
// the phone sends with (0 when not known yet: the first report block is
// taken, as a unicast call has one). It returns false when pkt carries no
// report on the phone's stream.
func readReport(pkt rtcp.Packet, ours uint32, now time.Time) (peerReport, bool) {
	var blocks []rtcp.ReceptionReport
	switch p := pkt.(type) {
	case *rtcp.SenderReport:
		blocks = p.Reports
	case *rtcp.ReceiverReport:
		blocks = p.Reports
	default:
		return peerReport{}, false
	}
	for _, b := range blocks {
		if ours != 0 && b.SSRC != ours {
			continue
		}
		rep := peerReport{
			fractionLost: float64(b.FractionLost) / 256,
			totalLost:    b.TotalLost & 0xffffff,
			jitter:       float64(b.Jitter) / 8000,
			at:           now,
		}
		if b.LastSenderReport != 0 {
			rep.rtt = roundTrip(now, b.LastSenderReport, b.Delay)
		}
		return rep, true
	}
	return peerReport{}, false
}

// ntpEpoch is the start of NTP time (RFC 5905), the clock RTCP carries.
var ntpEpoch = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// ntpMiddle returns the middle 32 bits of the NTP timestamp of t (16.16
// fixed point seconds), the unit of LSR and DLSR.
func ntpMiddle(t time.Time) uint32 {
	d := t.Sub(ntpEpoch) // saturates after 2192: fine for a phone
	secs := uint64(d / time.Second)
	frac := uint64(d%time.Second) << 16 / uint64(time.Second)
	return uint32(secs<<16 | frac)
}

// roundTrip is RFC 3550 6.4.1: the arrival time of the report minus the
// time our sender report left (LSR) minus the time the peer held it
// (DLSR), all in 1/65536 s. A negative result (clock error) is 0.
func roundTrip(arrival time.Time, lsr, dlsr uint32) time.Duration {
	a := ntpMiddle(arrival)
	rtt := int64(int32(a - lsr - dlsr))
	if rtt < 0 {
		return 0
	}
	return time.Duration(rtt) * time.Second / 65536
}

// E-model constants for G.711 with packet-loss concealment (ITU-T G.113
// appendix I): no equipment impairment, robustness to random loss 25.1.
const (
	eModelR0   = 93.2 // R for default G.107 parameters without impairments
	g711Ie     = 0
	g711PLCBpl = 25.1
)

// rFactor is the simplified G.107 transmission rating for G.711: one-way
// mouth-to-ear delay (Id) and random packet loss (Ie,eff) impair the
// default rating; loss is a fraction (0 to 1).
func rFactor(oneWay time.Duration, loss float64, bpl float64) float64 {
	d := float64(oneWay) / float64(time.Millisecond)
	id := 0.024 * d
	if d > 177.3 {
		id += 0.11 * (d - 177.3)
	}
	ppl := 100 * min(max(loss, 0), 1)
	ieEff := g711Ie + (95-g711Ie)*ppl/(ppl+bpl) // BurstR = 1: random loss
	return eModelR0 - id - ieEff
}

// mosFromR converts an R rating to a MOS (ITU-T G.107 annex B).
func mosFromR(r float64) float64 {
	switch {
	case r <= 0:
		return 1
	case r >= 100:
		return 4.5
	}
	return 1 + 0.035*r + r*(r-60)*(100-r)*7e-6
}

// quality gathers a call's measurements; the receive path, the RTCP hook
// and the snapshot publisher use it from different goroutines.
type quality struct {
	mu   sync.Mutex
	rx   receptionStats
	peer peerReport
	jb   *jitterBuffer
}

// received records one packet the phone received.
func (q *quality) received(ssrc uint32, seq uint16, ts uint32, voice bool, at time.Time) {
	q.mu.Lock()
	q.rx.update(ssrc, seq, ts, voice, at)
	q.mu.Unlock()
}

// report records one RTCP packet from the other side.
func (q *quality) report(pkt rtcp.Packet, ours uint32, now time.Time) {
	rep, ok := readReport(pkt, ours, now)
	if !ok {
		return
	}
	q.mu.Lock()
	if rep.rtt == 0 {
		rep.rtt = q.peer.rtt // a report without LSR keeps the last RTT
	}
	q.peer = rep
	q.mu.Unlock()
}

// snapshot computes the call's quality now; nil before any audio.
func (q *quality) snapshot() *sportello.CallQuality {
	q.mu.Lock()
	rx, peer := q.rx, q.peer
	q.mu.Unlock()
	if !rx.started {
		return nil
	}
	var js jitterStats
	if q.jb != nil {
		js = q.jb.Stats()
	}
	loss := 0.0
	if e := rx.expected(); e > 0 {
		loss = float64(rx.lost()+js.Late) / float64(e)
	}
	// Mouth to ear: half the round trip, the jitter buffer, one packet.
	oneWay := peer.rtt/2 + js.Delay + packetTime
	round := func(v float64) float64 { return math.Round(v*100) / 100 }
	return &sportello.CallQuality{
		JitterMS:    round(rx.jitter * 1000),
		LossPct:     round(100 * min(loss, 1)),
		PeerLossPct: round(100 * peer.fractionLost),
		RTTMS:       round(float64(peer.rtt) / float64(time.Millisecond)),
		DelayMS:     round(float64(js.Delay) / float64(time.Millisecond)),
		MOS:         round(mosFromR(rFactor(oneWay, loss, g711PLCBpl))),
	}
}
