package softphone_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone/audio"
)

// TestPhone_PCMA takes a call from a phone that offers only PCMA: the phone
// answers with PCMA and sipp's echo of its tone comes back intact (a
// decoder that took A-law for µ-law would hear the tone distorted, below
// the 0.98 asked for: see TestCodecRoundTrip).
func TestPhone_PCMA(t *testing.T) {
	requireSipp(t)
	rec, withAudio := toneAndRecorder()
	p := startPhone(t, withAudio)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sipp := startSipp(ctx, t, p, "uac_pcma.xml", "-d", "2000", "-rtp_echo", "-mp", strconv.Itoa(freeMediaPort(t)))
	ring := waitCall(ctx, t, p, callerNumber, sportello.CallRinging)
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	if active := waitCall(ctx, t, p, callerNumber, sportello.CallActive); active.Codec != "PCMA" {
		t.Fatalf("active snapshot = %+v, want codec PCMA", active)
	}
	waitCall(ctx, t, p, callerNumber, sportello.CallEnded)
	sipp.wait(ctx, t)
	samples := rec.Samples()
	at1000, at1500 := audio.Goertzel(samples, 1000), audio.Goertzel(samples, 1500)
	t.Logf("heard %.2f s; energy at 1000 Hz %.3f, at 1500 Hz %.3f", float64(len(samples))/audio.SampleRate, at1000, at1500)
	if len(samples) < audio.SampleRate || at1000 < 0.98 || at1500 > 0.05 {
		t.Fatalf("echoed tone not heard: %d samples, energy at 1000 Hz %.3f, at 1500 Hz %.3f", len(samples), at1000, at1500)
	}
}

// TestPhone_DialPCMA places a call that the other side answers with PCMA.
func TestPhone_DialPCMA(t *testing.T) {
	requireSipp(t)
	rec, withAudio := toneAndRecorder()
	p := startPhone(t, withAudio)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sipp, addr := startSippUAS(ctx, t, "uas.xml", "-key", "codec", "8", "-key", "codecname", "PCMA",
		"-rtp_echo", "-mp", strconv.Itoa(freeMediaPort(t)))
	waitSippListening(t, sipp, addr)
	dialAndTalk(ctx, t, p, rec, "sip:2000@"+addr, "PCMA")
	sipp.wait(ctx, t)
}
