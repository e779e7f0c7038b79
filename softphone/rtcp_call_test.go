package softphone_test

import (
	"context"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// TestBaresip_QualityAndRecording calls baresip and talks for 11 s: both
// sides exchange RTCP reports (baresip's carry LSR/DLSR of the phone's
// sender reports, so the phone has a round trip), the call's quality is on
// its snapshots with a MOS above 4.0 on the loopback, and the stereo recording the operator
// switched on holds the phone's tone on the left and baresip's on the
// right.
func TestBaresip_QualityAndRecording(t *testing.T) {
	b := startBaresip(t)
	rec := &audio.Recorder{}
	dir := t.TempDir()
	p := startPhone(t, withToneAndSink(phoneTone, rec), softphone.WithRecordDir(dir))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	id, err := p.Dial("sip:bob@" + b.sip)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	_, n := b.event(ctx, 0, "CALL_INCOMING", "")
	if err := p.Record(id, true); err == nil {
		t.Fatal("Record before the answer: no error")
	}
	b.do(ctx, "accept", "")
	waitCallID(ctx, t, p, id, sportello.CallActive)
	b.event(ctx, n, "CALL_ESTABLISHED", "")
	if err := p.Record(id, true); err != nil {
		t.Fatalf("Record: %v", err)
	}
	if c := waitSnapshot(ctx, t, p, id, "recording", func(c sportello.Call) bool { return c.Recording }); c.State != sportello.CallActive {
		t.Fatalf("recording snapshot = %+v", c)
	}
	path := p.RecordingPath(id)
	if filepath.Dir(path) != dir {
		t.Fatalf("recording at %q, want in %s", path, dir)
	}

	// The first reports go out 5 s into the call; wait for two rounds.
	withQuality := waitSnapshot(ctx, t, p, id, "with quality", func(c sportello.Call) bool { return c.Quality != nil })
	t.Logf("first published quality: %+v", *withQuality.Quality)
	time.Sleep(6 * time.Second)
	q, err := p.Quality(id)
	if err != nil {
		t.Fatalf("Quality: %v", err)
	}
	// The round trip needs a report of baresip's that answers one of
	// ours (LSR/DLSR); on a loaded machine the first may come a round
	// later, so wait for it a while longer rather than a fixed time.
	for deadline := time.Now().Add(15 * time.Second); q.RTTMS <= 0 && time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		if q, err = p.Quality(id); err != nil {
			t.Fatalf("Quality: %v", err)
		}
	}
	t.Logf("quality after 11 s or more: %+v", q)
	// On a busy machine the loopback has some scheduling jitter, and a
	// stall can make a packet late: the MOS is what must hold.
	if q.MOS <= 4.0 || q.LossPct >= 1 || q.PeerLossPct >= 1 || q.DelayMS < 20 || q.DelayMS > 300 {
		t.Errorf("quality on the loopback = %+v, want MOS > 4.0, loss under 1%%, delay within 20-300 ms", q)
	}
	if q.RTTMS <= 0 || q.RTTMS > 50 {
		t.Errorf("round trip %v ms: baresip's reports gave none or a wrong one", q.RTTMS)
	}

	if err := p.Record(id, false); err != nil {
		t.Fatalf("Record off: %v", err)
	}
	waitSnapshot(ctx, t, p, id, "not recording", func(c sportello.Call) bool { return !c.Recording })
	left, right, err := audio.ReadStereoWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %.2f s", float64(len(left))/audio.SampleRate)
	if len(left) < 8*audio.SampleRate {
		t.Fatalf("recorded %d samples, want the 10 s the recording lasted", len(left))
	}
	checkTone(t, "the recording's left (operator)", left, phoneTone)
	checkTone(t, "the recording's right (citizen)", right, baresipTone)
	if r := audio.Goertzel(left, baresipTone); r > 0.05 {
		t.Errorf("baresip's tone on the operator's channel: %.3f", r)
	}

	if err := p.Hangup(id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	ended := waitCallID(ctx, t, p, id, sportello.CallEnded)
	if ended.Quality == nil || ended.Quality.MOS <= 4.0 || ended.Recording {
		t.Fatalf("ended snapshot = %+v, want the call's quality and recording off", ended)
	}
}

// TestBaresip_BadMedia throws malformed, truncated and oversized RTP and
// RTCP packets at the phone's media ports during a call with baresip: the
// phone stays up, the call goes on, and baresip's tone is heard after.
func TestBaresip_BadMedia(t *testing.T) {
	b := startBaresip(t)
	rec := &audio.Recorder{}
	p := startPhone(t, withToneAndSink(phoneTone, rec))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	id, err := p.Dial("sip:bob@" + b.sip)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	_, n := b.event(ctx, 0, "CALL_INCOMING", "")
	b.do(ctx, "accept", "")
	waitCallID(ctx, t, p, id, sportello.CallActive)
	b.event(ctx, n, "CALL_ESTABLISHED", "")

	// The phone's offer is the first SDP in baresip's SIP trace.
	m := regexp.MustCompile(`m=audio (\d+) `).FindStringSubmatch(b.out.String())
	if m == nil {
		t.Fatal("no m=audio line in baresip's trace")
	}
	port, _ := strconv.Atoi(m[1])
	conn, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rtcpConn, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(port+1))
	if err != nil {
		t.Fatal(err)
	}
	defer rtcpConn.Close()
	sent := 0
	for range 20 {
		for _, pkt := range softphone.RTPSeeds() {
			if len(pkt) > 65000 {
				pkt = pkt[:65000]
			}
			if _, err := conn.Write(pkt); err == nil {
				sent++
			}
		}
		for _, pkt := range softphone.RTCPSeeds() {
			if _, err := rtcpConn.Write(pkt); err == nil {
				sent++
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("sent %d bad packets to ports %d and %d", sent, port, port+1)

	time.Sleep(500 * time.Millisecond)
	_, from := heardSince(rec, 0)
	time.Sleep(1500 * time.Millisecond)
	after, _ := heardSince(rec, from)
	checkTone(t, "the phone after the bad packets", after, baresipTone)
	if c, err := p.Controls(id); err != nil {
		t.Fatalf("call gone after the bad packets: %v (%+v)", err, c)
	}
	if err := p.Hangup(id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	waitCallID(ctx, t, p, id, sportello.CallEnded)
	b.event(ctx, n, "CALL_CLOSED", "")
	time.Sleep(200 * time.Millisecond)
	checkTone(t, "baresip", b.heard(), phoneTone)
}
