package softphone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/zaf/g711"

	"github.com/sportello/sportello/softphone/audio"
)

// This file moves audio between the devices and the RTP payload streams; it
// knows G.711 (PCMU and PCMA) and 20 ms packets, nothing of SIP.

// codec is a G.711 variant, named by its static RTP payload type.
type codec uint8

const (
	codecPCMU codec = 0
	codecPCMA codec = 8
)

// codecNamed returns the codec called name in SDP ("PCMU", "pcma").
func codecNamed(name string) (codec, bool) {
	switch {
	case strings.EqualFold(name, "PCMU"):
		return codecPCMU, true
	case strings.EqualFold(name, "PCMA"):
		return codecPCMA, true
	case strings.EqualFold(name, "G722"):
		return codecG722, true
	case strings.EqualFold(name, "opus") && opusBuilt:
		return codecOpus, true
	}
	return 0, false
}

func (c codec) String() string {
	if c == codecG722 {
		return "G722"
	}
	if c == codecOpus {
		return "opus"
	}
	if c == codecPCMA {
		return "PCMA"
	}
	return "PCMU"
}

// decode appends the linear samples of a payload to dst.
func (c codec) decode(dst []int16, payload []byte) []int16 {
	for _, b := range payload {
		if c == codecPCMA {
			dst = append(dst, g711.DecodeAlawFrame(b))
		} else {
			dst = append(dst, g711.DecodeUlawFrame(b))
		}
	}
	return dst
}

// encode writes the encoding of pcm into dst (len(dst) >= len(pcm)).
func (c codec) encode(dst []byte, pcm []int16) {
	for i, v := range pcm {
		if c == codecPCMA {
			dst[i] = g711.EncodeAlawFrame(v)
		} else {
			dst[i] = g711.EncodeUlawFrame(v)
		}
	}
}

// voiceReader yields the voice payloads of an RTP stream, each with its
// codec; it keeps everything else (telephone events, comfort noise) out.
type voiceReader interface {
	ReadVoice(b []byte) (int, codec, error)
}

// packetTime is the audio carried by one RTP packet.
const packetTime = 20 * time.Millisecond

// rtpBufSize fits any RTP payload (diago requires at least media.RTPBufSize).
const rtpBufSize = 1500

// receive decodes the voice read from r (already through the jitter
// buffer) into sink until ctx ends or r fails; while f is held it drops
// what it reads.
func receive(ctx context.Context, r voiceReader, sink audio.Sink, f *flow) error {
	buf := make([]byte, rtpBufSize)
	var frame []int16
	var dec streamDecoder
	for ctx.Err() == nil {
		n, c, err := r.ReadVoice(buf)
		if err != nil {
			return fmt.Errorf("read rtp: %w", err)
		}
		if f.held.Load() {
			continue
		}
		frame = dec.decode(c, frame[:0], buf[:n])
		if err := sink.WritePCM(frame); err != nil {
			return fmt.Errorf("write sink: %w", err)
		}
	}
	return ctx.Err()
}

// send reads 20 ms frames from src, encodes them with c and writes one
// payload to w every 20 ms until ctx ends or w fails; once src is
// exhausted, and while f is muted or held, it sends silence so the other
// side's jitter buffer keeps time (a held call offers sendonly, so sending
// stays allowed; music on hold would go here). The source is read all the
// same, so a file source stays in step with the call. Each frame sent also
// goes to rec when set (the call recording).
func send(ctx context.Context, w io.Writer, c codec, src audio.Source, f *flow, rec func([]int16), log *slog.Logger) error {
	frame := make([]int16, audio.FrameSamples)
	payload := make([]byte, audio.FrameSamples)
	var enc streamEncoder
	tick := time.NewTicker(packetTime)
	defer tick.Stop()
	exhausted := false
	for {
		if !exhausted {
			if err := src.ReadPCM(frame); err != nil {
				if !errors.Is(err, io.EOF) {
					log.Warn("read audio source", "error", err)
				}
				exhausted = true
			}
		}
		if exhausted || f.muted.Load() || f.held.Load() {
			clear(frame)
		}
		if rec != nil {
			rec(frame)
		}
		n := enc.encode(c, payload, frame)
		if _, err := w.Write(payload[:n]); err != nil {
			return fmt.Errorf("write rtp: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// dtmfKeys lists the keys by RFC 4733 event code (0-15).
const dtmfKeys = "0123456789*#ABCD"

// dtmfEvents turns the packets of an RFC 4733 telephone-event stream into
// key presses: every packet of one press carries the same RTP timestamp,
// and the last is sent three times, so a press is reported once, at its
// first packet. A new timestamp, another key, or a marked packet after the
// end of the previous press starts a new one.
type dtmfEvents struct {
	seen   bool
	lastTS uint32
	last   byte
	ended  bool
	press  func(key byte)
}

// packet takes one telephone-event payload sent with RTP timestamp ts.
func (d *dtmfEvents) packet(ts uint32, marker bool, payload []byte) {
	if len(payload) < 4 || int(payload[0]) >= len(dtmfKeys) {
		return // too short, or a tone or line event that is not a key
	}
	end := payload[1]&0x80 != 0
	if d.seen && ts == d.lastTS && payload[0] == d.last && !(marker && d.ended) {
		d.ended = d.ended || end
		return
	}
	d.seen, d.lastTS, d.last, d.ended = true, ts, payload[0], end
	d.press(dtmfKeys[payload[0]])
}
