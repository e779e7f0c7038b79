package softphone_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// writeDTMFPcap writes the RTP stream a phone sends when its user presses
// keys during a call, as a pcap for sipp's play_pcap_audio: PCMU silence
// every 20 ms and, after each second, one key as RFC 4733 events (7 packets
// of growing duration, the first marked, then the end packet three times
// with one sequence number), with sequence numbers and timestamps running
// on as a real phone's do.
func writeDTMFPcap(t *testing.T, path string, keys []byte) {
	t.Helper()
	var buf bytes.Buffer
	le := binary.LittleEndian
	for _, v := range []any{uint32(0xa1b2c3d4), uint16(2), uint16(4), int32(0), uint32(0), uint32(65535), uint32(1)} {
		binary.Write(&buf, le, v) // pcap header, Ethernet link
	}
	var at time.Duration
	seq, ts := uint16(1000), uint32(0)
	packet := func(pt byte, marker bool, timestamp uint32, payload []byte) {
		rtp := make([]byte, 12, 12+len(payload))
		rtp[0], rtp[1] = 0x80, pt
		if marker {
			rtp[1] |= 0x80
		}
		binary.BigEndian.PutUint16(rtp[2:], seq)
		binary.BigEndian.PutUint32(rtp[4:], timestamp)
		binary.BigEndian.PutUint32(rtp[8:], 0x5907e110)
		rtp = append(rtp, payload...)
		udp := make([]byte, 8, 8+len(rtp))
		binary.BigEndian.PutUint16(udp[0:], 40000)
		binary.BigEndian.PutUint16(udp[2:], 40002)
		binary.BigEndian.PutUint16(udp[4:], uint16(8+len(rtp)))
		udp = append(udp, rtp...)
		ip := []byte{0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1}
		binary.BigEndian.PutUint16(ip[2:], uint16(20+len(udp)))
		frame := append(append(append(make([]byte, 12), 0x08, 0x00), ip...), udp...)
		binary.Write(&buf, le, uint32(at/time.Second))
		binary.Write(&buf, le, uint32(at%time.Second/time.Microsecond))
		binary.Write(&buf, le, uint32(len(frame)))
		binary.Write(&buf, le, uint32(len(frame)))
		buf.Write(frame)
	}
	silence := func(n int) {
		for range n {
			packet(0, false, ts, bytes.Repeat([]byte{0xff}, 160))
			seq++
			ts += 160
			at += 20 * time.Millisecond
		}
	}
	for _, key := range keys {
		silence(50)
		event := byte(strings.IndexByte("0123456789*#ABCD", key))
		for i := range 7 {
			dur := uint16(160 * (i + 1))
			packet(101, i == 0, ts, []byte{event, 10, byte(dur >> 8), byte(dur)})
			seq++
			at += 20 * time.Millisecond
		}
		for range 3 {
			packet(101, false, ts, []byte{event, 0x80 | 10, byte(1120 >> 8), byte(1120 & 0xff)})
		}
		seq++
		ts += 7 * 160
	}
	silence(25)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitDTMF collects the keys pressed on callID until want is complete.
func waitDTMF(ctx context.Context, t *testing.T, p *softphone.Phone, callID, want string) {
	t.Helper()
	var got strings.Builder
	for got.String() != want {
		select {
		case d := <-p.DTMF():
			if d.CallID != callID {
				t.Fatalf("DTMF %+v for another call, want %s", d, callID)
			}
			if d.At.IsZero() {
				t.Errorf("DTMF %+v without a time", d)
			}
			got.WriteString(d.Key)
			if !strings.HasPrefix(want, got.String()) {
				t.Fatalf("DTMF keys %q, want %q", got.String(), want)
			}
		case <-ctx.Done():
			t.Fatalf("DTMF keys %q, want %q: %v", got.String(), want, ctx.Err())
		}
	}
}

// TestPhone_ReceiveDTMF has sipp press 1 and 9 as RFC 4733 events amid
// PCMU silence: the phone reports each key once, and nothing of them
// reaches the speaker, which hears only the silence.
func TestPhone_ReceiveDTMF(t *testing.T) {
	requireSipp(t)
	dir := t.TempDir()
	writeDTMFPcap(t, filepath.Join(dir, "dtmf_19.pcap"), []byte("19"))
	rec := &audio.Recorder{}
	p := startPhone(t, softphone.WithAudio(func(string) (audio.Source, audio.Sink, error) { return audio.Null{}, rec, nil }))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sipp := startSippIn(ctx, t, dir, hostPort(t, p), "uac_dtmf.xml", "-mp", strconv.Itoa(freeMediaPort(t)))
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitDTMF(ctx, t, p, ring.ID, "19")
	waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	sipp.wait(ctx, t)
	select {
	case d, ok := <-p.DTMF():
		if ok {
			t.Fatalf("extra DTMF %+v: a press reported twice", d)
		}
	default:
	}
	// The 4-byte event payloads, decoded as µ-law, would be loud clicks.
	samples := rec.Samples()
	loudest := 0
	for _, v := range samples {
		loudest = max(loudest, int(v), -int(v))
	}
	t.Logf("the speaker got %d samples, loudest %d", len(samples), loudest)
	if len(samples) < audio.SampleRate || loudest > 100 || len(samples)%audio.FrameSamples != 0 {
		t.Fatalf("the speaker got %d samples, loudest %d: want only the 20 ms frames of silence", len(samples), loudest)
	}
}

// TestPhone_SendDTMF sends keys to sipp, which echoes the RTP back: the
// phone hears its own RFC 4733 events as key presses, so what it sends is
// well-formed telephone-event, in order, each key once.
func TestPhone_SendDTMF(t *testing.T) {
	requireSipp(t)
	rec, withAudio := toneAndRecorder()
	p := startPhone(t, withAudio)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sipp := startSipp(ctx, t, p, "uac.xml", "-d", "4000", "-rtp_echo", "-mp", strconv.Itoa(freeMediaPort(t)))
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	if err := p.SendDTMF(ring.ID, "1"); !errors.Is(err, sportello.ErrCallNotReady) {
		t.Fatalf("SendDTMF while ringing error = %v, want ErrCallNotReady", err)
	}
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	waitCall(ctx, t, p, callerNumber, sportello.CallActive)
	if err := p.SendDTMF(ring.ID, "5x"); !errors.Is(err, softphone.ErrBadKey) {
		t.Fatalf("SendDTMF(5x) error = %v, want ErrBadKey", err)
	}
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	if err := p.SendDTMF(ring.ID, "5#0*"); err != nil {
		t.Fatalf("SendDTMF: %v", err)
	}
	t.Logf("sent 4 keys in %v", time.Since(start))
	waitDTMF(ctx, t, p, ring.ID, "5#0*")
	waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	sipp.wait(ctx, t)
	if r := audio.Goertzel(rec.Samples(), 1000); r < 0.98 {
		t.Fatalf("echoed tone energy at 1000 Hz = %.3f: events leaked into the audio", r)
	}
	if err := p.SendDTMF(ring.ID, "1"); !errors.Is(err, sportello.ErrNoSuchCall) {
		t.Fatalf("SendDTMF after the end error = %v, want ErrNoSuchCall", err)
	}
}
