package softphone_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// earlyTone is the tone of the early media sipp plays.
const earlyTone = 600.0

// ulaw encodes one sample as G.711 mu-law.
func ulaw(sample int16) byte {
	const bias, clip = 0x84, 32635
	s := int(sample)
	sign := 0
	if s < 0 {
		s, sign = -s, 0x80
	}
	s = min(s, clip) + bias
	exp := 7
	for mask := 0x4000; s&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (s >> (exp + 3)) & 0x0f
	return ^byte(sign | exp<<4 | mant)
}

// writeTonePcap writes packets of PCMU RTP (20 ms each) of a tone at freq,
// as a pcap for sipp's play_pcap_audio.
func writeTonePcap(t testing.TB, path string, freq float64, packets int) {
	t.Helper()
	var buf bytes.Buffer
	le := binary.LittleEndian
	for _, v := range []any{uint32(0xa1b2c3d4), uint16(2), uint16(4), int32(0), uint32(0), uint32(65535), uint32(1)} {
		binary.Write(&buf, le, v) // pcap header, Ethernet link
	}
	n := 0
	for i := range packets {
		rtp := make([]byte, 12, 12+160)
		rtp[0], rtp[1] = 0x80, 0
		binary.BigEndian.PutUint16(rtp[2:], uint16(2000+i))
		binary.BigEndian.PutUint32(rtp[4:], uint32(160*i))
		binary.BigEndian.PutUint32(rtp[8:], 0x1ea1e3d1)
		for range 160 {
			rtp = append(rtp, ulaw(int16(8000*math.Sin(2*math.Pi*freq*float64(n)/audio.SampleRate))))
			n++
		}
		udp := make([]byte, 8, 8+len(rtp))
		binary.BigEndian.PutUint16(udp[0:], 40000)
		binary.BigEndian.PutUint16(udp[2:], 40002)
		binary.BigEndian.PutUint16(udp[4:], uint16(8+len(rtp)))
		udp = append(udp, rtp...)
		ip := []byte{0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1}
		binary.BigEndian.PutUint16(ip[2:], uint16(20+len(udp)))
		frame := append(append(append(make([]byte, 12), 0x08, 0x00), ip...), udp...)
		at := time.Duration(i) * 20 * time.Millisecond
		binary.Write(&buf, le, uint32(at/time.Second))
		binary.Write(&buf, le, uint32(at%time.Second/time.Microsecond))
		binary.Write(&buf, le, uint32(len(frame)))
		binary.Write(&buf, le, uint32(len(frame)))
		buf.Write(frame)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPhone_EarlyMedia dials a sipp UAS that answers 183 Session Progress
// with SDP and plays a 600 Hz tone over RTP for a second before its 200:
// the call shows early media while still dialing, the tone reaches the
// phone's speaker before the answer (a second of it, in the recorder when
// the active snapshot comes), and the call then goes on as any.
func TestPhone_EarlyMedia(t *testing.T) {
	requireSipp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	dir := t.TempDir()
	writeTonePcap(t, filepath.Join(dir, "tone.pcap"), earlyTone, 50)
	port := freeUDPPort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	sipp := startSippIn(ctx, t, dir, "", "uas_early.xml", "-p", strconv.Itoa(port), "-mp", strconv.Itoa(freeMediaPort(t)))
	waitSippListening(t, sipp, addr)

	rec, withAudio := toneAndRecorder()
	p := startPhone(t, withAudio)
	id, err := p.Dial("sip:announce@" + addr)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if e := waitSnapshot(ctx, t, p, id, "with early media", func(c sportello.Call) bool { return c.EarlyMedia }); e.State != sportello.CallDialing {
		t.Fatalf("early media snapshot = %+v, want dialing", e)
	}
	active := waitCallID(ctx, t, p, id, sportello.CallActive)
	before := rec.Samples()
	if active.EarlyMedia {
		t.Fatalf("active snapshot = %+v, still early media", active)
	}
	checkTone(t, "the phone before the answer", before, earlyTone)
	if err := p.Hangup(id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	if ended := waitCallID(ctx, t, p, id, sportello.CallEnded); ended.EndReason != softphone.ReasonLocalHangup {
		t.Fatalf("ended = %+v", ended)
	}
	sipp.wait(ctx, t)
}
