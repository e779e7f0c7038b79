package softphone

import (
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/sportello/sportello/softphone/audio"
)

// scriptedReader returns its steps in order: a packet, an error, or a
// panic (diago's reader panics on some inconsistent headers).
type scriptedReader struct {
	steps []func(b []byte) (voicePacket, error)
}

func (r *scriptedReader) ReadVoicePacket(b []byte) (voicePacket, error) {
	if len(r.steps) == 0 {
		return voicePacket{}, io.EOF
	}
	s := r.steps[0]
	r.steps = r.steps[1:]
	return s(b)
}

// TestReadPackets_SurvivesBadPackets: a parse error and a panic in the
// RTP stack skip one packet each; the next packets still reach the jitter
// buffer, the DTMF packet takes its turn without audio, and only the
// closed socket ends the read.
func TestReadPackets_SurvivesBadPackets(t *testing.T) {
	voice := func(seq uint16) func([]byte) (voicePacket, error) {
		return func(b []byte) (voicePacket, error) {
			for i := range 160 {
				b[i] = 0x7f
			}
			return voicePacket{n: 160, voice: true, ssrc: 1, seq: seq, ts: uint32(seq) * 160}, nil
		}
	}
	r := &scriptedReader{steps: []func([]byte) (voicePacket, error){
		voice(1),
		func([]byte) (voicePacket, error) { return voicePacket{}, errors.New("rtp unmarshal failed") },
		func([]byte) (voicePacket, error) { panic("payload calc do not match") },
		voice(2),
		func([]byte) (voicePacket, error) { return voicePacket{n: 4, ssrc: 1, seq: 3, ts: 320}, nil },
		func([]byte) (voicePacket, error) { return voicePacket{}, nil }, // keep-alive
		voice(4),
	}}
	q := &quality{jb: newJitterBuffer(40*time.Millisecond, 20*time.Millisecond, 300*time.Millisecond)}
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(20 * time.Millisecond); return now }
	err := readPackets(t.Context(), r, q.jb, q, clock, slog.New(slog.DiscardHandler))
	if !errors.Is(err, io.EOF) {
		t.Fatalf("read ended with %v, want EOF", err)
	}
	if s := q.jb.Stats(); s.Received != 4 {
		t.Fatalf("jitter buffer received %d packets, want 4 (3 voice, 1 event)", s.Received)
	}
	if e, l := q.rx.expected(), q.rx.lost(); e != 4 || l != 0 {
		t.Fatalf("expected %d lost %d: the event counts as received", e, l)
	}
	frame := make([]int16, audio.FrameSamples)
	var kinds []playout
	for range 6 {
		kinds = append(kinds, q.jb.Pop(now.Add(60*time.Millisecond), frame))
		now = now.Add(20 * time.Millisecond)
	}
	want := []playout{playVoice, playVoice, playSilence, playVoice}
	for i, k := range want {
		if kinds[i] != k {
			t.Fatalf("played %v, want %v first", kinds, want)
		}
	}
}

// TestRecorder_PairsSides: the operator's and the citizen's frames land
// on the left and right channels in step; a side that stays silent (hold)
// is filled once the other runs ahead.
func TestRecorder_PairsSides(t *testing.T) {
	path := filepath.Join(t.TempDir(), "call.wav")
	var r recorder
	if err := r.start(path); err != nil {
		t.Fatal(err)
	}
	frame := func(v int16) []int16 {
		f := make([]int16, audio.FrameSamples)
		for i := range f {
			f[i] = v
		}
		return f
	}
	for i := range 5 {
		r.add(false, frame(int16(100+i)))
		r.add(true, frame(int16(-100-i)))
	}
	for range 20 { // the citizen is silent: only the operator speaks
		r.add(false, frame(7))
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	r.add(false, frame(9)) // after stop: nothing
	left, right, err := audio.ReadStereoWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 25*audio.FrameSamples || len(right) != len(left) {
		t.Fatalf("recorded %d/%d samples, want %d on each side", len(left), len(right), 25*audio.FrameSamples)
	}
	for i := range 5 {
		at := i * audio.FrameSamples
		if left[at] != int16(100+i) || right[at] != int16(-100-i) {
			t.Fatalf("frame %d: left %d right %d, want %d %d", i, left[at], right[at], 100+i, -100-i)
		}
	}
	if left[len(left)-1] != 7 || right[len(right)-1] != 0 {
		t.Fatalf("last sample left %d right %d, want 7 and silence", left[len(left)-1], right[len(right)-1])
	}
}
