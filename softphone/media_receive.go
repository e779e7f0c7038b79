package softphone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/sportello/sportello/softphone/audio"
)

// This file is the receive path through the phone's own jitter buffer: one
// goroutine reads RTP as it comes and pushes the decoded voice, another
// plays a frame every 20 ms. A packet the RTP parser rejects is skipped:
// only a closed socket ends the read.

// jitter buffer delays: it starts at 40 ms and adapts between 20 ms and
// 300 ms.
const (
	jitterStartDelay = 40 * time.Millisecond
	jitterMinDelay   = 20 * time.Millisecond
	jitterMaxDelay   = 300 * time.Millisecond
)

// voicePacket is a received RTP payload with the header fields the jitter
// buffer needs; voice is false for a telephone event or comfort noise,
// which take a turn in the stream but carry nothing to decode.
type voicePacket struct {
	n      int
	voice  bool
	codec  codec
	ssrc   uint32
	seq    uint16
	ts     uint32
	marker bool
}

// packetReader reads voice packets with their RTP header.
type packetReader interface {
	ReadVoicePacket(b []byte) (voicePacket, error)
}

// ReadVoicePacket reads the next packet with its header, as ReadVoice
// does (telephone events go to dtmf) but returning every packet; n is 0 for
// a keep-alive, whose header is not read.
func (v *rtpVoice) ReadVoicePacket(b []byte) (voicePacket, error) {
	n, err := v.r.Read(b)
	if err != nil || n == 0 {
		return voicePacket{}, err
	}
	h := v.r.PacketHeader
	pkt := voicePacket{n: n, ssrc: h.SSRC, seq: h.SequenceNumber, ts: h.Timestamp, marker: h.Marker}
	if v.opusPT != 0 {
		pkt.ts = v.opusClock.narrow(h.SSRC, h.Timestamp)
	}
	switch pt := h.PayloadType; {
	case v.opusPT != 0 && pt == v.opusPT:
		pkt.voice, pkt.codec = true, codecOpus
	case isVoice(pt):
		pkt.voice, pkt.codec = true, codec(pt)
	case pt >= 96 && pt <= 127 && v.dtmf != nil:
		v.dtmf.packet(h.Timestamp, h.Marker, b[:n])
	}
	return pkt, nil
}

// errTooManyBadPackets ends the read when nothing but errors comes.
var errTooManyBadPackets = errors.New("too many unreadable rtp packets in a row")

// readPackets reads packets from r into jb (and q) until ctx ends or the
// socket closes; now is the arrival clock.
func readPackets(ctx context.Context, r packetReader, jb *jitterBuffer, q *quality, now func() time.Time, log *slog.Logger) error {
	buf := make([]byte, rtpBufSize)
	var pcm []int16
	var dec streamDecoder
	bad := 0
	for ctx.Err() == nil {
		pkt, err := readSafely(r, buf)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
				return err
			}
			// A malformed packet: the parser said no. Skip it.
			bad++
			if bad == 1 || bad%1000 == 0 {
				log.Debug("unreadable rtp packet", "error", err, "count", bad)
			}
			if bad >= 100000 {
				return errTooManyBadPackets
			}
			continue
		}
		bad = 0
		if pkt.n == 0 || pkt.n > len(buf) {
			continue
		}
		at := now()
		pcm = pcm[:0]
		if pkt.voice {
			pcm = dec.decode(pkt.codec, pcm, buf[:pkt.n])
		}
		if q != nil {
			q.received(pkt.ssrc, pkt.seq, pkt.ts, pkt.voice, at)
		}
		jb.Push(pkt.ssrc, pkt.seq, pkt.ts, pcm, at)
	}
	return ctx.Err()
}

// readSafely reads one packet, turning a panic in the RTP stack (diago
// panics on some inconsistent headers) into an error.
func readSafely(r packetReader, buf []byte) (pkt voicePacket, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("rtp parser panic: %v", v)
		}
	}()
	return r.ReadVoicePacket(buf)
}

// playPackets plays a frame from jb into sink every 20 ms until ctx ends;
// while f is held nothing is played. The sink gets voice and concealment,
// not silence: a pause of the other side leaves a gap, as a device fills
// it and a file is better without. From the first packet on, every frame
// (silence too) goes to rec when set, which keeps its time.
func playPackets(ctx context.Context, jb *jitterBuffer, sink audio.Sink, f *flow, now func() time.Time, rec func([]int16)) error {
	frame := make([]int16, audio.FrameSamples)
	tick := time.NewTicker(packetTime)
	defer tick.Stop()
	started := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		kind := jb.Pop(now(), frame)
		if kind == playVoice {
			started = true
		}
		if !started || f.held.Load() {
			continue
		}
		if rec != nil {
			rec(frame)
		}
		if kind == playSilence {
			continue
		}
		if err := sink.WritePCM(frame); err != nil {
			return fmt.Errorf("write sink: %w", err)
		}
	}
}

// receiveBuffered runs readPackets and playPackets until ctx ends.
func receiveBuffered(ctx context.Context, r packetReader, jb *jitterBuffer, q *quality, sink audio.Sink, f *flow, rec func([]int16), log *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var readErr error
	wg.Go(func() {
		readErr = readPackets(ctx, r, jb, q, time.Now, log)
		if readErr != nil && !errors.Is(readErr, context.Canceled) {
			log.Debug("rtp read stopped", "error", readErr)
		}
	})
	err := playPackets(ctx, jb, sink, f, time.Now, rec)
	cancel()
	wg.Wait()
	st := jb.Stats()
	log.Info("audio received", "packets", st.Received, "played", st.Played, "late", st.Late,
		"concealed", st.Concealed, "dropped", st.Dropped, "resyncs", st.Resyncs, "delay", st.Delay)
	return err
}
