package softphone

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/emiago/diago/media"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"github.com/sportello/sportello/softphone/audio"
)

// rtpSeeds are RTP packets good and bad: the seeds of FuzzRTPPacket and
// the packets TestPhone_BadMedia throws at a call.
func rtpSeeds() [][]byte {
	good := func(pt uint8, seq uint16, payload int) []byte {
		b, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: uint32(seq) * 160, SSRC: 0xdead}, Payload: make([]byte, payload)}).Marshal()
		return b
	}
	padded := good(0, 3, 160)
	padded[0] |= 0x20 // padding bit, last byte says 255 bytes of padding
	padded[len(padded)-1] = 255
	ext := good(0, 4, 160)
	ext[0] |= 0x10 // extension bit with no room for the extension
	csrc := good(0, 5, 4)
	csrc[0] |= 0x0f // 15 CSRCs announced, none there
	return [][]byte{
		good(0, 1, 160),
		good(8, 2, 160),
		good(101, 2, 4),
		good(0, 7, 0),     // header only
		good(0, 8, 1400),  // oversized payload
		good(0, 9, 60000), // larger than any UDP read
		good(0, 10, 160)[:11],
		padded, ext, csrc,
		{0x80},
		{},
		{0x00, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3}, // version 0
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	}
}

// rtcpSeeds are RTCP compounds good and bad.
func rtcpSeeds() [][]byte {
	sr, _ := rtcp.Marshal([]rtcp.Packet{
		&rtcp.SenderReport{SSRC: 1, NTPTime: 1 << 40, Reports: []rtcp.ReceptionReport{{SSRC: 2, FractionLost: 10, TotalLost: 3, Jitter: 80, LastSenderReport: 77, Delay: 5}}},
		&rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{Source: 1, Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: "x"}}}}},
	})
	rr, _ := rtcp.Marshal([]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 1, Reports: []rtcp.ReceptionReport{{SSRC: 2}}}})
	bye, _ := rtcp.Marshal([]rtcp.Packet{&rtcp.Goodbye{Sources: []uint32{1}}})
	lying := append([]byte(nil), rr...)
	lying[0] |= 0x1f // 31 report blocks announced
	longLen := append([]byte(nil), rr...)
	binary.BigEndian.PutUint16(longLen[2:], 0xffff)
	return [][]byte{sr, rr, bye, lying, longLen, sr[:7], {0x80, 200}, {}, make([]byte, 1500)}
}

// FuzzRTPPacket runs bytes through the RTP parser the phone reads with
// (diago's), the consistency check diago's packet reader panics on, the
// reception statistics and the jitter buffer.
func FuzzRTPPacket(f *testing.F) {
	for _, s := range rtpSeeds() {
		f.Add(s, uint16(20))
	}
	f.Fuzz(func(t *testing.T, b []byte, arrivalMS uint16) {
		var pkt rtp.Packet
		if err := media.RTPUnmarshal(b, &pkt); err != nil {
			return
		}
		if len(b)-pkt.Header.MarshalSize()-int(pkt.PaddingSize) != len(pkt.Payload) {
			// diago's reader panics here; readSafely turns it into an error.
			_, err := readSafely(panicReader{}, nil)
			if err == nil {
				t.Fatal("readSafely let a panic through")
			}
			return
		}
		t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		at := t0.Add(time.Duration(arrivalMS) * time.Millisecond)
		var q quality
		q.jb = newJitterBuffer(40*time.Millisecond, 20*time.Millisecond, 300*time.Millisecond)
		pcm := codec(pkt.PayloadType&8).decode(nil, pkt.Payload)
		for i := range 3 {
			q.received(pkt.SSRC, pkt.SequenceNumber+uint16(i), pkt.Timestamp+uint32(i*len(pcm)), i != 1, at)
			q.jb.Push(pkt.SSRC, pkt.SequenceNumber+uint16(i), pkt.Timestamp+uint32(i*len(pcm)), pcm, at)
		}
		frame := make([]int16, audio.FrameSamples)
		for i := range 10 {
			q.jb.Pop(at.Add(time.Duration(i)*packetTime), frame)
		}
		if qs := q.snapshot(); qs == nil || qs.MOS < 1 || qs.MOS > 4.5 {
			t.Fatalf("quality %+v", qs)
		}
	})
}

type panicReader struct{}

func (panicReader) ReadVoicePacket([]byte) (voicePacket, error) { panic("payload calc do not match") }

// FuzzRTCP runs bytes through the RTCP parser diago reads with and the
// phone's report reading.
func FuzzRTCP(f *testing.F) {
	for _, s := range rtcpSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pkts := make([]rtcp.Packet, 5)
		n, err := media.RTCPUnmarshal(b, pkts)
		if err != nil {
			return
		}
		var q quality
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		for _, p := range pkts[:n] {
			q.report(p, 2, now)
			q.report(p, 0, now)
		}
		if q.peer.rtt < 0 || q.peer.fractionLost < 0 || q.peer.fractionLost > 1 {
			t.Fatalf("report %+v", q.peer)
		}
	})
}

// FuzzJitterBuffer drives the jitter buffer with any packets and pops:
// each 9-byte record is a push (ssrc bit, seq, ts, arrival step) or a pop.
// It must not panic, must fill whole frames, and must account for every
// packet it was given.
func FuzzJitterBuffer(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 40})
	f.Add([]byte{0, 0xff, 0xff, 0xff, 0xff, 0xff, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 1, 0, 0, 0, 0, 0, 0, 0, 30})
	f.Add([]byte{2, 0, 5, 0, 0, 3, 0x20, 0, 5, 0, 0, 4, 0, 0, 0, 0xa0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 25, 1, 0, 0, 0, 0, 0, 0, 0, 25})
	f.Fuzz(func(t *testing.T, b []byte) {
		j := newJitterBuffer(40*time.Millisecond, 20*time.Millisecond, 300*time.Millisecond)
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		frame := make([]int16, audio.FrameSamples)
		pcm := make([]int16, audio.FrameSamples)
		for ; len(b) >= 9; b = b[9:] {
			now = now.Add(time.Duration(b[8]) * time.Millisecond)
			if b[0]&1 == 1 {
				for i := range frame {
					frame[i] = 12345
				}
				j.Pop(now, frame)
				continue
			}
			j.Push(uint32(b[0]>>1), binary.BigEndian.Uint16(b[1:]), binary.BigEndian.Uint32(b[3:]), pcm[:1+int(b[7])%len(pcm)], now)
		}
		s := j.Stats()
		if s.Played+s.Late+s.Duplicate+s.Dropped > s.Received {
			t.Fatalf("accounted for more packets than received: %+v", s)
		}
	})
}
