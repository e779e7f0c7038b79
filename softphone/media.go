package softphone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/zaf/g711"

	"github.com/sportello/sportello/softphone/audio"
)

// This file moves audio between the devices and the RTP payload streams; it
// knows PCMU and 20 ms packets, nothing of SIP.

// packetTime is the audio carried by one RTP packet.
const packetTime = 20 * time.Millisecond

// rtpBufSize fits any RTP payload (diago requires at least media.RTPBufSize).
const rtpBufSize = 1500

// receive decodes PCMU payloads read from r (already through the jitter
// buffer) into sink until ctx ends or r fails.
func receive(ctx context.Context, r io.Reader, sink audio.Sink) error {
	buf := make([]byte, rtpBufSize)
	var frame []int16
	for ctx.Err() == nil {
		n, err := r.Read(buf)
		if err != nil {
			return fmt.Errorf("read rtp: %w", err)
		}
		frame = decodePCMU(frame[:0], buf[:n])
		if err := sink.WritePCM(frame); err != nil {
			return fmt.Errorf("write sink: %w", err)
		}
	}
	return ctx.Err()
}

// send reads 20 ms frames from src, encodes them as PCMU and writes one
// payload to w every 20 ms until ctx ends or w fails; once src is
// exhausted it sends silence so the other side's jitter buffer keeps time.
func send(ctx context.Context, w io.Writer, src audio.Source, log *slog.Logger) error {
	frame := make([]int16, audio.FrameSamples)
	payload := make([]byte, audio.FrameSamples)
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
		if exhausted {
			clear(frame)
		}
		encodePCMU(payload, frame)
		if _, err := w.Write(payload); err != nil {
			return fmt.Errorf("write rtp: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// decodePCMU appends the linear samples of a µ-law payload to dst.
func decodePCMU(dst []int16, payload []byte) []int16 {
	for _, b := range payload {
		dst = append(dst, g711.DecodeUlawFrame(b))
	}
	return dst
}

// encodePCMU writes the µ-law encoding of pcm into dst (len(dst) >= len(pcm)).
func encodePCMU(dst []byte, pcm []int16) {
	for i, v := range pcm {
		dst[i] = g711.EncodeUlawFrame(v)
	}
}
