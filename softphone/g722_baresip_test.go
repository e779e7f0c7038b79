package softphone_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sportello/sportello"
	"github.com/sportello/sportello/softphone"
	"github.com/sportello/sportello/softphone/audio"
)

// baresipHeard16k returns what baresip decoded, brought to the devices'
// 8 kHz: it checks that baresip's recording is at G.722's 16 kHz (so the
// call really ran wideband) and keeps every other sample (the phone sends
// nothing above 4 kHz, so nothing aliases).
func baresipHeard16k(t *testing.T, b *baresip) []int16 {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(b.dir, "dump-*-dec.wav"))
	if len(matches) != 1 {
		t.Fatalf("baresip's recordings of what it heard: %v", matches)
	}
	data, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.Index(data, []byte("fmt ")); i < 0 || len(data) < i+16 {
		t.Fatalf("no fmt chunk in %s", matches[0])
	} else if rate := binary.LittleEndian.Uint32(data[i+12:]); rate != 16000 {
		t.Fatalf("baresip decoded at %d Hz, want 16000 (G.722)", rate)
	}
	wide := b.heard()
	narrow := make([]int16, 0, len(wide)/2)
	for i := 0; i < len(wide); i += 2 {
		narrow = append(narrow, wide[i])
	}
	return narrow
}

// wideTone replaces baresip's microphone WAV with baresipTone at 16 kHz:
// baresip's aufile takes only a file at the codec's rate, and it opens the
// file when a call starts.
func wideTone(t *testing.T, b *baresip) {
	t.Helper()
	const seconds = 30
	var w bytes.Buffer
	le := binary.LittleEndian
	w.WriteString("RIFF")
	w.Write(le.AppendUint32(nil, uint32(36+2*16000*seconds)))
	w.WriteString("WAVEfmt ")
	w.Write(le.AppendUint32(nil, 16))
	w.Write(le.AppendUint16(nil, 1))
	w.Write(le.AppendUint16(nil, 1))
	w.Write(le.AppendUint32(nil, 16000))
	w.Write(le.AppendUint32(nil, 32000))
	w.Write(le.AppendUint16(nil, 2))
	w.Write(le.AppendUint16(nil, 16))
	w.WriteString("data")
	w.Write(le.AppendUint32(nil, uint32(2*16000*seconds)))
	for i := range 16000 * seconds {
		w.Write(le.AppendUint16(nil, uint16(int16(8000*math.Sin(2*math.Pi*baresipTone*float64(i)/16000)))))
	}
	if err := os.WriteFile(filepath.Join(b.dir, "tone.wav"), w.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBaresip_G722Dial: the phone, with G.722 enabled, calls baresip that
// speaks G.722 (its own implementation) first: the call runs on G.722 and
// each side hears the other's tone.
func TestBaresip_G722Dial(t *testing.T) {
	b := startBaresipCodecs(t, "G722/16000/1,PCMU") // baresip names G.722 by its sampling rate
	wideTone(t, b)
	rec := &audio.Recorder{}
	p := startPhone(t, withToneAndSink(phoneTone, rec), softphone.WithCodecs("G722", "PCMU", "PCMA"))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	id, err := p.Dial("sip:bob@" + b.sip)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	_, n := b.event(ctx, 0, "CALL_INCOMING", "")
	b.do(ctx, "accept", "")
	if c := waitCallID(ctx, t, p, id, sportello.CallActive); c.Codec != "G722" {
		t.Fatalf("active call = %+v, want G722", c)
	}
	_, n = b.event(ctx, n, "CALL_ESTABLISHED", "")
	time.Sleep(1500 * time.Millisecond)
	checkTone(t, "the phone", rec.Samples(), baresipTone)
	if err := p.Hangup(id); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	b.event(ctx, n, "CALL_CLOSED", "")
	time.Sleep(200 * time.Millisecond) // sndfile closes its files on the call's end
	checkTone(t, "baresip", baresipHeard16k(t, b), phoneTone)
}

// TestBaresip_G722Answer: baresip calls offering G.722 then PCMU; the
// phone, with G.722 enabled, answers with G.722 and each side hears the
// other.
func TestBaresip_G722Answer(t *testing.T) {
	b := startBaresipCodecs(t, "G722/16000/1,PCMU") // baresip names G.722 by its sampling rate
	wideTone(t, b)
	rec := &audio.Recorder{}
	p := startPhone(t, withToneAndSink(phoneTone, rec), softphone.WithCodecs("G722", "PCMU"))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	b.do(ctx, "dial", "sip:desk@"+hostPort(t, p))
	ring := nextCall(ctx, t, p.Calls(), sportello.CallRinging)
	if err := p.Answer(ring.ID); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	if c := waitCallID(ctx, t, p, ring.ID, sportello.CallActive); c.Codec != "G722" {
		t.Fatalf("active call = %+v, want G722", c)
	}
	_, n := b.event(ctx, 0, "CALL_ESTABLISHED", "")
	time.Sleep(1500 * time.Millisecond)
	checkTone(t, "the phone", rec.Samples(), baresipTone)
	b.do(ctx, "hangup", "")
	waitCallID(ctx, t, p, ring.ID, sportello.CallEnded)
	b.event(ctx, n, "CALL_CLOSED", "")
	time.Sleep(200 * time.Millisecond)
	checkTone(t, "baresip", baresipHeard16k(t, b), phoneTone)
}
